using System.Text;
using LeanAssist.Lean.Sessions;
using LeanAssist.Server.Prove;
using LeanAssist.Suggestions.Verification;
using LeanAssist.Testing;
using LeanAssist.Testing.Hosting;
using LeanAssist.Testing.Llm;

namespace LeanAssist.Server.Tests.Verification;

/// <summary>End to end: the scripted REPL stand-in as Lean, the local LLM server as the LLM, the real pipeline between.</summary>
public sealed class PipelineTests
{
    /// <summary>
    /// Goals come from the stand-in's fallback ("binders ⊢ statement") or, for the traps, from the table.
    /// Tactics not listed fail with an error, as most automation does on the wrong goal.
    /// </summary>
    internal const string Script = """
        {
          "headerSeconds": 0.05, "commandMs": 1, "tacticMs": 5,
          "goals": [
            { "declaration": "kernel_trap", "goals": ["⊢ KernelTrap 1"] },
            { "declaration": "sorry_trap", "goals": ["⊢ SorryTrap"] },
            { "declaration": "slow_goal", "goals": ["⊢ SlowGoal"] },
            { "declaration": "crash_goal", "goals": ["⊢ CrashGoal"] },
            { "declaration": "uses_exact", "goals": ["n : Nat\n⊢ n ≤ n + 1"] }
          ],
          "commands": [
            { "pattern": "intro h$", "noSorries": true,
              "messages": [ { "severity": "error", "line": 1, "column": 50, "endLine": 2, "endColumn": 9, "data": "unsolved goals\np : Prop\nhp h : p\n⊢ p" } ] }
          ],
          "tactics": [
            { "tactic": "omega", "goalPattern": "\\+ 0 = n", "result": "completed" },
            { "tactic": "constructor", "goalPattern": "p ∧ q", "result": "progress", "goals": ["case left\np q : Prop\nhp : p\nhq : q\n⊢ p", "case right\np q : Prop\nhp : p\nhq : q\n⊢ q"] },
            { "tactic": "decide", "goalPattern": "KernelTrap", "result": "kernelError", "message": "(kernel) declaration has free variables '[anonymous]'" },
            { "tactic": "trivial", "goalPattern": "SorryTrap", "result": "sorry" },
            { "tactic": "rfl", "goalPattern": "SlowGoal", "result": "completed", "latencyMs": 8000 },
            { "tactic": "rfl", "goalPattern": "CrashGoal", "fault": "crash" },
            { "tactic": "exact?", "goalPattern": "≤ n \\+ 1", "result": "completed", "info": "Try this: exact Nat.le_succ n" },
            { "tactic": "exact Nat.le_succ n", "result": "completed" },
            { "tactic": "exact ⟨hp, hq⟩", "result": "completed" },
            { "tactic": "norm_num", "goalPattern": "KernelTrap", "result": "completed" },
            { "tactic": "native_decide", "result": "completed" },
            { "tactic": "assumption", "goalPattern": "p → p", "result": "completed" }
          ],
          "defaultTactic": { "result": "error", "message": "tactic failed (stand-in: no rule)" }
        }
        """;

    internal const string Theorems = """
        theorem plus_zero (n : Nat) : n + 0 = n := by
          sorry

        theorem swap (p q : Prop) (hp : p) (hq : q) : p ∧ q := by
          sorry

        theorem kernel_trap : KernelTrap 1 := by
          sorry

        theorem sorry_trap : SorryTrap := by
          sorry

        theorem uses_exact (n : Nat) : n ≤ n + 1 := by
          sorry

        """;

    private static ProvedTarget Target(ProveReport report, int line) => report.Files.Single().Targets.Single(t => t.Line == line);

