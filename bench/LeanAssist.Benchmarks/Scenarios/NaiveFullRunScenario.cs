using System.Diagnostics;
using LeanAssist.Benchmarks.Workloads;
using LeanAssist.Lean.Repl;
using LeanAssist.Lean.Source;
using LeanAssist.Server.Prove;
using LeanAssist.Suggestions.Candidates;
using LeanAssist.Suggestions.Portfolio;
using LeanAssist.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace LeanAssist.Benchmarks.Scenarios;

/// <param name="Cost">The cost model both approaches run on (its header is chosen so that the full naive run takes minutes, not hours).</param>
public sealed record NaiveFullRunParameters(StandInCostModel Cost, int Sessions);

/// <param name="Processes">Fresh REPL processes the approach started.</param>
/// <param name="FirstVerified">From the start to the first verified candidate of the first sorry.</param>
public sealed record MeasuredRun(TimeSpan Total, TimeSpan FirstVerified, int Processes, int Verifications, int Solved);

/// <summary>Three approaches on one 20-sorry file and one cost model, every figure measured.</summary>
/// <param name="Naive">A fresh process per candidate, sequential, every candidate LeanAssist verified.</param>
/// <param name="NaiveFirstHit">The careful script: the same, but stopping at a sorry's first candidate that closes it.</param>
/// <param name="LeanAssist">LeanAssist's <c>prove</c> from a cold start, portfolio only.</param>
public sealed record NaiveFullRunResult(NaiveFullRunParameters Parameters, MeasuredRun Naive, MeasuredRun NaiveFirstHit, MeasuredRun LeanAssist);

/// <summary>
/// The naive baselines run in full: for each candidate a new REPL process imports the header, elaborates the
/// file down to the candidate's sorry, and runs the candidate on that sorry's proof state (what a script
/// around a fresh <c>lake env repl</c> per candidate does). The candidates and their order are LeanAssist's
/// own for the same file (portfolio only, no LLM), so both approaches do the same verifications; the
/// verdicts come from the stand-in in both.
/// </summary>
public static class NaiveFullRunScenario
{
    public static async Task<NaiveFullRunResult> RunAsync(NaiveFullRunParameters parameters, CancellationToken cancellationToken)
    {
        var script = TwentySorries.Script(parameters.Cost);
        var text = TwentySorries.File();

        // LeanAssist first: its report gives the candidates per sorry, in the order it tried them.
        ProveReport report;
        TimeSpan leanAssistTotal;
        int leanAssistProcesses;
        await using (var pipeline = BenchPipeline.Start(script, parameters.Sessions))
        {
            var path = pipeline.Project.WriteFile("Twenty.lean", text);
            var clock = Stopwatch.StartNew();
            report = await pipeline.Prove.RunAsync(new ProveRequest([path], null, false, false, ProveRequest.ParallelismFor(parameters.Sessions)), null, cancellationToken).ConfigureAwait(false);
            leanAssistTotal = clock.Elapsed;
            leanAssistProcesses = pipeline.Log.ProcessesStarted;
            pipeline.Project.Dispose();
        }

        var targets = report.Files.Single().Targets;
        var leanAssist = new MeasuredRun(leanAssistTotal, TimeSpan.Zero, leanAssistProcesses, report.Summary.LeanRuns, report.Summary.Solved);
        var naive = await RunNaiveAsync(script, text, targets, stopAtFirstHit: false, cancellationToken).ConfigureAwait(false);
        var firstHit = await RunNaiveAsync(script, text, targets, stopAtFirstHit: true, cancellationToken).ConfigureAwait(false);
        return new NaiveFullRunResult(parameters, naive, firstHit, leanAssist);
    }

    private static async Task<MeasuredRun> RunNaiveAsync(string script, string text, IReadOnlyList<ProvedTarget> targets, bool stopAtFirstHit, CancellationToken cancellationToken)
    {
        using var directory = new TemporaryDirectory();
        var scriptFile = directory.WriteFile("script.json", script);
        var layout = LeanSourceSplitter.Split(text);
        var clock = Stopwatch.StartNew();
        TimeSpan firstVerified = TimeSpan.Zero;
        int processes = 0, verifications = 0, solved = 0;
        for (var index = 0; index < targets.Count; index++)
        {
            foreach (var candidate in InProposalOrder(targets[index]))
            {
                processes++;
                verifications++;
                var status = await VerifyInFreshProcessAsync(directory.Path, scriptFile, layout, index, candidate, cancellationToken).ConfigureAwait(false);
                if (status is "Completed")
                {
                    if (firstVerified == TimeSpan.Zero)
                    {
                        firstVerified = clock.Elapsed;
                    }

                    solved++;
                    if (stopAtFirstHit)
                    {
                        break;
                    }
                }
            }
        }

        return new MeasuredRun(clock.Elapsed, firstVerified, processes, verifications, stopAtFirstHit ? solved : targets.Count(t => t.Status == "solved"));
    }

    /// <summary>
    /// The candidates LeanAssist tried on a target in the order a script would try them: the portfolio's
    /// proposal order (the report lists them ranked by verdict, which would tell the script the answer),
    /// then the ones derived from others' "Try this".
    /// </summary>
    private static IEnumerable<string> InProposalOrder(ProvedTarget target)
    {
        var order = PortfolioProposer.Propose(new ProposalRequest { Goal = target.Goal, Imports = ["Mathlib"], MaxCandidates = 64 })
            .Select((candidate, rank) => (candidate.Tactic, rank))
            .GroupBy(x => x.Tactic, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Min(x => x.rank), StringComparer.Ordinal);
        return target.Candidates.Select(c => c.Tactic).OrderBy(t => order.TryGetValue(t, out var rank) ? rank : int.MaxValue);
    }

    /// <summary>One candidate on the <paramref name="sorryIndex"/>-th sorry of the file, in a process of its own; returns the REPL's proofStatus.</summary>
    private static async Task<string?> VerifyInFreshProcessAsync(string directory, string script, LeanSourceLayout layout, int sorryIndex, string tactic, CancellationToken cancellationToken)
    {
        var timeout = TimeSpan.FromMinutes(10);
        await using var lean = ReplProcess.Start(ReplStandInLauncher.Spec(directory, "scripted", "--script", script), 1 << 24, NullLogger.Instance, "naive");
        var env = ((ReplCommandResponse)(await lean.SendAsync(new ReplCommandRequest(layout.Header.Text), timeout, cancellationToken).ConfigureAwait(false)).Response).Env;
        var seen = 0;
        foreach (var command in layout.Commands)
        {
            var answer = (ReplCommandResponse)(await lean.SendAsync(new ReplCommandRequest(command.Text, env), timeout, cancellationToken).ConfigureAwait(false)).Response;
            env = answer.Env;
            foreach (var sorry in answer.Sorries)
            {
                if (seen++ == sorryIndex && sorry.ProofState is { } proofState)
                {
                    var run = await lean.SendAsync(new ReplTacticRequest(tactic, proofState), timeout, cancellationToken).ConfigureAwait(false);
                    return run.Response is ReplTacticResponse { HasErrors: false } response ? response.ProofStatus : null;
                }
            }
        }

        return null;
    }
}
