using System.Text.Json.Nodes;
using LeanAssist.Lean.Sessions;
using LeanAssist.Lean.Text;
using LeanAssist.Lean.Verdicts;
using LeanAssist.Suggestions.Remote;
using LeanAssist.Testing;
using LeanAssist.Testing.Kimina;

namespace LeanAssist.Suggestions.Tests.Remote;

/// <summary>The Kimina backend against Kimina test doubles on 127.0.0.1 answering with recorded REPL answers.</summary>
public sealed class KiminaBackendTests
{
    /// <summary>A file with a sorry above the target (its warning must not count against the target's candidates).</summary>
    private const string File = "def f : Nat := by sorry\n\ntheorem aa (x : Nat) (h1 : x  = 2) : x = 2 := by sorry\n";

    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    /// <summary>The load (both sorries, each as recorded), a clean answer for `assumption`, an error for anything else.</summary>
    private static void Script(KiminaServerDouble server) => server
        .Answer("x = 2 := by sorry", new KiminaReply.Repl(KiminaResponses.Combine(("tactic_sorry", 0, 1), ("assumption_proof", 0, 3))), anchor: "def f")
        .Answer("by assumption", new KiminaReply.Repl(KiminaResponses.Combine(("tactic_sorry", 0, 1))), anchor: "def f")
        .Answer("theorem aa", new KiminaReply.Repl(KiminaResponses.Combine(("tactic_sorry", 0, 1), ("self_proof_exact_check", 0, 3))), anchor: "def f");

    private static LeanFileRequest Request(string text = File) => new(null, "/work/remote.lean", new SourceText(text));

    private static async Task<LeanTarget> TargetAsync(KiminaBackendHarness harness)
    {
        var file = await harness.Backend.LoadFileAsync(Request(), CancellationToken.None);
        Assert.True(file.IsComplete, string.Join(" ", file.Problems));
        return Assert.Single(file.Targets, t => t.DeclarationName == "aa");
    }

    [TranscriptFact]
    public async Task Loading_turns_Kiminas_answer_into_targets_at_their_document_positions()
    {
        var (harness, servers) = await KiminaBackendHarness.StartAsync(1);
        await using var _ = harness;
        Script(servers[0]);

        var file = await harness.Backend.LoadFileAsync(Request(), CancellationToken.None);

        Assert.Equal(2, file.Targets.Count);
        var aa = file.Targets[1];
        Assert.Equal("x : Nat\nh1 : x = 2\n⊢ x = 2", aa.Goal);
        Assert.Equal(new Utf16Position(2, 49), aa.Range.Start);
        Assert.Equal("sorry", new SourceText(File).GetText(aa.Range));
        Assert.NotNull(aa.ProofState);
        Assert.StartsWith("kimina:", file.Toolchain, StringComparison.Ordinal);
        Assert.Contains(file.Messages, m => m.Data == "declaration uses `sorry`" && m.Range!.Value.Start.Line == 0);

        // Kimina's ChecksRequest, exactly: snippets with id and code, timeout, debug, reuse.
        var body = JsonNode.Parse(Assert.Single(servers[0].Requests).Body)!.AsObject();
        Assert.Equal(["snippets", "timeout", "debug", "reuse"], body.Select(p => p.Key).ToArray());
        Assert.Equal(File.TrimEnd('\n'), body["snippets"]![0]!["code"]!.GetValue<string>());
        Assert.Equal(5, body["timeout"]!.GetValue<int>());
    }

    [TranscriptFact]
    public async Task A_candidate_is_solved_only_when_its_declaration_has_no_error_and_no_sorry()
    {
        var (harness, servers) = await KiminaBackendHarness.StartAsync(1);
        await using var _ = harness;
        Script(servers[0]);
        var target = await TargetAsync(harness);

        var runs = await harness.Backend.RunTacticsAsync(target.ProofState!, ["assumption", "exact ex", "sorry"], RequestPriority.Interactive, CancellationToken.None);

        Assert.Equal(TacticVerdictKind.Solved, runs[0].Verdict.Kind);
        Assert.Equal(TacticFailureReason.ErrorMessage, runs[1].Verdict.Reason);
        Assert.Equal(TacticVerdictKind.Failed, runs[2].Verdict.Kind);

        // Per candidate: the commands above, then the declaration with the candidate in place of its sorry.
        var snippets = servers[0].Requests.Skip(1).SelectMany(r => r.Snippets).Select(s => s.Code).ToArray();
        Assert.Contains("def f : Nat := by sorry\n\ntheorem aa (x : Nat) (h1 : x  = 2) : x = 2 := by assumption", snippets);
    }

