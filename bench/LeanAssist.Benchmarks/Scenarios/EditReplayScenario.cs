using System.Text.Json.Nodes;
using LeanAssist.Benchmarks.Workloads;

namespace LeanAssist.Benchmarks.Scenarios;

public sealed record EditReplayParameters(StandInCostModel Cost, int Sessions, double LlmMilliseconds);

/// <summary>What one phase of the replay cost: Lean and LLM calls, and how long until every lightbulb was ready again.</summary>
public sealed record EditPhase(string Name, string What, int Keystrokes, int LeanRequests, int LlmCalls, TimeSpan UntilReady);

public sealed record EditReplayResult(
    IReadOnlyList<EditPhase> Phases,
    LatencyStats CodeActionWait,
    double VerdictHitRate,
    long VerdictLookups,
    double LlmHitRate,
    long LlmLookups);

/// <summary>
/// A recorded editing session on a 20-sorry file, against the real server process over stdio: typing
/// below every declaration, inside one declaration, above all of them (and undoing it), then asking the
/// LLM explicitly at four sorries twice. After every keystroke the editor asks for code actions at the
/// sorry near the cursor (as VS Code does when the lightbulb is shown); those waits are the numbers that
/// matter for "never slows the editor". Lean and LLM calls are counted where they arrive (the stand-in's
/// log, the LLM server).
/// </summary>
public static class EditReplayScenario
{
    public static async Task<EditReplayResult> RunAsync(EditReplayParameters parameters, CancellationToken cancellationToken)
    {
        await using var llm = await BenchLlm.StartAsync(parameters.LlmMilliseconds, cancellationToken).ConfigureAwait(false);
        var settings = BenchLlm.AddEditorSettings(new JsonObject
        {
            ["repl"] = new JsonObject { ["sessions"] = parameters.Sessions, ["requestTimeoutSeconds"] = 60, ["headerTimeoutSeconds"] = 120 },
            ["prefetchIdleMs"] = 300,
        }, llm);
        var script = TwentySorries.Script(parameters.Cost);
        await using var editor = await EditorSession.StartAsync(script, settings).ConfigureAwait(false);
        var waits = new List<TimeSpan>();
        var phases = new List<EditPhase>();
        var timeout = TimeSpan.FromSeconds(parameters.Cost.HeaderSeconds * 2 + 180);

        async Task Phase(string name, string what, int keystrokes, Func<Task> edits)
        {
            var lean = editor.Log.Requests.Count;
            var calls = llm.Requests.Count;
            var clock = System.Diagnostics.Stopwatch.StartNew();
            await edits().ConfigureAwait(false);
            await editor.WaitUntilAllKnownAsync(timeout).ConfigureAwait(false);
            phases.Add(new EditPhase(name, what, keystrokes, editor.Log.Requests.Count - lean, llm.Requests.Count - calls, clock.Elapsed));
        }

        async Task AskAt(int sorry)
        {
            var (_, waited) = await editor.CodeActionsAsync(editor.Sorries()[sorry]).ConfigureAwait(false);
            waits.Add(waited);
        }

        await Phase("open", "open the file: background prefetch of all 20 sorries (cold: header import, every command, every candidate)", 0,
            () => editor.OpenAsync("Twenty.lean", TwentySorries.File())).ConfigureAwait(false);

        const string below = "\n-- a remark typed below every declaration\n";
        await Phase("type below", "type a comment after the last declaration", below.Length,
            () => editor.TypeAsync(editor.Text.Length, below, () => AskAt(19))).ConfigureAwait(false);

        const string inside = "  -- a step in theorem 15\n";
        await Phase("type inside", "type a line inside the 15th declaration's proof (before its sorry)", inside.Length,
            () => editor.TypeAsync(editor.Text.IndexOf("theorem swap_13", StringComparison.Ordinal) is var d and >= 0
                ? editor.Text.IndexOf("  sorry", d, StringComparison.Ordinal)
                : throw new InvalidOperationException("theorem swap_13 not found"), inside, () => AskAt(14))).ConfigureAwait(false);

        const string above = "def helper : ℕ := 0\n\n";
        var aboveAt = editor.Text.IndexOf("theorem arith_0", StringComparison.Ordinal);
        await Phase("type above", "type a definition above every declaration", above.Length,
            () => editor.TypeAsync(aboveAt, above, () => AskAt(4))).ConfigureAwait(false);

        await Phase("undo above", "delete that definition again (one change, like undo)", 1,
            () => editor.ReplaceAsync(aboveAt, aboveAt + above.Length, string.Empty)).ConfigureAwait(false);

        int[] explicitTargets = [0, 1, 2, 3];
        foreach (var round in new[] { "ask the LLM", "ask the LLM again" })
        {
            await Phase(round, "explicit suggest (the command, LLM included) at one sorry of each kind", 0, async () =>
            {
                foreach (var sorry in explicitTargets)
                {
                    var position = editor.Sorries()[sorry];
                    await editor.Client.RequestResultAsync("workspace/executeCommand", new JsonObject
                    {
                        ["command"] = "leanAssist.suggest",
                        ["arguments"] = new JsonArray(new JsonObject { ["uri"] = editor.Uri, ["position"] = new JsonObject { ["line"] = position.Line, ["character"] = position.Character } }),
                    }, timeout).ConfigureAwait(false);
                }
            }).ConfigureAwait(false);
        }

        // The server's own cache statistics: a lookup counted once, a hit in either layer a hit.
        var cache = (await editor.Client.RequestResultAsync("leanAssist/metrics").ConfigureAwait(false))!["status"]!["cache"]!;
        var verdictHits = cache["verdictHits"]!.GetValue<long>();
        var verdictLookups = cache["verdictLookups"]!.GetValue<long>();
        var llmHits = cache["llmHits"]!.GetValue<long>();
        var llmLookups = cache["llmLookups"]!.GetValue<long>();
        return new EditReplayResult(phases, LatencyStats.From(waits), verdictLookups == 0 ? 0 : (double)verdictHits / verdictLookups, verdictLookups,
            llmLookups == 0 ? 0 : (double)llmHits / llmLookups, llmLookups);
    }
}
