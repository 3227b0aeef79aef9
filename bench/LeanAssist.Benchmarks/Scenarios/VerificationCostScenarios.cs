using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using LeanAssist.Benchmarks.Workloads;
using LeanAssist.Lean.Pool;
using LeanAssist.Lean.Sessions;
using LeanAssist.Server.Prove;
using LeanAssist.Suggestions.Learning;
using LeanAssist.Suggestions.Verification;
using LeanAssist.Testing;
using LeanAssist.Testing.Hosting;

namespace LeanAssist.Benchmarks.Scenarios;

/// <summary>What the declaration check ("solved" needs the declaration to elaborate with the tactic) costs on the 20-sorry file.</summary>
public sealed record ConfirmationCostPoint(int ConfirmCandidates, int Solved, int Checks, TimeSpan CheckLean, TimeSpan Lean, TimeSpan Wall)
{
    public double ChecksPerSolved => Solved == 0 ? 0 : (double)Checks / Solved;

    public TimeSpan CheckLeanPerSolved => Solved == 0 ? TimeSpan.Zero : CheckLean / Solved;
}

/// <summary>Header re-imports caused by a tactic that times out, with and without the timeout memory.</summary>
public sealed record TimeoutReimportPoint(string Setting, int Runs, int Timeouts, int Skipped, int HeaderImports, int ProcessesStarted, TimeSpan Wall);

/// <summary>One sample of the soak: after so many edits, the server process's memory and what the pool and caches hold.</summary>
public sealed record SoakSample(int Edits, TimeSpan Elapsed, double ManagedMegabytes, double WorkingSetMegabytes, int Groups, int OutcomesInMemory, int NewestBuildEntries, int LearningEntries, int Sessions);

/// <summary>Scenarios for issue 13's costs: the declaration check, the timeout memory, and a long editing day.</summary>
public static class VerificationCostScenarios
{
    /// <summary>
    /// <c>prove</c> on the 20-sorry file with each declaration costing <paramref name="cost"/>'s declaration time
    /// (loading it and every declaration check alike), for each confirmation budget.
    /// </summary>
    public static async Task<IReadOnlyList<ConfirmationCostPoint>> ConfirmationAsync(StandInCostModel cost, int sessions, IReadOnlyList<int> budgets, CancellationToken cancellationToken)
    {
        var script = JsonNode.Parse(TwentySorries.Script(cost))!.AsObject();
        script["commands"] = new JsonArray(new JsonObject { ["pattern"] = "^theorem", ["latencyMs"] = cost.DeclarationMilliseconds });
        var points = new List<ConfirmationCostPoint>();
        foreach (var budget in budgets)
        {
            await using var pipeline = BenchPipeline.Start(script.ToJsonString(), sessions, settings: [new("LeanAssist:confirmation:candidates", budget.ToString(CultureInfo.InvariantCulture))]);
            var path = pipeline.Project.WriteFile("Twenty.lean", TwentySorries.File());
            var clock = Stopwatch.StartNew();
            var report = await pipeline.Prove.RunAsync(new ProveRequest([path], null, false, false, ProveRequest.ParallelismFor(sessions)), null, cancellationToken).ConfigureAwait(false);
            var summary = report.Summary;
            points.Add(new ConfirmationCostPoint(budget, summary.Solved, summary.Confirmations, TimeSpan.FromSeconds(summary.ConfirmationSeconds), TimeSpan.FromSeconds(summary.LeanSeconds), clock.Elapsed));
            pipeline.Project.Dispose();
        }

        return points;
    }

    /// <summary>
    /// One target whose most likely tactic times out (the REPL request timeout is 1 s, the tactic takes 5 s),
    /// suggested <paramref name="runs"/> times in one server, as an editor re-asking does: every timeout kills the
    /// session running it, and its replacement imports the header again.
    /// </summary>
    public static async Task<IReadOnlyList<TimeoutReimportPoint>> TimeoutsAsync(double headerSeconds, int runs, CancellationToken cancellationToken)
    {
        var script = new JsonObject
        {
            ["headerSeconds"] = headerSeconds,
            ["commandMs"] = 1,
            ["tacticMs"] = 2,
            ["tactics"] = new JsonArray(
                new JsonObject { ["tactic"] = "omega", ["result"] = "completed", ["latencyMs"] = 5000 },
                new JsonObject { ["tactic"] = "simp", ["result"] = "progress", ["goals"] = new JsonArray("n : ℕ\n⊢ n + 1 ≥ 1") }),
            ["defaultTactic"] = new JsonObject { ["result"] = "error", ["message"] = "tactic failed (stand-in)" },
        }.ToJsonString();
        var points = new List<TimeoutReimportPoint>();
        foreach (var (name, skipMinutes) in new[] { ("timeout memory off (before: timeouts.skipMinutes = 0)", "0"), ("timeout memory on (after: default 10 min, doubling)", "10") })
        {
            await using var pipeline = PipelineHost.Start(script, new TemporaryDirectory("leanassist-bench"), settings:
            [
                new("LeanAssist:repl:sessions", "1"),
                new("LeanAssist:repl:requestTimeoutSeconds", "1"),
                new("LeanAssist:repl:headerTimeoutSeconds", "120"),
                new("LeanAssist:timeouts:skipMinutes", skipMinutes),
            ]);
            var path = pipeline.Project.WriteFile("Slow.lean", "import Mathlib\n\ntheorem slow (n : ℕ) : n + 1 ≥ 1 := by\n  sorry\n");
            var (timeouts, skipped) = (0, 0);
            var clock = Stopwatch.StartNew();
            for (var run = 0; run < runs; run++)
            {
                var (_, results) = await pipeline.SuggestAllAsync(path).ConfigureAwait(false);
                var omega = results.Single().Suggestions.Single(s => s.Tactic == "omega");
                timeouts += omega is { Verdict: SuggestionVerdict.TimedOut, FromCache: false } ? 1 : 0;
                skipped += omega is { Verdict: SuggestionVerdict.TimedOut, FromCache: true } ? 1 : 0;
            }

            // The replacement of the last killed session imports its header in the background: count it too.
            var pool = pipeline.Get<ILeanSessionPool>();
            await Eventually.TrueAsync(() => pool.Snapshot is { Starting: 0, Busy: 0, Warm: > 0 }, TimeSpan.FromSeconds(headerSeconds * 2 + 60), "the pool settled").ConfigureAwait(false);
            points.Add(new TimeoutReimportPoint(name, runs, timeouts, skipped, pipeline.Log.CountRequests("header"), pipeline.Log.ProcessesStarted, clock.Elapsed));
            pipeline.Project.Dispose();
        }

        return points;
    }

