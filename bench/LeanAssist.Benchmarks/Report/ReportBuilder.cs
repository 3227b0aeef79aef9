using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using LeanAssist.Benchmarks.Scenarios;

namespace LeanAssist.Benchmarks.Report;

/// <param name="Quick">Short header import and fewer repetitions: for checking the report runs, not for quoting.</param>
/// <param name="Only">Section ids to run (fan-out, naive-vs-warm, naive-full, edit-replay, protocol, shipped, batch); empty: all.</param>
/// <param name="NaiveHeaderSeconds">The header cost of the full naive run (section naive-full): small enough for it to finish in minutes.</param>
public sealed record ReportOptions(StandInCostModel Cost, double LlmMilliseconds, int Sessions, string OutputDirectory, bool Quick, string Command, IReadOnlySet<string>? Only = null, double NaiveHeaderSeconds = 1)
{
    public int NaiveSamples => Quick ? 1 : 3;

    public bool Runs(string section) => Only is not { Count: > 0 } || Only.Contains(section);
}

/// <summary>Runs every scenario and writes the report (see <see cref="BenchmarkReport"/>).</summary>
public static class ReportBuilder
{
    public static async Task<int> RunAsync(ReportOptions options, CancellationToken cancellationToken)
    {
        var report = new BenchmarkReport(options.Command, MachineInfo.Current(),
            $"{options.Cost}; LLM {options.LlmMilliseconds:0} ms per answer (the local LLM test server); {options.Sessions} warm sessions unless a table varies them");
        var cores = Environment.ProcessorCount;

        if (options.Runs("fan-out"))
        {
            var sleep = await FanOutScenario.RunAsync(new FanOutParameters([1, 4, 8, 16], [1, 2, 4], options.Cost with { CpuBound = false }, options.Quick ? 1 : 3), cancellationToken).ConfigureAwait(false);
            var cpu = await FanOutScenario.RunAsync(new FanOutParameters([1, 4, 8, 16], [1, 2, 4], options.Cost with { CpuBound = true }, options.Quick ? 1 : 3), cancellationToken).ConfigureAwait(false);
            report.Add(FanOut(sleep, cpu, options));
        }

        if (options.Runs("naive-vs-warm"))
        {
            report.Add(NaiveVsWarm(await NaiveVsWarmScenario.RunAsync(new NaiveVsWarmParameters(options.Cost, options.Sessions, options.LlmMilliseconds, options.NaiveSamples), cancellationToken).ConfigureAwait(false), options));
        }

        if (options.Runs("naive-full"))
        {
            var naiveCost = options.Cost with { HeaderSeconds = options.Quick ? 0.2 : options.NaiveHeaderSeconds };
            report.Add(NaiveFull(await NaiveFullRunScenario.RunAsync(new NaiveFullRunParameters(naiveCost, options.Sessions), cancellationToken).ConfigureAwait(false)));
        }

        if (options.Runs("edit-replay"))
        {
            report.Add(EditReplay(await EditReplayScenario.RunAsync(new EditReplayParameters(options.Cost, options.Sessions, options.LlmMilliseconds), cancellationToken).ConfigureAwait(false)));
        }

        if (options.Runs("protocol"))
        {
            var protocol = await ProtocolScenario.RunAsync(options.Quick
                ? new ProtocolParameters(options.Cost, options.Sessions, Starts: 3, TrivialRequests: 1000, CodeActionRequests: 300, OpenDocuments: 5)
                : new ProtocolParameters(options.Cost, options.Sessions), cancellationToken).ConfigureAwait(false);
            report.Add(Protocol(protocol, Micro(options.Quick)));
        }

        if (options.Runs("shipped"))
        {
            report.Add(Shipped(await ShippedServerScenario.RunAsync(options.Quick ? 3 : 10, cancellationToken).ConfigureAwait(false)));
        }

        if (options.Runs("batch"))
        {
            // Both ways of spending Lean's time: sleeping shows what scheduling achieves, CPU what the cores allow.
            var sessionCounts = Enumerable.Range(1, cores).ToArray();
            var sleep = await BatchThroughputScenario.RunAsync(new BatchParameters(options.Cost with { CpuBound = false }, sessionCounts), cancellationToken).ConfigureAwait(false);
            var cpu = await BatchThroughputScenario.RunAsync(new BatchParameters(options.Cost with { CpuBound = true }, sessionCounts), cancellationToken).ConfigureAwait(false);
            report.Add(Batch(sleep, cpu, cores));
        }

        report.Write(options.OutputDirectory);
        Console.WriteLine($"Report written to {Path.GetFullPath(Path.Combine(options.OutputDirectory, "benchmarks.md"))}");
        return 0;
    }