    [Fact]
    public async Task Statuses_are_honest_solved_progress_and_unsolved()
    {
        await using var host = PipelineHost.Start(Script);
        host.WriteLeanFile("Theorems.lean", Theorems);

        var report = await host.ProveAsync();

        var plusZero = Target(report, 2);
        Assert.Equal("solved", plusZero.Status);
        Assert.Equal("omega", plusZero.Tactic);
        Assert.Equal("n : Nat\n⊢ n + 0 = n", plusZero.Goal);
        Assert.Equal(2, plusZero.Column);

        var swap = Target(report, 5);
        Assert.Equal("progress", swap.Status);
        Assert.Equal("constructor", swap.Tactic);

        // A kernel error ("Error: ...", goals: []) and a sorry-containing answer are failures, never solved.
        var kernel = Target(report, 8);
        Assert.Equal("unsolved", kernel.Status);
        var decide = kernel.Candidates.Single(c => c.Tactic == "decide");
        Assert.Equal("failed", decide.Verdict);
        Assert.Contains("kernel", decide.Error);

        var sorry = Target(report, 11);
        Assert.Equal("unsolved", sorry.Status);
        Assert.Contains("sorry", sorry.Candidates.Single(c => c.Tactic == "trivial").Error);

        // exact? said "Try this: exact Nat.le_succ n": that tactic was verified on its own.
        var usesExact = Target(report, 14);
        Assert.Equal("solved", usesExact.Status);
        var named = usesExact.Candidates.Single(c => c.Tactic == "exact Nat.le_succ n");
        Assert.Equal(("solved", "try-this"), (named.Verdict, named.Source));

        Assert.Equal((5, 2, 1, 2), (report.Summary.Targets, report.Summary.Solved, report.Summary.ProgressOnly, report.Summary.Unsolved));
        Assert.All(report.Files.Single().Targets.SelectMany(t => t.Candidates), c => Assert.NotEqual("rejected", c.Verdict));
    }

    [Fact]
    public async Task A_second_run_after_a_restart_does_no_Lean_and_no_LLM_work()
    {
        await using var llm = await LocalLlmServer.StartAsync();
        llm.DefaultReply = LlmReply.Success("```lean\nexact ⟨hp, hq⟩\n```", new ScriptedUsage(120, 30));
        ProveReport first;
        TemporaryDirectory project;
        string caches;
        await using (var host = PipelineHost.Start(Script, llm: llm))
        {
            host.WriteLeanFile("Theorems.lean", Theorems);
            first = await host.ProveAsync(useLlm: true);
            project = host.Project;
            caches = host.CacheDirectory;
        }

        var leanRequests = new StandInLog(project.Combine("standin.log")).Entries.Count;
        var llmRequests = llm.Requests.Count;
        Assert.True(leanRequests > 0 && llmRequests > 0);

        await using var restarted = PipelineHost.Start(Script, project: project, cacheDirectory: caches, llm: llm);
        var second = await restarted.ProveAsync(useLlm: true);

        Assert.Equal(leanRequests, restarted.Log.Entries.Count);
        Assert.Equal(llmRequests, llm.Requests.Count);
        Assert.Equal(0, second.Summary.LeanRuns);
        Assert.Equal(0, second.Summary.LlmCalls);
        Assert.Equal(second.Summary.VerdictCacheHits, second.Files.Single().Targets.Sum(t => t.Candidates.Count(c => c.Verdict != "rejected")));
        Assert.Equal(first.Files.Single().Targets.Select(t => (t.Status, t.Tactic)), second.Files.Single().Targets.Select(t => (t.Status, t.Tactic)));
        var verified = second.Files.Single().Targets.SelectMany(t => t.Candidates).Where(c => c.Verdict != "rejected").ToArray();
        Assert.NotEmpty(verified);
        Assert.All(verified, c => Assert.True(c.FromCache));
        project.Dispose();
    }

