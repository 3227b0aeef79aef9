using System.CommandLine;
using System.Globalization;
using BenchmarkDotNet.Running;
using LeanAssist.Benchmarks.Scenarios;
using LeanAssist.Lean.Pool;

namespace LeanAssist.Benchmarks;

/// <summary>
/// <c>dotnet run -c Release --project bench/LeanAssist.Benchmarks -- VERB [options]</c>. The REPL is the scripted
/// stand-in with the cost model given by the options; every verb prints a Markdown table.
/// </summary>
public static class Program
{
    private static readonly Option<double> HeaderSeconds = new("--header-seconds") { Description = "Header import cost.", DefaultValueFactory = _ => 12 };
    private static readonly Option<double> TacticMilliseconds = new("--tactic-ms") { Description = "Cost of one tactic.", DefaultValueFactory = _ => 50 };
    private static readonly Option<double> CommandMilliseconds = new("--command-ms") { Description = "Cost of one command above the target.", DefaultValueFactory = _ => 5 };
    private static readonly Option<string> DeclarationMilliseconds = new("--declaration-ms") { Description = "Cost of elaborating the target declaration (comma-separated list for 'transfer').", DefaultValueFactory = _ => "20" };
    private static readonly Option<int> Candidates = new("--candidates") { Description = "Candidate tactics per goal.", DefaultValueFactory = _ => 8 };
    private static readonly Option<string> Sessions = new("--sessions") { Description = "Session counts, comma-separated.", DefaultValueFactory = _ => "1,2,4" };
    private static readonly Option<string> NaiveParallelism = new("--naive-parallelism") { Description = "Fresh processes at a time for the naive approach, comma-separated.", DefaultValueFactory = _ => "1,4" };
    private static readonly Option<int> Requests = new("--requests") { Description = "Measured requests for the overhead scenario.", DefaultValueFactory = _ => 2000 };