    private static ReportSection FanOut(IReadOnlyList<FanOutPoint> points, IReadOnlyList<FanOutPoint> cpuPoints, ReportOptions options)
    {
        var table = new StringBuilder("| candidates K | sessions N | measured, sleep mode | ideal ceil(K/N) × tactic | efficiency, sleep mode | measured, CPU mode | efficiency, CPU mode |\n| ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
        foreach (var point in points.OrderBy(p => p.Candidates).ThenBy(p => p.Sessions))
        {
            var cpu = cpuPoints.Single(p => p.Candidates == point.Candidates && p.Sessions == point.Sessions);
            table.Append(CultureInfo.InvariantCulture, $"| {point.Candidates} | {point.Sessions} | {Ms(point.Measured)} | {Ms(point.Ideal)} | {point.Efficiency:P1} | {Ms(cpu.Measured)} | {cpu.Efficiency:P1} |\n");
        }

        var candidates = points.Select(p => p.Candidates).Distinct().Order().ToArray();
        var sessions = points.Select(p => p.Sessions).Distinct().Order().ToArray();
        var chart = new SvgBarChart("Fan-out: K candidates on N warm sessions (measured)", "ms", candidates.Select(k => $"K={k}").ToArray(),
            sessions.Select(n => new ChartSeries($"N={n}", candidates.Select(k => points.Single(p => p.Candidates == k && p.Sessions == n).Measured.TotalMilliseconds).ToArray()))
                .Append(new ChartSeries("ideal with N=4", candidates.Select(k => points.Single(p => p.Candidates == k && p.Sessions == 4).Ideal.TotalMilliseconds).ToArray()))
                .ToArray());
        var eight = points.Where(p => p.Candidates >= 8 && p.Sessions > 1).ToArray();
        var worst = eight.MinBy(p => p.Efficiency)!;
        return new ReportSection("fan-out", "1. Fan-out: K candidates on N sessions",
            $"One goal, K candidate tactics, N warm sessions, each tactic costing {options.Cost.TacticMilliseconds} ms in Lean. The proof state was already in every session (the steady state the editor sees); each point is the median of {(options.Quick ? 1 : 3)} batches. Efficiency = ideal / measured. Sleep mode (the stand-in sleeps for Lean's time) shows what the scheduling achieves; CPU mode (it burns that time as CPU, as real Lean does) shows what {Environment.ProcessorCount} cores allow: N = 4 sessions cannot beat 2 cores. The target is checked in sleep mode.",
            table.ToString(),
            new JsonObject { ["points"] = new JsonArray(points.Select(p => (JsonNode)new JsonObject { ["candidates"] = p.Candidates, ["sessions"] = p.Sessions, ["measuredMs"] = p.Measured.TotalMilliseconds, ["idealMs"] = p.Ideal.TotalMilliseconds, ["efficiency"] = p.Efficiency }).ToArray()) },
            chart,
            [new TargetCheck("parallel efficiency, K ≥ 8 candidates, N ≥ 2 sessions (worst point)", "≥ 90%", string.Create(CultureInfo.InvariantCulture, $"{worst.Efficiency:P1} (K={worst.Candidates}, N={worst.Sessions})"), worst.Efficiency >= 0.9)]);
    }

    private static ReportSection Shipped(IReadOnlyList<ShippedServerBuild> builds)
    {
        var table = new StringBuilder("| server build | installed | zipped (what it adds to the VSIX) | start → `initialize` answered, median | min – max | resident memory after initialize |\n| --- | ---: | ---: | ---: | ---: | ---: |\n");
        foreach (var build in builds)
        {
            table.Append(CultureInfo.InvariantCulture, $"| {build.Name} | {build.InstalledMegabytes:0.0} MB | {build.ZippedMegabytes:0.0} MB | {Ms(build.StartMedian)} (of {build.Starts.Count}) | {Ms(build.Starts.Min())} – {Ms(build.Starts.Max())} | {build.ResidentAfterInitializeMb:0.0} MB |\n");
        }

        var readyToRun = builds[^1];
        var selfContained = builds[1];
        return new ReportSection("shipped", "4b. The shipped server: size, start-up, memory",
            "The server published as `npm run package` publishes it (`client-vscode/scripts/package.mjs`): the universal VSIX's framework-dependent build, and for this machine's platform the self-contained build with and without ReadyToRun (the platform VSIX ships ReadyToRun). Each is started as a process and timed to the `initialize` answer; sizes are the published folder and that folder zipped with Deflate.",
            table.ToString(),
            new JsonObject
            {
                ["builds"] = new JsonArray(builds.Select(b => (JsonNode)new JsonObject
                {
                    ["name"] = b.Name,
                    ["installedMb"] = b.InstalledMegabytes,
                    ["zippedMb"] = b.ZippedMegabytes,
                    ["startMedianMs"] = b.StartMedian.TotalMilliseconds,
                    ["residentAfterInitializeMb"] = b.ResidentAfterInitializeMb,
                }).ToArray()),
                ["readyToRunSavesMs"] = (selfContained.StartMedian - readyToRun.StartMedian).TotalMilliseconds,
                ["readyToRunCostsZippedMb"] = readyToRun.ZippedMegabytes - selfContained.ZippedMegabytes,
            });
    }

    private static ReportSection NaiveFull(NaiveFullRunResult r)
    {
        var table = new StringBuilder("| approach | total for the 20-sorry file | first verified suggestion | REPL processes started | verifications | sorries solved | LeanAssist is faster by |\n| --- | ---: | ---: | ---: | ---: | ---: | ---: |\n");
        void Row(string name, MeasuredRun run, bool leanAssist) => table.Append(CultureInfo.InvariantCulture,
            $"| {name} | {S(run.Total)} | {(leanAssist ? "–" : S(run.FirstVerified))} | {run.Processes} | {run.Verifications} | {run.Solved} | {(leanAssist ? "–" : $"{run.Total / r.LeanAssist.Total:0.0}×")} |\n");
        Row("naive: a fresh process per candidate, every candidate, sequential", r.Naive, false);
        Row("naive, careful: the same, stopping at a sorry's first closing candidate", r.NaiveFirstHit, false);
        Row($"LeanAssist `prove`, cold start, {r.Parameters.Sessions} sessions (portfolio only)", r.LeanAssist, true);
        return new ReportSection("naive-full", "2b. Naive baselines, run in full",
            $"Every figure here is measured: the naive runs start one REPL stand-in process per candidate, one after another, for the same file and the same candidates LeanAssist tried (its own order), each importing the header, elaborating the file down to the sorry and running the candidate on its proof state. The header import costs {r.Parameters.Cost.HeaderSeconds} s here (not 12 s), so that the full naive run ends in minutes; the ratios hold under this one cost model ({r.Parameters.Cost}) and grow with the header's cost.",
            table.ToString(),
            new JsonObject
            {
                ["headerSeconds"] = r.Parameters.Cost.HeaderSeconds,
                ["naiveTotalS"] = r.Naive.Total.TotalSeconds,
                ["naiveProcesses"] = r.Naive.Processes,
                ["naiveFirstHitTotalS"] = r.NaiveFirstHit.Total.TotalSeconds,
                ["naiveFirstHitProcesses"] = r.NaiveFirstHit.Processes,
                ["leanAssistTotalS"] = r.LeanAssist.Total.TotalSeconds,
                ["naiveRatio"] = r.Naive.Total / r.LeanAssist.Total,
                ["naiveFirstHitRatio"] = r.NaiveFirstHit.Total / r.LeanAssist.Total,
            });
    }

    private static ReportSection NaiveVsWarm(NaiveVsWarmResult r, ReportOptions options)
    {
        var table = new StringBuilder()
            .Append("| | naive: fresh process per candidate, sequential (**computed**, see below) | LeanAssist, cold start | LeanAssist, after a restart (warm caches) |\n| --- | ---: | ---: | ---: |\n")
            .Append(CultureInfo.InvariantCulture, $"| time to the first verified suggestion, nothing running | {S(r.NaiveFirstSuggestion)} | {S(r.WarmFirstSuggestion)} | – |\n")
            .Append(CultureInfo.InvariantCulture, $"| time to the first verified suggestion, sessions warm (the file is open in the editor) | {S(r.NaiveFirstSuggestion)} | {S(r.WarmSessionsFirstSuggestion)} | – |\n")
            .Append(CultureInfo.InvariantCulture, $"| total for the 20-sorry file | {S(r.NaiveTotal)} | {S(r.WarmTotal)} | {Ms(r.RepeatTotal)} |\n")
            .Append(CultureInfo.InvariantCulture, $"| Lean requests | {r.CandidateRuns} processes | {r.LeanRequests} | {r.RepeatLeanRequests} (processes started: {r.RepeatLeanProcesses}) |\n")
            .Append(CultureInfo.InvariantCulture, $"| LLM calls | – | {r.LlmCalls} | {r.RepeatLlmCalls} |\n")
            .Append(CultureInfo.InvariantCulture, $"\nOutcome: {r.Solved} solved, {r.ProgressOnly} progress only, {r.Unsolved} unsolved; {r.CandidateRuns} candidates verified; on the warm repeat {r.RepeatVerdictCacheHits} verdicts came from the cache.\n\n")
            .Append(CultureInfo.InvariantCulture, $"Computed ratios (they restate the header-cost assumption; section 2b has ratios from runs): the naive approach would take {r.TotalRatio:0}× as long for the file; to the first verified suggestion {r.FirstSuggestionRatio:0.0}× from nothing running (both pay one header import) and {r.WarmSessionsFirstSuggestionRatio:0}× with warm sessions.\n\n")
            .Append(CultureInfo.InvariantCulture, $"How the naive numbers are computed: {r.NaivePerVerification.TotalSeconds:0.00} s is the measured mean of {options.NaiveSamples} fresh stand-in processes that each import the header, elaborate the file and check one candidate (as `lake env lean` on the file with the candidate in place would); the total is that time × the {r.CandidateRuns} verifications LeanAssist made, one after another; the first suggestion is that time × {r.NaiveFirstVerifiedIndex} (the position of the first verified candidate of the first sorry in the portfolio's order). Running all {r.CandidateRuns} would take {S(r.NaiveTotal)} per report.");
        var chart = new SvgBarChart("20-sorry file: naive vs LeanAssist", "seconds", ["first suggestion, cold", "first suggestion, warm sessions", "whole file"],
            [
                new ChartSeries("naive (fresh process per candidate)", [r.NaiveFirstSuggestion.TotalSeconds, r.NaiveFirstSuggestion.TotalSeconds, r.NaiveTotal.TotalSeconds]),
                new ChartSeries("LeanAssist cold start", [r.WarmFirstSuggestion.TotalSeconds, r.WarmSessionsFirstSuggestion.TotalSeconds, r.WarmTotal.TotalSeconds]),
                new ChartSeries("LeanAssist after a restart", [double.NaN, double.NaN, r.RepeatTotal.TotalSeconds]),
            ], Logarithmic: true);
        return new ReportSection("naive-vs-warm", "2. Naive vs warm: a 20-sorry file",
            $"The file has 20 sorries of four kinds; the LLM (local test server, {options.LlmMilliseconds:0} ms per answer) is asked for each alongside the portfolio, whose candidates are verified while the LLM thinks. LeanAssist runs `prove` in process with {options.Sessions} sessions; then a new pipeline on the same caches (a restart) proves it again. The naive numbers leave the LLM's time out, to its advantage.",
            table.ToString(),
            new JsonObject
            {
                ["warmFirstSuggestionS"] = r.WarmFirstSuggestion.TotalSeconds,
                ["warmSessionsFirstSuggestionS"] = r.WarmSessionsFirstSuggestion.TotalSeconds,
                ["warmTotalS"] = r.WarmTotal.TotalSeconds,
                ["repeatTotalMs"] = r.RepeatTotal.TotalMilliseconds,
                ["repeatLeanRequests"] = r.RepeatLeanRequests,
                ["repeatLeanProcesses"] = r.RepeatLeanProcesses,
                ["repeatLlmCalls"] = r.RepeatLlmCalls,
                ["naivePerVerificationS"] = r.NaivePerVerification.TotalSeconds,
                ["naiveTotalS"] = r.NaiveTotal.TotalSeconds,
                ["naiveFirstSuggestionS"] = r.NaiveFirstSuggestion.TotalSeconds,
                ["candidateRuns"] = r.CandidateRuns,
                ["leanRequests"] = r.LeanRequests,
                ["llmCalls"] = r.LlmCalls,
                ["totalRatio"] = r.TotalRatio,
                ["firstSuggestionRatio"] = r.FirstSuggestionRatio,
            },
            chart,
            [
                new TargetCheck("warm repeat of a 20-sorry file: Lean and LLM calls", "0 and 0", $"{r.RepeatLeanRequests} Lean requests ({r.RepeatLeanProcesses} processes), {r.RepeatLlmCalls} LLM calls", r.RepeatLeanRequests == 0 && r.RepeatLeanProcesses == 0 && r.RepeatLlmCalls == 0),
                new TargetCheck("warm repeat of a 20-sorry file: time (in process, host already built)", "< 50 ms", Ms(r.RepeatTotal), r.RepeatTotal < TimeSpan.FromMilliseconds(50)),
            ]);
    }

    private static ReportSection EditReplay(EditReplayResult r)
    {
        var table = new StringBuilder("| phase | what | keystrokes | Lean requests | LLM calls | until every lightbulb was ready |\n| --- | --- | ---: | ---: | ---: | ---: |\n");
        foreach (var phase in r.Phases)
        {
            table.Append(CultureInfo.InvariantCulture, $"| {phase.Name} | {phase.What} | {phase.Keystrokes} | {phase.LeanRequests} | {phase.LlmCalls} | {S(phase.UntilReady)} |\n");
        }

        table.Append(CultureInfo.InvariantCulture, $"\nVerdict cache: {r.VerdictHitRate:P1} of {r.VerdictLookups} lookups hit. LLM cache: {r.LlmHitRate:P1} of {r.LlmLookups} lookups hit.\n\n")
            .Append("| time the editor waited for code actions (one request after every keystroke) | p50 | p90 | p99 | max of |\n| --- | ---: | ---: | ---: | ---: |\n")
            .Append(CultureInfo.InvariantCulture, $"| over stdio, while the server recomputes in the background | {Ms(r.CodeActionWait.P50)} | {Ms(r.CodeActionWait.P90)} | {r.CodeActionWait.P99OrMax(Ms)} | {r.CodeActionWait.Count} requests |\n");
        var chart = new SvgBarChart("Edit replay: work per phase", "calls", r.Phases.Select(p => p.Name).ToArray(),
            [new ChartSeries("Lean requests", r.Phases.Select(p => (double)p.LeanRequests).ToArray()), new ChartSeries("LLM calls", r.Phases.Select(p => (double)p.LlmCalls).ToArray())]);
        return new ReportSection("edit-replay", "3. Edit replay",
            "A recorded editing session on the 20-sorry file, against the real server process over stdio with background prefetch on (LLM only for the explicit requests). Typing below a declaration must not redo it; typing inside one redoes it and those after it; typing above redoes everything; undoing finds everything in the caches again.",
            table.ToString(),
            new JsonObject
            {
                ["phases"] = new JsonArray(r.Phases.Select(p => (JsonNode)new JsonObject { ["name"] = p.Name, ["keystrokes"] = p.Keystrokes, ["leanRequests"] = p.LeanRequests, ["llmCalls"] = p.LlmCalls, ["untilReadyS"] = p.UntilReady.TotalSeconds }).ToArray()),
                ["verdictHitRate"] = r.VerdictHitRate,
                ["llmHitRate"] = r.LlmHitRate,
                ["codeActionWaitP50Ms"] = r.CodeActionWait.P50.TotalMilliseconds,
                ["codeActionWaitP99Ms"] = r.CodeActionWait.P99.TotalMilliseconds,
            },
            chart,
            [new TargetCheck("code-action wait while typing (stdio)", "p99 < 10 ms", r.CodeActionWait.P99OrMax(Ms), r.CodeActionWait.P99 < TimeSpan.FromMilliseconds(10))]);
    }

    private static ReportSection Protocol(ProtocolResult r, (string Table, double FramingMegabytesPerSecond) micro)
    {
        var table = new StringBuilder()
            .Append("| measurement | p50 | p90 | p99 | n |\n| --- | ---: | ---: | ---: | ---: |\n")
            .Append(Row("trivial request (hover, nothing to show), in process", r.TrivialInProcess))
            .Append(Row("trivial request, over stdio (real process)", r.TrivialStdio))
            .Append(Row("code action with results known, in process", r.CodeActionInProcess))
            .Append(Row("code action with results known, over stdio", r.CodeActionStdio))
            .Append(CultureInfo.InvariantCulture, $"\n| measurement | value |\n| --- | ---: |\n")
            .Append(CultureInfo.InvariantCulture, $"| process start to `initialize` answer, median of {r.Starts.Count} | {Ms(r.StartMedian)} (all: {string.Join(", ", r.Starts.Select(s => s.TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture)))} ms) |\n")
            .Append(CultureInfo.InvariantCulture, $"| resident memory after `initialize` | {r.ResidentAfterInitializeMb:0.0} MB |\n")
            .Append(CultureInfo.InvariantCulture, $"| resident memory with {r.Documents + 1} documents open ({r.DocumentSorries + 20} sorries, all prefetched) | {r.ResidentWithDocumentsMb:0.0} MB |\n")
            .Append(CultureInfo.InvariantCulture, $"| JSON-RPC framing throughput (BenchmarkDotNet, reading frames off a pipe) | {micro.FramingMegabytesPerSecond:0} MB/s |\n\n")
            .Append("BenchmarkDotNet (in-process toolchain, short run):\n\n").Append(micro.Table);
        var chart = new SvgBarChart("Request round trips", "ms", ["trivial, in process", "trivial, stdio", "code action, in process", "code action, stdio"],
            [
                new ChartSeries("p50", [r.TrivialInProcess.P50.TotalMilliseconds, r.TrivialStdio.P50.TotalMilliseconds, r.CodeActionInProcess.P50.TotalMilliseconds, r.CodeActionStdio.P50.TotalMilliseconds]),
                new ChartSeries("p99", [r.TrivialInProcess.P99.TotalMilliseconds, r.TrivialStdio.P99.TotalMilliseconds, r.CodeActionInProcess.P99.TotalMilliseconds, r.CodeActionStdio.P99.TotalMilliseconds]),
            ]);
        return new ReportSection("protocol", "4. Protocol overhead",
            "Sequential requests, one in flight (as the editor's lightbulb asks), after a tenth as many unmeasured ones. The measuring client is the tests' LspTestClient (its own framing), so its costs are included.",
            table.ToString(),
            new JsonObject
            {
                ["startMedianMs"] = r.StartMedian.TotalMilliseconds,
                ["residentAfterInitializeMb"] = r.ResidentAfterInitializeMb,
                ["residentWithDocumentsMb"] = r.ResidentWithDocumentsMb,
                ["trivialInProcessP99Ms"] = r.TrivialInProcess.P99.TotalMilliseconds,
                ["trivialStdioP99Ms"] = r.TrivialStdio.P99.TotalMilliseconds,
                ["codeActionInProcessP99Ms"] = r.CodeActionInProcess.P99.TotalMilliseconds,
                ["codeActionStdioP50Ms"] = r.CodeActionStdio.P50.TotalMilliseconds,
                ["codeActionStdioP99Ms"] = r.CodeActionStdio.P99.TotalMilliseconds,
                ["framingMegabytesPerSecond"] = micro.FramingMegabytesPerSecond,
            },
            chart,
            [
                new TargetCheck("process start to initialize (median)", "< 300 ms", Ms(r.StartMedian), r.StartMedian < TimeSpan.FromMilliseconds(300)),
                new TargetCheck("trivial request round trip, in process", "p99 < 1 ms", r.TrivialInProcess.P99OrMax(Ms), r.TrivialInProcess.P99 < TimeSpan.FromMilliseconds(1)),
                new TargetCheck("trivial request round trip, over stdio", "p99 < 5 ms", r.TrivialStdio.P99OrMax(Ms), r.TrivialStdio.P99 < TimeSpan.FromMilliseconds(5)),
                new TargetCheck("code action with results known, over stdio", "p99 < 10 ms", r.CodeActionStdio.P99OrMax(Ms), r.CodeActionStdio.P99 < TimeSpan.FromMilliseconds(10)),
                new TargetCheck("resident memory after initialize", "< 80 MB", string.Create(CultureInfo.InvariantCulture, $"{r.ResidentAfterInitializeMb:0.0} MB"), r.ResidentAfterInitializeMb < 80),
            ]);

        static string Row(string what, LatencyStats s) =>
            string.Create(CultureInfo.InvariantCulture, $"| {what} | {Ms(s.P50)} | {Ms(s.P90)} | {s.P99OrMax(Ms)} | {s.Count} |\n");
    }

    private static ReportSection Batch(IReadOnlyList<BatchPoint> sleep, IReadOnlyList<BatchPoint> cpu, int cores)
    {
        var table = new StringBuilder("| stand-in | sessions N | sorries | solved | candidates verified | total | speed-up vs N=1 | bound with a serial import (computed) | after the imports | its speed-up vs N=1 |\n| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
        foreach (var (mode, points) in new[] { ("sleep", sleep), ("CPU", cpu) })
        {
            var one = points.Single(p => p.Sessions == 1);
            foreach (var point in points)
            {
                // Amdahl: the import happens once per session, all at once, and no session count shortens it.
                var import = one.Total - one.AfterImports;
                var bound = one.Total / (import + (one.AfterImports / point.Sessions));
                table.Append(CultureInfo.InvariantCulture, $"| {mode} | {point.Sessions} | {point.Sorries} | {point.Solved} | {point.CandidateRuns} | {S(point.Total)} | {one.Total / point.Total:0.00}× | {bound:0.00}× | {S(point.AfterImports)} | {one.AfterImports / point.AfterImports:0.00}× |\n");
            }
        }

        // The timeline of the run with the most sessions, in each mode: where the time went per session.
        foreach (var (mode, points) in new[] { ("sleep", sleep), ("CPU", cpu) })
        {
            var widest = points.MaxBy(p => p.Sessions)!;
            table.Append(CultureInfo.InvariantCulture, $"\nTimeline, {mode} mode, N={widest.Sessions} (run {S(widest.Total)}; from the stand-in's own request log):\n\n| REPL process | first request at | header import | verifying | idle | requests |\n| ---: | ---: | ---: | ---: | ---: | ---: |\n");
            foreach (var session in widest.Timeline)
            {
                table.Append(CultureInfo.InvariantCulture, $"| {session.Process} | {S(session.FirstRequest)} | {S(session.Import)} | {S(session.Busy)} | {S(session.Idle)} | {session.Requests} |\n");
            }
        }

        double SpeedUp(IReadOnlyList<BatchPoint> points, int n) =>
            points.FirstOrDefault(p => p.Sessions == n) is { } point ? points.Single(p => p.Sessions == 1).AfterImports / point.AfterImports : double.NaN;
        double WholeRun(IReadOnlyList<BatchPoint> points, int n) =>
            points.FirstOrDefault(p => p.Sessions == n) is { } point ? points.Single(p => p.Sessions == 1).Total / point.Total : double.NaN;
        var sleepTwo = SpeedUp(sleep, 2);
        var cpuTwo = SpeedUp(cpu, 2);
        var chart = new SvgBarChart("prove over a directory: speed-up vs sessions", "× faster than N=1", sleep.Select(p => $"N={p.Sessions}").ToArray(),
        [
            new ChartSeries("sleep mode", sleep.Select(p => sleep.Single(q => q.Sessions == 1).Total / p.Total).ToArray()),
            new ChartSeries("CPU mode", cpu.Select(p => cpu.Single(q => q.Sessions == 1).Total / p.Total).ToArray()),
            new ChartSeries("ideal", sleep.Select(p => (double)p.Sessions).ToArray()),
        ]);
        JsonNode Points(IReadOnlyList<BatchPoint> points) => new JsonArray(points.Select(p => (JsonNode)new JsonObject
        {
            ["sessions"] = p.Sessions,
            ["totalS"] = p.Total.TotalSeconds,
            ["sorries"] = p.Sorries,
            ["speedUp"] = points.Single(q => q.Sessions == 1).Total / p.Total,
            ["afterImportsS"] = p.AfterImports.TotalSeconds,
            ["afterImportsSpeedUp"] = points.Single(q => q.Sessions == 1).AfterImports / p.AfterImports,
            ["timeline"] = new JsonArray(p.Timeline.Select(t => (JsonNode)new JsonObject { ["process"] = t.Process, ["importS"] = t.Import.TotalSeconds, ["busyS"] = t.Busy.TotalSeconds, ["idleS"] = t.Idle.TotalSeconds }).ToArray()),
        }).ToArray());
        return new ReportSection("batch", "5. Batch throughput",
            $"`prove` over a directory of 8 files with 40 sorries from a cold start (the header import once per session, in parallel, is included), N = 1..{cores} (the machine's cores), with the command line's scheduling: one queue of targets across files, 2 × N targets and files in flight (at least 4). In **sleep** mode the stand-in sleeps for Lean's time: that measures LeanAssist's scheduling. In **CPU** mode it burns that time as CPU, as real Lean does: that measures what {cores} cores allow, LeanAssist's own CPU included. Every session imports the header at the same time and no number of sessions shortens that, so the whole run's speed-up is bounded (Amdahl; the bound column is computed from the N=1 run, not measured); the targets are checked on the part after the imports, which is what scheduling can shorten, and the whole-run figures stand beside them.",
            table.ToString(),
            new JsonObject { ["sleep"] = Points(sleep), ["cpu"] = Points(cpu) },
            chart,
            [
                new TargetCheck("batch speed-up with 2 sessions after the header imports, sleep mode (8 files, 40 sorries)", "≥ 1.8×", string.Create(CultureInfo.InvariantCulture, $"{sleepTwo:0.00}× (whole run {WholeRun(sleep, 2):0.00}×)"), sleepTwo >= 1.8),
                new TargetCheck("batch speed-up with 2 sessions after the header imports, CPU mode (8 files, 40 sorries)", "≥ 1.6×", string.Create(CultureInfo.InvariantCulture, $"{cpuTwo:0.00}× (whole run {WholeRun(cpu, 2):0.00}×)"), cpuTwo >= 1.6),
            ]);
    }

    /// <summary>BenchmarkDotNet's micro-benchmarks (framing and the REPL codec); returns its table and framing MB/s.</summary>
    private static (string Table, double FramingMegabytesPerSecond) Micro(bool quick)
    {
        var job = (quick ? Job.Dry : Job.ShortRun).WithToolchain(InProcessEmitToolchain.Instance);
        var config = ManualConfig.CreateMinimumViable().AddJob(job).WithOptions(ConfigOptions.DisableLogFile | ConfigOptions.JoinSummary);
        var summary = BenchmarkRunner.Run([BenchmarkConverter.TypeToBenchmarks(typeof(FramingBenchmarks), config), BenchmarkConverter.TypeToBenchmarks(typeof(ReplCodecBenchmarks), config)]).Single();
        var rows = new StringBuilder("| benchmark | mean | allocated |\n| --- | ---: | ---: |\n");
        double framing = 0;
        foreach (var report in summary.Reports)
        {
            var mean = report.ResultStatistics?.Mean ?? double.NaN;
            var allocated = report.GcStats.GetBytesAllocatedPerOperation(report.BenchmarkCase);
            rows.Append(CultureInfo.InvariantCulture, $"| {report.BenchmarkCase.Descriptor.DisplayInfo} | {mean / 1000:0.0} µs | {allocated / 1024.0:0.0} KB |\n");
            if (report.BenchmarkCase.Descriptor.WorkloadMethod.Name == nameof(FramingBenchmarks.ReadFrames) && mean > 0)
            {
                framing = FramingBenchmarks.Bytes / (mean / 1e9) / 1024 / 1024;
            }
        }

        return (rows.ToString(), framing);
    }

    private static string Ms(TimeSpan t) => t.TotalMilliseconds < 10
        ? string.Create(CultureInfo.InvariantCulture, $"{t.TotalMilliseconds:0.000} ms")
        : string.Create(CultureInfo.InvariantCulture, $"{t.TotalMilliseconds:0.0} ms");

    private static string S(TimeSpan t) => string.Create(CultureInfo.InvariantCulture, $"{t.TotalSeconds:0.00} s");
}