    [Fact]
    public async Task A_timeout_is_reported_as_such_remembered_and_not_run_again_for_a_while()
    {
        const string file = "theorem slow_goal : SlowGoal := by\n  sorry\n";
        await using var host = PipelineHost.Start(Script, settings: [new("LeanAssist:repl:requestTimeoutSeconds", "1"), new("LeanAssist:repl:sessions", "1")]);
        var path = host.WriteLeanFile("Slow.lean", file);

        var (_, first) = await host.SuggestAllAsync(path);
        var (_, second) = await host.SuggestAllAsync(path);
        var (_, third) = await host.SuggestAllAsync(path);
        await WaitForOneWarmSessionAsync(host);

        var rfl = first.Single().Suggestions.Single(s => s.Tactic == "rfl");
        Assert.Equal((SuggestionVerdict.TimedOut, false), (rfl.Verdict, rfl.FromCache));
        foreach (var again in new[] { second, third }.Select(r => r.Single().Suggestions.Single(s => s.Tactic == "rfl")))
        {
            Assert.Equal((SuggestionVerdict.TimedOut, true, SuggestionService.TimedOutEarlier), (again.Verdict, again.FromCache, again.Error));
        }

        // The timeout killed one session (its replacement imported the header again); the skipped runs killed none.
        Assert.Equal(2, host.Log.ProcessesStarted);
        Assert.Equal(2, host.Log.CountRequests("header"));
    }

    private static Task WaitForOneWarmSessionAsync(PipelineHost host) =>
        Eventually.TrueAsync(() => host.Get<ILeanSessionPool>().Snapshot is { Warm: 1, Starting: 0, Busy: 0 }, TimeSpan.FromSeconds(30), "one warm session");

    [Fact]
    public async Task With_the_timeout_memory_off_every_run_runs_the_tactic_again_and_pays_a_header_import()
    {
        const string file = "theorem slow_goal : SlowGoal := by\n  sorry\n";
        await using var host = PipelineHost.Start(Script, settings:
            [new("LeanAssist:repl:requestTimeoutSeconds", "1"), new("LeanAssist:repl:sessions", "1"), new("LeanAssist:timeouts:skipMinutes", "0")]);
        var path = host.WriteLeanFile("Slow.lean", file);

        await host.SuggestAllAsync(path);
        await host.SuggestAllAsync(path);
        var (_, third) = await host.SuggestAllAsync(path);
        await WaitForOneWarmSessionAsync(host);

        var again = third.Single().Suggestions.Single(s => s.Tactic == "rfl");
        Assert.Equal((SuggestionVerdict.TimedOut, false), (again.Verdict, again.FromCache));
        // Each of the three timeouts killed the session; each replacement imported the header again.
        Assert.Equal(4, host.Log.ProcessesStarted);
        Assert.Equal(4, host.Log.CountRequests("header"));
    }

    [Fact]
    public async Task A_crash_in_the_middle_of_a_batch_still_gives_every_candidate_a_verdict()
    {
        await using var host = PipelineHost.Start(Script);
        var path = host.WriteLeanFile("Crash.lean", "theorem crash_goal : CrashGoal := by\n  sorry\n\ntheorem plus_zero (n : Nat) : n + 0 = n := by\n  sorry\n");

        var (_, results) = await host.SuggestAllAsync(path);

        var crashing = results[0].Suggestions;
        Assert.True(crashing.Count > 3);
        var rfl = crashing.Single(s => s.Tactic == "rfl");
        Assert.Equal(SuggestionVerdict.Failed, rfl.Verdict);
        Assert.Contains("crashed", rfl.Error);
        Assert.All(crashing.Where(s => s.Tactic != "rfl"), s => Assert.Equal(SuggestionVerdict.Failed, s.Verdict));
        Assert.Equal(TargetOutcome.Solved, results[1].Outcome);
        Assert.True(host.Log.ProcessesStarted >= 3, $"the crashed sessions were replaced ({host.Log.ProcessesStarted} processes)");
    }