    public static async Task<int> Main(string[] args)
    {
        var root = new RootCommand("LeanAssist benchmarks (the REPL is the scripted stand-in with a set cost model).");
        root.Subcommands.Add(Verb("performance", "The issue's performance section: candidates with 1/2/4 sessions vs a fresh process per candidate, client overhead, parallel efficiency.", PerformanceAsync,
            HeaderSeconds, TacticMilliseconds, CommandMilliseconds, DeclarationMilliseconds, Candidates, Sessions, NaiveParallelism, Requests));
        root.Subcommands.Add(Verb("candidates", "Verify K candidates on one goal with N warm sessions.", CandidatesAsync,
            HeaderSeconds, TacticMilliseconds, CommandMilliseconds, DeclarationMilliseconds, Candidates, Sessions));
        root.Subcommands.Add(Verb("naive", "A fresh Lean process per candidate.", NaiveAsync, HeaderSeconds, TacticMilliseconds, CommandMilliseconds, DeclarationMilliseconds, Candidates, NaiveParallelism));
        root.Subcommands.Add(Verb("overhead", "Per-request cost of the client, the process round trip and the pool.", OverheadAsync, Requests));
        root.Subcommands.Add(Verb("transfer", "Proof-state transfer: replay the declaration vs pickle/unpickle, by declaration cost.", TransferAsync,
            HeaderSeconds, TacticMilliseconds, CommandMilliseconds, DeclarationMilliseconds, Candidates, Sessions));
        var searchDeclarations = new Option<int>("--declarations") { Description = "Sorries searched (each a 4-step proof with a case split).", DefaultValueFactory = _ => 4 };
        var search = Verb("search", "Proof search: nodes/s, overhead per node beyond Lean's time, parallel efficiency on 1 and 2 sessions, time to first proof, second search after a restart.",
            (result, token) => SearchAsync(result, result.GetValue(searchDeclarations), token), HeaderSeconds, TacticMilliseconds, CommandMilliseconds, DeclarationMilliseconds);
        search.Options.Add(searchDeclarations);
        root.Subcommands.Add(search);
        var servers = new Option<string>("--servers") { Description = "Kimina server counts, comma-separated.", DefaultValueFactory = _ => "1,2,4" };
        var repls = new Option<int>("--repls") { Description = "Each Kimina double's REPLs (capacity).", DefaultValueFactory = _ => 4 };
        var snippetMs = new Option<double>("--snippet-ms") { Description = "Each snippet's time on a Kimina double's REPL.", DefaultValueFactory = _ => 200 };
        root.Subcommands.Add(Verb("remote", "prove over a 40-sorry directory on 1/2/4 Kimina test doubles (fixed capacity and latency): throughput, scaling, overhead per check.",
            (result, token) => RemoteAsync(result, token, servers, repls, snippetMs), servers, repls, snippetMs));
        var budgets = new Option<string>("--confirm") { Description = "Confirmation budgets (leanAssist.confirmation.candidates), comma-separated.", DefaultValueFactory = _ => "1,3" };
        var benchSessions = new Option<int>("--bench-sessions") { Description = "Sessions.", DefaultValueFactory = _ => 2 };
        var confirmation = new Command("confirmation", "What the declaration check adds per solved target (prove on the 20-sorry file).") { HeaderSeconds, TacticMilliseconds, CommandMilliseconds, DeclarationMilliseconds, budgets, benchSessions };
        confirmation.SetAction((result, token) => ConfirmationAsync(result, result.GetValue(budgets)!, result.GetValue(benchSessions), token));
        root.Subcommands.Add(confirmation);
        var runs = new Option<int>("--runs") { Description = "Suggestion runs on the target.", DefaultValueFactory = _ => 5 };
        var timeouts = new Command("timeouts", "Header re-imports caused by a tactic that times out, with and without the timeout memory.") { HeaderSeconds, runs };
        timeouts.SetAction((result, token) => TimeoutsAsync(result.GetValue(HeaderSeconds), result.GetValue(runs), token));
        root.Subcommands.Add(timeouts);
        var files = new Option<int>("--files") { DefaultValueFactory = _ => 300 };
        var headers = new Option<int>("--headers") { DefaultValueFactory = _ => 40 };
        var edits = new Option<int>("--edits") { DefaultValueFactory = _ => 3000 };
        var sampleEvery = new Option<int>("--sample-every") { DefaultValueFactory = _ => 250 };
        var idleGrace = new Option<double>("--idle-group-seconds") { Description = "Idle groups release memory after this (the product: 900 s).", DefaultValueFactory = _ => 20 };
        var soak = new Command("soak", "A long editing day with the stand-in: thousands of edits over hundreds of files; prints the server's memory over time.") { files, headers, edits, sampleEvery, idleGrace };
        soak.SetAction((result, token) => SoakAsync(result.GetValue(files), result.GetValue(headers), result.GetValue(edits), result.GetValue(sampleEvery), result.GetValue(idleGrace), token));
        root.Subcommands.Add(soak);
        var quick = new Option<bool>("--quick") { Description = "Header 1 s and fewer repetitions: checks the report runs; do not quote its numbers." };
        var llmMilliseconds = new Option<double>("--llm-ms") { Description = "LLM answer latency.", DefaultValueFactory = _ => 1500 };
        var warmSessions = new Option<int>("--warm-sessions") { Description = "Sessions for the scenarios that do not vary them.", DefaultValueFactory = _ => 2 };
        var output = new Option<string>("--out") { Description = "Where benchmarks.md and benchmarks/ are written.", DefaultValueFactory = _ => "docs" };
        var only = new Option<string[]>("--only") { Description = "Run only these sections: fan-out, naive-vs-warm, naive-full, edit-replay, protocol, shipped, batch (write the partial report elsewhere with --out).", AllowMultipleArgumentsPerToken = true };
        var naiveHeader = new Option<double>("--naive-header-seconds") { Description = "Header import cost for the full naive run (naive-full), so that it ends in minutes.", DefaultValueFactory = _ => 1 };
        var report = new Command("report", "Run every scenario (fan-out, naive vs warm, edit replay, protocol, batch) and write docs/benchmarks.md, benchmarks/results.json and one SVG chart per scenario.")
        {
            HeaderSeconds, TacticMilliseconds, CommandMilliseconds, llmMilliseconds, warmSessions, output, quick, only, naiveHeader,
        };
        report.SetAction((result, token) =>
        {
            var isQuick = result.GetValue(quick);
            var cost = new StandInCostModel(
                HeaderSeconds: isQuick ? 1 : result.GetValue(HeaderSeconds),
                CommandMilliseconds: result.GetValue(CommandMilliseconds),
                TacticMilliseconds: result.GetValue(TacticMilliseconds));
            var command = "dotnet run -c Release --project bench/LeanAssist.Benchmarks -- " + string.Join(' ', args);
            return Report.ReportBuilder.RunAsync(new Report.ReportOptions(cost, result.GetValue(llmMilliseconds), result.GetValue(warmSessions), result.GetValue(output)!, isQuick, command, result.GetValue(only)?.ToHashSet(StringComparer.Ordinal), result.GetValue(naiveHeader)), token);
        });
        root.Subcommands.Add(report);
        var reliabilityShort = new Option<bool>("--short") { Description = "The short version .ci/run uses (smaller counts, same invariants; about two minutes)." };
        var reliabilitySeed = new Option<int>("--seed") { Description = "Seed for the random frames and faults.", DefaultValueFactory = _ => 17 };
        var reliabilityOut = new Option<string>("--out") { Description = "Where the report is written.", DefaultValueFactory = _ => "docs/reliability.md" };
        var reliabilityOnly = new Option<string[]>("--only") { Description = "Run only these campaigns: lsp, repl, llm, disk, load.", AllowMultipleArgumentsPerToken = true };
        var reliability = new Command("reliability", "Fault and fuzz campaigns (LSP fuzzing, REPL faults, LLM faults, disk faults, load) with their figures; writes docs/reliability.md and fails when an invariant does not hold.")
        {
            reliabilityShort, reliabilitySeed, reliabilityOut, reliabilityOnly,
        };
        reliability.SetAction((result, token) => Reliability.ReliabilityReport.RunAsync(new Reliability.ReliabilityOptions(
            result.GetValue(reliabilityShort), result.GetValue(reliabilitySeed), result.GetValue(reliabilityOut)!,
            result.GetValue(reliabilityOnly) is { Length: > 0 } only ? only.ToHashSet(StringComparer.Ordinal) : null, "dotnet run -c Release --project bench/LeanAssist.Benchmarks -- " + string.Join(' ', args)), token));
        root.Subcommands.Add(reliability);
        var codec = new Command("codec", "BenchmarkDotNet micro-benchmarks of request encoding and answer parsing.");
        codec.SetAction(_ => BenchmarkRunner.Run<ReplCodecBenchmarks>() is null ? 1 : 0);
        root.Subcommands.Add(codec);
        return await root.Parse(args).InvokeAsync().ConfigureAwait(false);
    }

