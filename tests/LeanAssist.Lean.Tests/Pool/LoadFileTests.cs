using LeanAssist.Lean.Repl;
using LeanAssist.Lean.Sessions;
using LeanAssist.Lean.Text;
using LeanAssist.Testing;

namespace LeanAssist.Lean.Tests.Pool;

/// <summary>Loading files into warm sessions: targets, positions, fingerprints and environment reuse.</summary>
public sealed class LoadFileTests
{
    [Fact]
    public async Task Targets_carry_goals_exact_document_ranges_and_their_declarations()
    {
        await using var harness = PoolHarness.Create();
        var text = new SourceText(PoolHarness.StandardFile);

        var file = await harness.LoadAsync(text.Text);

        Assert.True(file.IsComplete, string.Join("; ", file.Problems));
        Assert.Equal(["import Mathlib.Tactic"], file.Imports);
        var sorries = file.Targets.Where(t => t.Kind == LeanTargetKind.Sorry).ToList();
        Assert.Equal(["add_comm'", "τ_lemma"], sorries.Select(t => t.DeclarationName));
        Assert.All(sorries, t => Assert.Equal("sorry", text.GetText(t.Range)));
        Assert.Equal("a b : ℕ\n⊢ a + b = b + a", sorries[0].Goal);
        Assert.Equal("h : True\n⊢ ¬False", sorries[1].Goal);
        Assert.Equal(new LeanPosition(6, 2), sorries[0].LeanStart);
        Assert.Equal(new LeanPosition(11, 12), sorries[1].LeanStart);
        Assert.StartsWith("/-- Commutativity. -/\ntheorem add_comm'", sorries[0].DeclarationText, StringComparison.Ordinal);
        Assert.All(sorries, t => Assert.NotNull(t.ProofState));

        // The verdict key splits each declaration at its target: what is above it in the declaration, and the rest.
        Assert.All(sorries, t => Assert.StartsWith("sorry", t.DeclarationTextFrom, StringComparison.Ordinal));
        Assert.EndsWith("intro h2; ", sorries[1].DeclarationTextBefore, StringComparison.Ordinal);
        Assert.Equal(sorries[1].DeclarationText, sorries[1].DeclarationTextBefore + sorries[1].DeclarationTextFrom);

        // Fingerprints chain: each declaration's environment-before is the previous command's fingerprint.
        Assert.Equal(file.HeaderFingerprint, file.Commands[0].EnvironmentBefore);
        Assert.Equal(file.Commands[1].Fingerprint, sorries[1].EnvironmentBefore);
    }