    [Fact]
    public async Task Write_replaces_only_solved_sorries_and_keeps_bom_and_crlf()
    {
        await using var host = PipelineHost.Start(Script);
        var original = Theorems.Replace("\n", "\r\n", StringComparison.Ordinal) + "-- trailing comment ⊢ 𝔽\r\n";
        var path = host.Project.Combine("Written.lean");
        await File.WriteAllBytesAsync(path, [.. Encoding.UTF8.Preamble, .. Encoding.UTF8.GetBytes(original)]);

        var report = await host.ProveAsync(write: true);
        var bytes = await File.ReadAllBytesAsync(path);

        Assert.True(report.Files.Single().Written);
        Assert.True(bytes.AsSpan().StartsWith(Encoding.UTF8.Preamble));
        var expected = original
            .Replace("n + 0 = n := by\r\n  sorry", "n + 0 = n := by\r\n  omega", StringComparison.Ordinal)
            .Replace("n ≤ n + 1 := by\r\n  sorry", "n ≤ n + 1 := by\r\n  exact Nat.le_succ n", StringComparison.Ordinal);
        Assert.Equal(expected, Encoding.UTF8.GetString(bytes.AsSpan(3)));

        // The rewritten file has three sorries left, all unsolved: a second run writes nothing.
        var again = await host.ProveAsync(write: true);
        Assert.Equal(3, again.Summary.Targets);
        Assert.False(again.Files.Single().Written);
        Assert.Equal(bytes, await File.ReadAllBytesAsync(path));
        Assert.Empty(Directory.GetFiles(host.Project.Path, "*.tmp"));
    }

    [Fact]
    public async Task LLM_candidates_are_verified_and_carry_their_share_of_the_cost()
    {
        await using var llm = await LocalLlmServer.StartAsync();
        llm.DefaultReply = LlmReply.Success("Two options:\n1. ```lean\nexact ⟨hp, hq⟩\n```\n2. ```lean\nexact And.intro hp hq\n```", new ScriptedUsage(1000, 200));
        await using var host = PipelineHost.Start(Script, llm: llm, settings:
        [
            new("LeanAssist:prices:0:model", "stand-in-model"),
            new("LeanAssist:prices:0:inputPerMillion", "2"),
            new("LeanAssist:prices:0:outputPerMillion", "10"),
        ]);
        var path = host.WriteLeanFile("Swap.lean", "theorem swap (p q : Prop) (hp : p) (hq : q) : p ∧ q := by\n  sorry\n");

        var (_, results) = await host.SuggestAllAsync(path, useLlm: true);

        var result = results.Single();
        Assert.True(result.Outcome == TargetOutcome.Solved, string.Join("\n", result.Suggestions.Select(s => $"{s.Tactic} {s.Verdict} {s.Source} {s.Error}")) + string.Join("\n", result.Problems));
        var best = result.Best!;
        Assert.Equal(("exact ⟨hp, hq⟩", "llm"), (best.Tactic, best.Source));
        Assert.NotNull(best.Llm);
        Assert.Equal(0.004m / 2, best.Llm!.CostUsd);
        Assert.Equal(0.004m, result.Costs.CostUsd);
        Assert.Equal((1000, 200, 1), (result.Costs.InputTokens, result.Costs.OutputTokens, result.Costs.LlmCalls));
        var prompt = llm.Requests.Single().Text();
        Assert.Contains("⊢ p ∧ q", prompt);
    }

    [Fact]
    public async Task Background_requests_never_call_the_LLM()
    {
        await using var llm = await LocalLlmServer.StartAsync();
        await using var host = PipelineHost.Start(Script, llm: llm);
        var path = host.WriteLeanFile("Swap.lean", "theorem swap (p q : Prop) (hp : p) (hq : q) : p ∧ q := by\n  sorry\n");

        var (_, results) = await host.SuggestAllAsync(path, useLlm: false);

        Assert.Empty(llm.Requests);
        Assert.NotEmpty(results.Single().Suggestions);
        Assert.All(results.Single().Suggestions, s => Assert.Equal("portfolio", s.Source));
    }

    [Fact]
    public async Task A_repair_round_shows_the_LLM_Leans_errors_and_verifies_the_fix()
    {
        await using var llm = await LocalLlmServer.StartAsync();
        llm.Enqueue(
            LlmReply.Success("```lean\nsimp [KernelTrap]\n```", new ScriptedUsage(100, 10)),
            LlmReply.Success("```lean\nnorm_num\n```", new ScriptedUsage(150, 10)));
        await using var host = PipelineHost.Start(Script, llm: llm);
        var path = host.WriteLeanFile("Kernel.lean", "theorem kernel_trap : KernelTrap 1 := by\n  sorry\n");

        var (_, results) = await host.SuggestAllAsync(path, useLlm: true);

        Assert.Equal(TargetOutcome.Solved, results.Single().Outcome);
        Assert.Equal("norm_num", results.Single().Best!.Tactic);
        Assert.Equal(2, llm.Requests.Count);
        var repair = llm.Requests[1].Text();
        Assert.Contains("simp [KernelTrap]", repair);
        Assert.Contains("kernel", repair);
    }