    private static Command Verb(string name, string description, Func<ParseResult, CancellationToken, Task> run, params Option[] options)
    {
        var command = new Command(name, description);
        foreach (var option in options)
        {
            command.Options.Add(option);
        }

        command.SetAction(async (result, token) =>
        {
            await run(result, token).ConfigureAwait(false);
            return 0;
        });
        return command;
    }

    private static StandInCostModel Cost(ParseResult result, double? declaration = null) => new(
        HeaderSeconds: result.GetValue(HeaderSeconds),
        CommandMilliseconds: result.GetValue(CommandMilliseconds),
        DeclarationMilliseconds: declaration ?? Numbers(result.GetValue(DeclarationMilliseconds)!)[0],
        TacticMilliseconds: result.GetValue(TacticMilliseconds));

    private static double[] Numbers(string list) =>
        list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(n => double.Parse(n, CultureInfo.InvariantCulture)).ToArray();

    private static async Task PerformanceAsync(ParseResult result, CancellationToken token)
    {
        Console.WriteLine($"# LeanAssist performance (stand-in cost model: {Cost(result)})\n");
        await CandidatesAsync(result, token).ConfigureAwait(false);
        await NaiveAsync(result, token).ConfigureAwait(false);
        await OverheadAsync(result, token).ConfigureAwait(false);
    }