    [Fact]
    public async Task Unsolved_goals_errors_are_targets_without_a_proof_state()
    {
        await using var harness = PoolHarness.Create();
        var text = new SourceText(PoolHarness.StandardFile);

        var file = await harness.LoadAsync(text.Text);

        var unsolved = Assert.Single(file.Targets, t => t.Kind == LeanTargetKind.UnsolvedGoals);
        Assert.Equal("⊢ Nat", unsolved.Goal);
        Assert.Equal("broken", unsolved.DeclarationName);
        Assert.Null(unsolved.ProofState);
        Assert.Equal("by", text.GetText(unsolved.Range));
        Assert.Contains(file.Messages, m => m.Severity == ReplSeverity.Error && m.Data.StartsWith("unsolved goals", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Only_the_header_is_sent_without_an_environment_and_each_command_builds_on_the_one_before()
    {
        await using var harness = PoolHarness.Create();

        await harness.LoadAsync(PoolHarness.StandardFile);

        var requests = harness.Log.Requests;
        var header = Assert.Single(requests, r => r.GetProperty("kind").GetString() == "header");
        Assert.Equal("import Mathlib.Tactic", header.GetProperty("cmd").GetString());
        var commands = requests.Where(r => r.GetProperty("kind").GetString() == "command").ToList();
        Assert.Equal(3, commands.Count);
        Assert.Equal([0, 1, 2], commands.Select(c => c.GetProperty("env").GetInt32()));
    }

    [Fact]
    public async Task A_warm_repeat_of_the_same_text_makes_no_Lean_request()
    {
        await using var harness = PoolHarness.Create();
        var first = await harness.LoadAsync(PoolHarness.StandardFile);
        var requestsAfterFirst = harness.Log.Requests.Count;

        var second = await harness.LoadAsync(PoolHarness.StandardFile);

        Assert.True(first.LeanRequests > 0);
        Assert.Equal(0, second.LeanRequests);
        Assert.Equal(requestsAfterFirst, harness.Log.Requests.Count);
        Assert.Equal(first.Targets.Select(t => t.Id), second.Targets.Select(t => t.Id));
    }

    [Fact]
    public async Task A_load_that_needs_Lean_starts_every_session_of_its_header_not_only_the_one_that_elaborates()
    {
        await using var harness = PoolHarness.Create(configure: o => o.Sessions = 3);

        await harness.LoadAsync(PoolHarness.StandardFile);

        // No tactic was asked for yet: the other sessions import the header alongside the first.
        await Eventually.TrueAsync(() => harness.Pool.Snapshot.Warm == 3, TimeSpan.FromSeconds(30), "3 warm sessions after one load");
        Assert.Equal(3, harness.Log.ProcessesStarted);
    }

    [Fact]
    public async Task After_a_restart_a_file_whose_outcomes_are_on_disk_loads_without_starting_Lean()
    {
        using var outcomes = new TemporaryDirectory();
        await using var before = PoolHarness.Create(configure: o => o.OutcomeCacheDirectory = outcomes.Path);
        var first = await before.LoadAsync(PoolHarness.StandardFile);
        await before.Pool.DisposeAsync();
        var requestsBefore = before.Log.Requests.Count;

        // A new pool (a restarted server): same project, same REPL command, same outcome store.
        await using var after = PoolHarness.Create(configure: o =>
        {
            o.OutcomeCacheDirectory = outcomes.Path;
            o.Command = before.Options.CurrentValue.Command;
        });
        var file = await after.Pool.LoadFileAsync(new LeanFileRequest(before.ProjectRoot, Path.Combine(before.ProjectRoot, "Test.lean"), new SourceText(PoolHarness.StandardFile), RequestPriority.Interactive), CancellationToken.None);

        // Another header needs Lean, so the pool plans session starts: none may be for the cached file.
        await after.Pool.WarmUpAsync(before.ProjectRoot, new SourceText("import Std\n"), CancellationToken.None);
        await Eventually.TrueAsync(() => after.Pool.Snapshot.Warm >= 1, TimeSpan.FromSeconds(30), "a warm session for the other header");

        Assert.Equal(0, file.LeanRequests);
        Assert.Equal(first.Targets.Select(t => t.Goal), file.Targets.Select(t => t.Goal));
        Assert.Single(after.Pool.Snapshot.Sessions);
        Assert.Equal(["import Std"], before.Log.Requests.Skip(requestsBefore).Select(r => r.GetProperty("cmd").GetString()));
    }

    [Fact]
    public async Task An_edit_below_a_declaration_keeps_its_environment_and_an_edit_above_invalidates_it()
    {
        await using var harness = PoolHarness.Create();
        var original = await harness.LoadAsync(PoolHarness.StandardFile);
        var before = harness.Log.CountRequests("command");

        // Below add_comm': only the last declaration changes.
        var below = PoolHarness.StandardFile.Replace("intro h2; sorry", "intro h3; sorry", StringComparison.Ordinal);
        var edited = await harness.LoadAsync(below);
        Assert.Equal(before + 1, harness.Log.CountRequests("command"));
        Assert.Equal(original.Targets[0].Id, edited.Targets[0].Id);
        Assert.Equal(original.Targets[0].EnvironmentBefore, edited.Targets[0].EnvironmentBefore);

        // Above everything: every command's fingerprint changes.
        var above = below.Replace("/-- Commutativity. -/\n", "def helper := 1\n\n/-- Commutativity. -/\n", StringComparison.Ordinal);
        var reloaded = await harness.LoadAsync(above);
        Assert.Equal(before + 1 + 4, harness.Log.CountRequests("command"));
        Assert.NotEqual(edited.Targets[0].EnvironmentBefore, reloaded.Targets.First(t => t.DeclarationName == "add_comm'").EnvironmentBefore);
    }

    [Fact]
    public async Task Comments_between_declarations_change_no_fingerprint_but_ranges_follow_the_text()
    {
        await using var harness = PoolHarness.Create();
        var original = await harness.LoadAsync(PoolHarness.StandardFile);
        var requests = harness.Log.Requests.Count;

        var commented = PoolHarness.StandardFile.Replace("def broken", "-- a new comment\n-- over two lines\ndef broken", StringComparison.Ordinal);
        var text = new SourceText(commented);
        var reloaded = await harness.LoadAsync(commented);

        Assert.Equal(requests, harness.Log.Requests.Count);
        Assert.Equal(original.Targets.Select(t => t.Id), reloaded.Targets.Select(t => t.Id));
        Assert.All(reloaded.Targets.Where(t => t.Kind == LeanTargetKind.Sorry), t => Assert.Equal("sorry", text.GetText(t.Range)));
        Assert.Equal(original.Targets[^1].Range.Start.Line + 2, reloaded.Targets[^1].Range.Start.Line);
    }

    [Fact]
    public async Task Crlf_files_and_astral_characters_map_back_to_exact_editor_ranges()
    {
        await using var harness = PoolHarness.Create();
        var crlf = "import Mathlib.Tactic\r\n\r\ntheorem 𝔽_lemma (x : 𝔽) : x = x := by\r\n  simp only []; sorry\r\n";
        var text = new SourceText(crlf);

        var file = await harness.LoadAsync(crlf);

        var target = Assert.Single(file.Targets);
        Assert.Equal("sorry", text.GetText(target.Range));
        Assert.Equal(new Utf16Position(3, 16), target.Range.Start);
        Assert.Equal(new LeanPosition(4, 16), target.LeanStart);
        Assert.Equal("x : 𝔽\n⊢ x = x", target.Goal);
        var sent = harness.Log.Requests.Single(r => r.GetProperty("kind").GetString() == "command").GetProperty("cmd").GetString()!;
        Assert.DoesNotContain('\r', sent);
    }

    [Fact]
    public async Task A_command_that_hangs_is_named_in_the_problem_and_the_targets_above_it_are_kept()
    {
        var script = """{ "commands": [ { "pattern": "^theorem hangs", "fault": "hang" } ] }""";
        await using var harness = PoolHarness.Create(script, o => o.RequestTimeoutSeconds = 1.5);
        var text = "theorem first : True := by\n  sorry\n\ntheorem hangs : True := by\n  decide\n\ntheorem after : True := by\n  sorry\n";

        var file = await harness.LoadAsync(text);

        Assert.False(file.IsComplete);
        Assert.Equal(LeanLoadFailure.Partial, file.Failure);
        var problem = Assert.Single(file.Problems);
        Assert.Contains("did not answer within 1.5 s", problem, StringComparison.Ordinal);
        Assert.Contains("theorem hangs : True := by", problem, StringComparison.Ordinal);
        Assert.Equal(["first"], file.Targets.Select(t => t.DeclarationName));
        Assert.Equal(1, harness.Log.Requests.Count(r => r.TryGetProperty("cmd", out var c) && c.GetString()!.StartsWith("theorem hangs", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_file_whose_imports_fail_reports_the_problem_instead_of_targets()
    {
        await using var harness = PoolHarness.Create(standInArguments: ["--fault", "dieDuringHeader"]);

        var file = await harness.LoadAsync(PoolHarness.StandardFile);

        Assert.False(file.IsComplete);
        Assert.Equal(LeanLoadFailure.NotStarted, file.Failure);
        Assert.Empty(file.Targets);
        var problem = Assert.Single(file.Problems);
        Assert.Contains("could not start", problem, StringComparison.Ordinal);
        Assert.Contains("died while importing", problem, StringComparison.Ordinal);
        Assert.Equal(2, harness.Log.ProcessesStarted);
    }

    [Fact]
    public async Task Imports_that_Lean_refuses_are_told_apart_from_Lean_not_starting()
    {
        var script = """
            { "headerSeconds": 0.01,
              "commands": [ { "pattern": "^import Missing", "messages": [ { "severity": "error", "at": "import", "data": "unknown module prefix 'Missing'" } ] } ] }
            """;
        await using var harness = PoolHarness.Create(script);

        var broken = await harness.LoadAsync("import Missing.Module\n\ntheorem t : True := by\n  sorry\n");
        var fine = await harness.LoadAsync("theorem t : True := by\n  sorry\n");

        Assert.Equal(LeanLoadFailure.Imports, broken.Failure);
        Assert.Contains("unknown module prefix 'Missing'", Assert.Single(broken.Problems), StringComparison.Ordinal);
        Assert.Empty(broken.Targets);
        Assert.Equal(LeanLoadFailure.None, fine.Failure);
        Assert.True(fine.IsComplete);
    }
}