    [Fact]
    public async Task Unsafe_LLM_output_is_rejected_before_Lean_sees_it()
    {
        await using var llm = await LocalLlmServer.StartAsync();
        llm.DefaultReply = LlmReply.Success(
            "```lean\nrun_tac Lean.Elab.Tactic.evalTactic\n```\n```lean\nsorry\n```\n```lean\nnative_decide\n```\n```lean\nsimp /- -/ ; #eval IO.println 1\n```",
            new ScriptedUsage(10, 10));
        await using var host = PipelineHost.Start(Script, llm: llm);
        var path = host.WriteLeanFile("Swap.lean", "theorem swap (p q : Prop) (hp : p) (hq : q) : p ∧ q := by\n  sorry\n");

        var (_, results) = await host.SuggestAllAsync(path, useLlm: true);

        var rejected = results.Single().Suggestions.Where(s => s.Verdict == SuggestionVerdict.Rejected).Select(s => s.Tactic).ToArray();
        Assert.Contains("run_tac Lean.Elab.Tactic.evalTactic", rejected);
        Assert.Contains("native_decide", rejected);
        Assert.Contains(rejected, t => t.Contains("#eval", StringComparison.Ordinal));
        var sentToLean = host.Log.Requests.Where(r => r.GetProperty("kind").GetString() == "tactic").Select(r => r.GetProperty("tactic").GetString()!).ToArray();
        Assert.DoesNotContain(sentToLean, t => t.Contains("run_tac", StringComparison.Ordinal) || t.Contains("#eval", StringComparison.Ordinal) || t == "native_decide" || t == "sorry");
    }

    [Fact]
    public async Task Native_decide_is_verified_only_when_allowed_and_then_flagged()
    {
        await using var llm = await LocalLlmServer.StartAsync();
        llm.DefaultReply = LlmReply.Success("```lean\nnative_decide\n```", new ScriptedUsage(10, 10));
        await using var host = PipelineHost.Start(Script, llm: llm, settings: [new("LeanAssist:allowNativeDecide", "true")]);
        var path = host.WriteLeanFile("Sorry.lean", "theorem sorry_trap : SorryTrap := by\n  sorry\n");

        var (_, results) = await host.SuggestAllAsync(path, useLlm: true);

        var native = results.Single().Suggestions.Single(s => s.Tactic == "native_decide");
        Assert.Equal(SuggestionVerdict.Solved, native.Verdict);
        Assert.True(native.TrustsCompiler);
    }

    [Fact]
    public async Task An_unsolved_goals_error_gets_suggestions_inserted_after_its_block()
    {
        await using var host = PipelineHost.Start(Script);
        const string text = "theorem unfinished (p : Prop) (hp : p) : p → p := by\n  intro h\n";
        var path = host.WriteLeanFile("Unfinished.lean", text);

        var (file, results) = await host.SuggestAllAsync(path);

        var target = file.Targets.Single();
        Assert.Equal(LeanTargetKind.UnsolvedGoals, target.Kind);
        var result = results.Single();
        Assert.Equal(TargetOutcome.Solved, result.Outcome);
        Assert.True(result.EditPlan.InsertsAfterBlock);
        var source = new LeanAssist.Lean.Text.SourceText(text);
        var edit = result.EditPlan.EditFor(source, result.Best!.Tactic);
        Assert.Equal("theorem unfinished (p : Prop) (hp : p) : p → p := by\n  intro h\n  assumption\n", source.WithChange(edit.Range, edit.NewText).Text);
    }