    [TranscriptFact]
    public async Task Busy_and_failing_servers_are_retried_on_another_one()
    {
        var (harness, servers) = await KiminaBackendHarness.StartAsync(2);
        await using var _ = harness;
        Script(servers[0]);
        Script(servers[1]);
        var target = await TargetAsync(harness);
        servers[0].Enqueue(KiminaReply.NoAvailableRepls, KiminaReply.InternalError());
        servers[1].Enqueue(new KiminaReply.Malformed("<html>bad gateway</html>"));

        var runs = await harness.Backend.RunTacticsAsync(target.ProofState!, ["assumption"], RequestPriority.Interactive, CancellationToken.None);

        Assert.Equal(TacticVerdictKind.Solved, runs[0].Verdict.Kind);
        Assert.True(servers.All(s => s.Requests.Count >= 2), "both servers were tried");
    }

    [TranscriptFact]
    public async Task A_remote_timeout_is_a_timeout_never_a_failure_of_the_tactic()
    {
        var (harness, servers) = await KiminaBackendHarness.StartAsync(1, configure: k => k.TimeoutSeconds = 1);
        await using var _ = harness;
        servers[0].Answer("by omega", KiminaReply.TimedOut(1));
        Script(servers[0]);
        var target = await TargetAsync(harness);
        servers[0].Enqueue(new KiminaReply.Hang());

        var hung = await harness.Backend.RunTacticsAsync(target.ProofState!, ["assumption"], RequestPriority.Interactive, CancellationToken.None);
        Assert.Equal(TacticVerdictKind.Timeout, hung[0].Verdict.Kind);
        Assert.False(hung[0].Verdict.IsCacheable);

        await harness.Backend.RestartAllAsync(CancellationToken.None);
        var reported = await harness.Backend.RunTacticsAsync(target.ProofState!, ["omega"], RequestPriority.Interactive, CancellationToken.None);
        Assert.Equal(TacticVerdictKind.Timeout, reported[0].Verdict.Kind);
        Assert.Contains("timed out in 1 seconds", reported[0].Verdict.Detail, StringComparison.Ordinal);
    }

    [TranscriptFact]
    public async Task A_server_that_keeps_failing_is_skipped_and_the_status_says_so()
    {
        var (harness, servers) = await KiminaBackendHarness.StartAsync(2);
        await using var _ = harness;
        Script(servers[0]);
        Script(servers[1]);
        var target = await TargetAsync(harness);
        for (var i = 0; i < 20; i++)
        {
            servers[1].Enqueue(KiminaReply.InternalError("REPL crashed"));
        }

        for (var i = 0; i < 6; i++)
        {
            var runs = await harness.Backend.RunTacticsAsync(target.ProofState!, ["assumption"], RequestPriority.Interactive, CancellationToken.None);
            Assert.Equal(TacticVerdictKind.Solved, runs[0].Verdict.Kind);
        }

        var status = harness.Dispatcher.Status();
        Assert.True(status[0].Healthy);
        Assert.False(status[1].Healthy);
        Assert.Contains("REPL crashed", status[1].LastError, StringComparison.Ordinal);
        Assert.Equal("Kimina (1 of 2 servers healthy)", VerificationBackendRouter.Describe(VerificationBackend.Kimina, status));
        var failedRequests = servers[1].Requests.Count;
        await harness.Backend.RunTacticsAsync(target.ProofState!, ["assumption"], RequestPriority.Interactive, CancellationToken.None);
        Assert.Equal(failedRequests, servers[1].Requests.Count);
    }

    [TranscriptFact]
    public async Task When_every_server_is_down_candidates_are_unavailable_not_failed()
    {
        var (harness, servers) = await KiminaBackendHarness.StartAsync(1);
        await using var _ = harness;
        Script(servers[0]);
        var target = await TargetAsync(harness);
        for (var i = 0; i < 10; i++)
        {
            servers[0].Enqueue(KiminaReply.InternalError());
        }

        var runs = await harness.Backend.RunTacticsAsync(target.ProofState!, ["assumption"], RequestPriority.Interactive, CancellationToken.None);
        Assert.Equal(TacticVerdictKind.Unavailable, runs[0].Verdict.Kind);
        Assert.False(runs[0].Verdict.IsCacheable);
    }