    private static async Task SearchAsync(ParseResult result, int declarations, CancellationToken token)
    {
        var cost = Cost(result);
        Console.WriteLine($"## Proof search: {declarations} sorries, each a 4-step proof with a case split ({cost})\n");
        Console.WriteLine("| sessions | found | nodes | total | nodes/s | time to first proof | Lean's own time (all sessions) | Lean requests | overhead per node beyond Lean | second search after restart: Lean requests | second search time |");
        Console.WriteLine("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        var runs = new List<ProofSearchRun>();
        foreach (var sessions in new[] { 1, 2 })
        {
            var run = await ProofSearchScenario.RunAsync(new ProofSearchParameters(sessions, declarations, cost), token).ConfigureAwait(false);
            runs.Add(run);
            var overhead = sessions == 1 ? $"{run.OverheadPerNodeMs:0.00} ms" : "n/a (Lean runs in parallel)";
            Console.WriteLine($"| {sessions} | {run.Found}/{declarations} | {run.Nodes} | {S(run.Total)} | {run.NodesPerSecond:0.0} | {S(run.FirstProof)} | {S(run.LeanOwn)} | {run.LeanRequests} | {overhead} | {run.SecondSearchLeanRequests} | {Ms(run.SecondSearch)} |");
        }

        // Computed from the two measured totals, not measured itself.
        Console.WriteLine($"\nParallel efficiency on 2 sessions (computed: T1 / (2 × T2)): {runs[0].Total / (2 * runs[1].Total):P1}. Overhead per node = (wall time − the stand-in's own time for every request) / nodes, on 1 session.\n");
    }

    private static async Task CandidatesAsync(ParseResult result, CancellationToken token)
    {
        var cost = Cost(result);
        var candidates = result.GetValue(Candidates);
        Console.WriteLine($"## {candidates} candidates on one goal, warm sessions ({cost})\n");
        Console.WriteLine("| sessions | warm-up (header import) | load file | first batch (incl. proof-state replay) | warm batch | ideal warm batch | parallel efficiency | cold total | solved |");
        Console.WriteLine("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (var sessions in Numbers(result.GetValue(Sessions)!).Select(n => (int)n))
        {
            var run = await CandidateVerificationScenario.RunAsync(new CandidateVerificationParameters(sessions, candidates, cost), token).ConfigureAwait(false);
            Console.WriteLine($"| {sessions} | {S(run.WarmUp)} | {Ms(run.Load)} | {Ms(run.FirstBatch)} | {Ms(run.WarmBatch)} | {Ms(run.IdealWarmBatch)} | {run.WarmEfficiency:P1} | {S(run.ColdTotal)} | {run.Solved}/{2 * candidates} |");
        }

        Console.WriteLine();
    }

    private static async Task NaiveAsync(ParseResult result, CancellationToken token)
    {
        var cost = Cost(result);
        var candidates = result.GetValue(Candidates);
        Console.WriteLine($"## Naive: a fresh Lean process per candidate ({candidates} candidates)\n");
        Console.WriteLine("| processes at a time | total | per candidate | solved |");
        Console.WriteLine("| ---: | ---: | ---: | ---: |");
        foreach (var parallelism in Numbers(result.GetValue(NaiveParallelism)!).Select(n => (int)n))
        {
            var run = await NaiveFreshProcessScenario.RunAsync(new NaiveFreshProcessParameters(candidates, cost, parallelism), token).ConfigureAwait(false);
            Console.WriteLine($"| {parallelism} | {S(run.Total)} | {S(run.Total / candidates)} | {run.Solved}/{candidates} |");
        }

        Console.WriteLine();
    }

    private static async Task OverheadAsync(ParseResult result, CancellationToken token)
    {
        var run = await ClientOverheadScenario.RunAsync(new ClientOverheadParameters(result.GetValue(Requests)), token).ConfigureAwait(false);
        Console.WriteLine($"## Per-request overhead (stand-in answering at once, {run.PoolRoundTrip.Count} sequential requests)\n");
        Console.WriteLine("| what | mean | p50 | p90 | p99 |");
        Console.WriteLine("| --- | ---: | ---: | ---: | ---: |");
        Row("encode request + parse answer (in process, CPU only)", run.Codec);
        Row("round trip through one ReplProcess (pipes)", run.ProcessRoundTrip);
        Row("round trip through the pool (queue, scheduling, verdict)", run.PoolRoundTrip);
        Row("the stand-in's own time per request (its log)", run.StandInTime);
        Console.WriteLine($"\nClient overhead per request (pool round trip − stand-in time, p50; includes the OS pipe transfer): {LatencyStats.Ms(run.ClientOverheadP50)}; the pool adds {LatencyStats.Ms(run.PoolOverProcessP50)} over a bare process round trip.\n");

        static void Row(string what, LatencyStats s) =>
            Console.WriteLine($"| {what} | {LatencyStats.Ms(s.Mean)} | {LatencyStats.Ms(s.P50)} | {LatencyStats.Ms(s.P90)} | {LatencyStats.Ms(s.P99)} |");
    }

    private static async Task TransferAsync(ParseResult result, CancellationToken token)
    {
        var candidates = result.GetValue(Candidates);
        var sessions = (int)Numbers(result.GetValue(Sessions)!).Max();
        Console.WriteLine($"## Proof-state transfer: {candidates} candidates, {sessions} sessions, first batch (the other sessions must get the proof state)\n");
        Console.WriteLine("| declaration cost | replay: first batch | pickle: first batch | warm batch (both) |");
        Console.WriteLine("| ---: | ---: | ---: | ---: |");
        foreach (var declaration in Numbers(result.GetValue(DeclarationMilliseconds)!))
        {
            var cost = Cost(result, declaration);
            var replay = await CandidateVerificationScenario.RunAsync(new CandidateVerificationParameters(sessions, candidates, cost, ProofStateTransfer.Replay), token).ConfigureAwait(false);
            var pickle = await CandidateVerificationScenario.RunAsync(new CandidateVerificationParameters(sessions, candidates, cost, ProofStateTransfer.Pickle), token).ConfigureAwait(false);
            Console.WriteLine($"| {declaration} ms | {Ms(replay.FirstBatch)} | {Ms(pickle.FirstBatch)} | {Ms(replay.WarmBatch)} / {Ms(pickle.WarmBatch)} |");
        }

        Console.WriteLine();
    }

    private static async Task RemoteAsync(ParseResult result, CancellationToken token, Option<string> servers, Option<int> repls, Option<double> snippetMs)
    {
        var parameters = new RemoteParameters(Numbers(result.GetValue(servers)!).Select(n => (int)n).ToArray(), result.GetValue(repls), result.GetValue(snippetMs));
        Console.WriteLine($"## Remote verification: prove over {parameters.Files * parameters.SorriesPerFile} sorries ({parameters.Files} files) on Kimina test doubles, {parameters.Repls} REPLs each, {parameters.SnippetMilliseconds} ms per snippet\n");
        Console.WriteLine("| servers | wall time | sorries solved | checks | checks/s | ideal wall time (computed) | efficiency | scaling vs 1 server |");
        Console.WriteLine("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        var points = await RemoteVerificationScenario.RunAsync(parameters, token).ConfigureAwait(false);
        foreach (var point in points)
        {
            Console.WriteLine($"| {point.Servers} | {S(point.Total)} | {point.Solved}/{point.Sorries} | {point.Checks} | {point.ChecksPerSecond:0.0} | {point.IdealSeconds:0.00} s | {point.Efficiency:P0} | {point.ChecksPerSecond / points[0].ChecksPerSecond:0.00}× |");
        }

        var overhead = await RemoteVerificationScenario.OverheadAsync(parameters, token).ConfigureAwait(false);
        Console.WriteLine($"\n### Per check, one at a time on one server ({overhead.RoundTrip.Count} checks, server time {overhead.ServerTime.TotalMilliseconds:0} ms each)\n");
        Console.WriteLine("| what | mean | p50 | p90 | p99 |");
        Console.WriteLine("| --- | ---: | ---: | ---: | ---: |");
        Console.WriteLine($"| round trip (snippet built, HTTP, JSON, verdict) | {LatencyStats.Ms(overhead.RoundTrip.Mean)} | {LatencyStats.Ms(overhead.RoundTrip.P50)} | {LatencyStats.Ms(overhead.RoundTrip.P90)} | {LatencyStats.Ms(overhead.RoundTrip.P99)} |");
        Console.WriteLine($"| beyond the server's time | {LatencyStats.Ms(overhead.BeyondServer.Mean)} | {LatencyStats.Ms(overhead.BeyondServer.P50)} | {LatencyStats.Ms(overhead.BeyondServer.P90)} | {LatencyStats.Ms(overhead.BeyondServer.P99)} |");
        Console.WriteLine();
    }

    private static async Task ConfirmationAsync(ParseResult result, string budgets, int sessions, CancellationToken token)
    {
        var cost = Cost(result);
        Console.WriteLine($"## The declaration check: what it adds per solved target (20-sorry file, {sessions} sessions, {cost})\n");
        Console.WriteLine("| confirmation.candidates | solved | declaration checks | checks per solved | check Lean time | per solved target | all Lean time | check share | wall |");
        Console.WriteLine("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (var point in await VerificationCostScenarios.ConfirmationAsync(cost, sessions, Numbers(budgets).Select(n => (int)n).ToArray(), token).ConfigureAwait(false))
        {
            Console.WriteLine($"| {point.ConfirmCandidates} | {point.Solved} | {point.Checks} | {point.ChecksPerSolved:0.00} | {Ms(point.CheckLean)} | {Ms(point.CheckLeanPerSolved)} | {Ms(point.Lean)} | {point.CheckLean / point.Lean:P1} | {S(point.Wall)} |");
        }

        Console.WriteLine();
    }

    private static async Task TimeoutsAsync(double headerSeconds, int runs, CancellationToken token)
    {
        Console.WriteLine($"## A tactic that times out, suggested {runs} times (header {headerSeconds} s, request timeout 1 s, the tactic takes 5 s)\n");
        Console.WriteLine("| setting | runs | timeouts (tactic run) | skipped (timed out earlier) | header imports | REPL processes started | wall |");
        Console.WriteLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (var point in await VerificationCostScenarios.TimeoutsAsync(headerSeconds, runs, token).ConfigureAwait(false))
        {
            Console.WriteLine($"| {point.Setting} | {point.Runs} | {point.Timeouts} | {point.Skipped} | {point.HeaderImports} | {point.ProcessesStarted} | {S(point.Wall)} |");
        }

        Console.WriteLine("\nHeader imports count the first session's import too; each timeout adds one (the killed session's replacement).\n");
    }

    private static async Task SoakAsync(int files, int headers, int edits, int sampleEvery, double idleGroupSeconds, CancellationToken token)
    {
        Console.WriteLine($"## Soak: {edits} edits over {files} files ({headers} headers), idle groups release memory after {idleGroupSeconds} s (compressed day)\n");
        Console.WriteLine("Memory of this process, which hosts the server's whole pipeline (the stand-in REPL processes are not counted); GC heap size after a full collection; 8 headers are in use at a time and the day moves to the next 8 every tenth of the edits.\n");
        Console.WriteLine("| edits | elapsed | GC heap | working set | session groups | outcomes in memory | newest-build entries | learning entries | sessions |");
        Console.WriteLine("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        await VerificationCostScenarios.SoakAsync(files, headers, edits, sampleEvery, TimeSpan.FromSeconds(idleGroupSeconds),
            s => Console.WriteLine($"| {s.Edits} | {S(s.Elapsed)} | {s.ManagedMegabytes:0.0} MB | {s.WorkingSetMegabytes:0} MB | {s.Groups} | {s.OutcomesInMemory} | {s.NewestBuildEntries} | {s.LearningEntries} | {s.Sessions} |"),
            token).ConfigureAwait(false);
        Console.WriteLine();
    }

    private static string Ms(TimeSpan t) => $"{t.TotalMilliseconds:0} ms";

    private static string S(TimeSpan t) => $"{t.TotalSeconds:0.00} s";
}