    [Fact]
    public async Task Editing_below_a_declaration_keeps_its_verdicts_and_editing_above_invalidates_them()
    {
        await using var host = PipelineHost.Start(Script);
        const string text = "theorem plus_zero (n : Nat) : n + 0 = n := by\n  sorry\n\ntheorem uses_exact (n : Nat) : n ≤ n + 1 := by\n  sorry\n";
        var path = host.WriteLeanFile("Edits.lean", text);
        await host.SuggestAllAsync(path);

        var (_, below) = await host.SuggestAllAsync(path, text: text + "\ntheorem later : True := trivial\n");
        var (_, above) = await host.SuggestAllAsync(path, text: "def helper := 1\n\n" + text);

        var keptBelow = below.SelectMany(r => r.Suggestions).Where(s => s.Verdict != SuggestionVerdict.Rejected).ToArray();
        var keptAbove = above.SelectMany(r => r.Suggestions).Where(s => s.Verdict != SuggestionVerdict.Rejected).ToArray();
        Assert.NotEmpty(keptBelow);
        Assert.NotEmpty(keptAbove);
        Assert.All(keptBelow, s => Assert.True(s.FromCache));
        Assert.All(keptAbove, s => Assert.False(s.FromCache));
    }

    [Fact]
    public async Task A_corrupt_verdict_store_is_rebuilt_and_never_trusted()
    {
        TemporaryDirectory project;
        string caches;
        await using (var host = PipelineHost.Start(Script))
        {
            host.WriteLeanFile("Theorems.lean", Theorems);
            await host.ProveAsync();
            project = host.Project;
            caches = host.CacheDirectory;
        }

        var store = Path.Combine(caches, "verdicts", VerdictCache.DiskFileName);
        Assert.True(File.Exists(store));
        await File.WriteAllBytesAsync(store, Encoding.UTF8.GetBytes("this is not a SQLite database, whatever it claims"));
        foreach (var sidecar in new[] { store + "-wal", store + "-shm" })
        {
            File.Delete(sidecar);
        }

        await using var restarted = PipelineHost.Start(Script, project: project, cacheDirectory: caches);
        var report = await restarted.ProveAsync();

        Assert.Equal(0, report.Summary.VerdictCacheHits);
        Assert.Equal((2, 1, 2), (report.Summary.Solved, report.Summary.ProgressOnly, report.Summary.Unsolved));
        Assert.True(report.Summary.LeanRuns > 0);
        project.Dispose();
    }

    [Fact]
    public async Task Portfolio_candidates_are_verified_while_the_LLM_is_still_thinking()
    {
        await using var llm = await LocalLlmServer.StartAsync();
        llm.Latency = TimeSpan.FromSeconds(1);
        llm.DefaultReply = LlmReply.Success("```lean\nexact ⟨hp, hq⟩\n```", new ScriptedUsage(10, 10));
        await using var host = PipelineHost.Start(Script, llm: llm);
        var path = host.WriteLeanFile("Swap.lean", "theorem swap (p q : Prop) (hp : p) (hq : q) : p ∧ q := by\n  sorry\n");
        var request = host.Request(path);
        var file = await host.Service.LoadAsync(request, CancellationToken.None);
        var steps = new List<string>();
        var progress = new Progress(steps);

        var result = await host.Service.SuggestAsync(request, file, file.Targets.Single(), new SuggestOptions(true, RequestPriority.Interactive), progress, CancellationToken.None);

        var waiting = steps.IndexOf("Waiting for the LLM");
        Assert.True(waiting > 0, string.Join(" | ", steps));
        Assert.Contains(steps.Take(waiting), s => s.StartsWith("Verifying", StringComparison.Ordinal));
        Assert.Contains(steps.Skip(waiting), s => s == "Verifying 1 candidates in Lean");
        Assert.Equal("exact ⟨hp, hq⟩", result.Best!.Tactic);
    }

    /// <summary>Collects progress messages synchronously, in order (System.Progress would post them).</summary>
    private sealed class Progress(List<string> steps) : IProgress<SuggestProgress>
    {
        public void Report(SuggestProgress value)
        {
            lock (steps)
            {
                steps.Add(value.Message);
            }
        }
    }
}