    /// <summary>
    /// A long editing day compressed: <paramref name="files"/> files over <paramref name="headers"/> different headers
    /// (8 in use at a time; the day moves on to the next 8 every tenth of the edits, so earlier groups go idle),
    /// <paramref name="edits"/> edits (each changes one declaration of one file, then that file is loaded and the edited
    /// target's suggestions computed, as the editor's background work does), sampling the memory of this process
    /// (which hosts the server's whole pipeline; the stand-in processes are not counted) every <paramref name="sampleEvery"/> edits.
    /// Idle groups release their memory after <paramref name="idleGroupGrace"/> (15 min in the product: the day is compressed).
    /// </summary>
    public static async Task<IReadOnlyList<SoakSample>> SoakAsync(int files, int headers, int edits, int sampleEvery, TimeSpan idleGroupGrace, Action<SoakSample>? onSample, CancellationToken cancellationToken)
    {
        var script = new JsonObject
        {
            ["headerSeconds"] = 0.02,
            ["commandMs"] = 0,
            ["tacticMs"] = 0,
            ["tactics"] = new JsonArray(
                new JsonObject { ["pattern"] = "^omega$", ["goalPattern"] = "≥", ["result"] = "completed" },
                new JsonObject { ["pattern"] = "^simp$", ["result"] = "progress", ["goals"] = new JsonArray("⊢ True") }),
            ["defaultTactic"] = new JsonObject { ["result"] = "error", ["message"] = "tactic failed (stand-in)" },
        }.ToJsonString();
        await using var pipeline = PipelineHost.Start(script, new TemporaryDirectory("leanassist-soak"), settings:
        [
            new("LeanAssist:repl:sessions", "1"),
            new("LeanAssist:repl:maxTotalSessions", ActiveHeaders.ToString(CultureInfo.InvariantCulture)),
            new("LeanAssist:portfolioCandidates", "6"),
        ]);
        var pool = pipeline.Get<LeanSessionPool>();
        pool.IdleGroupGrace = idleGroupGrace;
        var learning = pipeline.Get<TacticOutcomeLearning>();
        var texts = new string[files];
        var phaseLength = Math.Max(1, edits / 10);
        int HeaderOf(int file, int edit) => (file % ActiveHeaders) + (ActiveHeaders * (edit / phaseLength) % Math.Max(ActiveHeaders, headers));

        var samples = new List<SoakSample>();
        var clock = Stopwatch.StartNew();
        var random = new Random(13);
        SoakSample Sample(int done)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            var managed = GC.GetGCMemoryInfo().HeapSizeBytes / (1024.0 * 1024.0);
            using var me = Process.GetCurrentProcess();
            var sample = new SoakSample(done, clock.Elapsed, managed, me.WorkingSet64 / (1024.0 * 1024.0), pool.GroupCount, pool.OutcomesInMemory, pool.NewestBuildEntries,
                learning.MemoryEntries, pool.Snapshot.Sessions.Count);
            onSample?.Invoke(sample);
            return sample;
        }

        samples.Add(Sample(0));
        for (var edit = 1; edit <= edits; edit++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var f = random.Next(files);
            texts[f] = SoakFile(f, HeaderOf(f, edit) % Math.Max(1, headers), edit);
            var path = Path.Combine(pipeline.Project.Path, $"File{f}.lean");
            var request = pipeline.Request(path, texts[f]);
            var file = await pipeline.Service.LoadAsync(request, cancellationToken).ConfigureAwait(false);
            // The edited declaration is the first; its sorry is the one whose results changed.
            if (file.Targets.FirstOrDefault() is { ProofState: not null } target)
            {
                await pipeline.Service.SuggestAsync(request, file, target, new SuggestOptions(false, RequestPriority.Background), null, cancellationToken).ConfigureAwait(false);
            }

            if (edit % sampleEvery == 0)
            {
                samples.Add(Sample(edit));
            }
        }

        pipeline.Project.Dispose();
        return samples;
    }

    /// <summary>Headers in use at one time (one warm session each).</summary>
    private const int ActiveHeaders = 8;

    /// <summary>A file importing module <paramref name="header"/> with three declarations; the first changes with every edit.</summary>
    private static string SoakFile(int file, int header, int edit) => string.Create(CultureInfo.InvariantCulture, $"""
        import Soak.Module{header}

        theorem edited_{file} (n : ℕ) (h : n ≥ {edit}) : n + {file} ≥ {edit} := by
          sorry

        theorem steady_{file} (p : Prop) (hp : p) : p := by
          sorry

        theorem also_{file} (n : ℕ) : n + 0 ≥ 0 := by
          sorry

        """);
}