    [TranscriptFact]
    public async Task The_api_key_goes_as_a_bearer_token_and_a_wrong_one_is_not_retried()
    {
        var (harness, servers) = await KiminaBackendHarness.StartAsync(1);
        await using var _ = harness;
        Script(servers[0]);
        servers[0].ExpectedApiKey = "test-kimina-key";
        var refused = await harness.Backend.LoadFileAsync(Request(), CancellationToken.None);
        Assert.Equal(LeanLoadFailure.NotStarted, refused.Failure);
        Assert.Contains("Missing API key", refused.Problems[0], StringComparison.Ordinal);
        Assert.Single(servers[0].Requests);

        harness.ApiKey.SetFromEditor("test-kimina-key");
        var loaded = await harness.Backend.LoadFileAsync(Request(), CancellationToken.None);
        Assert.True(loaded.IsComplete);
        Assert.Equal("Bearer test-kimina-key", servers[0].Requests[^1].Headers["Authorization"]);
    }

    [TranscriptFact]
    public async Task Cancelling_aborts_the_HTTP_request()
    {
        var (harness, servers) = await KiminaBackendHarness.StartAsync(1, configure: k => k.TimeoutSeconds = 600);
        await using var _ = harness;
        Script(servers[0]);
        var target = await TargetAsync(harness);
        servers[0].Latency = TimeSpan.FromMinutes(5);
        using var cancel = new CancellationTokenSource();
        var run = harness.Backend.RunTacticsAsync(target.ProofState!, ["assumption"], RequestPriority.Interactive, cancel.Token);
        var request = await WaitForAsync(() => servers[0].Requests.Count >= 2 ? servers[0].Requests[1] : null);

        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
        await WaitForAsync(() => request.Aborted ? request : null);
    }

    [TranscriptFact]
    public async Task Candidates_spread_over_two_and_four_servers_least_loaded_first()
    {
        foreach (var count in new[] { 2, 4 })
        {
            var (harness, servers) = await KiminaBackendHarness.StartAsync(count, repls: 2, configure: k => k.BatchSize = 2);
            await using var _ = harness;
            foreach (var server in servers)
            {
                Script(server);
                server.Latency = TimeSpan.FromMilliseconds(50);
            }

            var target = await TargetAsync(harness);
            var tactics = Enumerable.Range(0, 4 * count).Select(i => i == 0 ? "assumption" : $"exact ex{i}").ToArray();
            var runs = await harness.Backend.RunTacticsAsync(target.ProofState!, tactics, RequestPriority.Interactive, CancellationToken.None);

            Assert.Equal(TacticVerdictKind.Solved, runs[0].Verdict.Kind);
            Assert.All(runs.Skip(1), r => Assert.Equal(TacticVerdictKind.Failed, r.Verdict.Kind));
            Assert.All(servers, s => Assert.True(s.SnippetsChecked >= 2, $"{s.BaseAddress} checked {s.SnippetsChecked} of {tactics.Length} candidates"));
            Assert.Equal(tactics.Length + 1, servers.Sum(s => s.SnippetsChecked));
        }
    }

    [TranscriptFact]
    public async Task A_declaration_with_other_sorries_is_not_sent()
    {
        var (harness, servers) = await KiminaBackendHarness.StartAsync(1);
        await using var _ = harness;
        const string twoSorries = "theorem aa (x : Nat) (h1 : x  = 2) : x = 2 := by sorry\n";
        var recorded = RecordedReplAnswers.Get("assumption_proof", 0);
        var sorries = recorded["sorries"]!.AsArray();
        sorries.Add(sorries[0]!.DeepClone());
        servers[0].Answer("theorem aa", new KiminaReply.Repl(recorded));
        var file = await harness.Backend.LoadFileAsync(Request(twoSorries), CancellationToken.None);

        var runs = await harness.Backend.RunTacticsAsync(file.Targets[0].ProofState!, ["assumption"], RequestPriority.Interactive, CancellationToken.None);

        Assert.Equal(TacticVerdictKind.Unavailable, runs[0].Verdict.Kind);
        Assert.Contains("2 sorries", runs[0].Verdict.Detail, StringComparison.Ordinal);
        Assert.Single(servers[0].Requests);
    }

    private static async Task<T> WaitForAsync<T>(Func<T?> probe)
        where T : class
    {
        var deadline = DateTime.UtcNow + Patience;
        while (DateTime.UtcNow < deadline)
        {
            if (probe() is { } value)
            {
                return value;
            }

            await Task.Delay(20);
        }

        throw new TimeoutException("The condition did not hold in time.");
    }
}
