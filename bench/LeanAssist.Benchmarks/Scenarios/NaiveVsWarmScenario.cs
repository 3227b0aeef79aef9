using System.Diagnostics;
using LeanAssist.Benchmarks.Workloads;
using LeanAssist.Lean.Sessions;
using LeanAssist.Lean.Text;
using LeanAssist.Suggestions.Verification;
using LeanAssist.Server.Prove;
using LeanAssist.Suggestions.Candidates;
using LeanAssist.Suggestions.Portfolio;
using LeanAssist.Testing.Hosting;

namespace LeanAssist.Benchmarks.Scenarios;

public sealed record NaiveVsWarmParameters(StandInCostModel Cost, int Sessions, double LlmMilliseconds, int NaiveSamples = 3);

/// <param name="WarmFirstSuggestion">Cold start (no session running) to the first verified candidate of the first sorry.</param>
/// <param name="WarmSessionsFirstSuggestion">The same for a new file with the same imports while sessions are warm (the editor's case: the file was opened, its header imported in the background).</param>
public sealed record NaiveVsWarmResult(
    TimeSpan WarmFirstSuggestion,
    TimeSpan WarmSessionsFirstSuggestion,
    TimeSpan WarmTotal,
    int CandidateRuns,
    int LeanRequests,
    int LlmCalls,
    int Solved,
    int ProgressOnly,
    int Unsolved,
    TimeSpan RepeatTotal,
    int RepeatLeanRequests,
    int RepeatLeanProcesses,
    int RepeatLlmCalls,
    int RepeatVerdictCacheHits,
    TimeSpan NaivePerVerification,
    int NaiveFirstVerifiedIndex)
{
    /// <summary>Naive: one fresh process per verification, one after another, for the same verifications.</summary>
    public TimeSpan NaiveTotal => NaivePerVerification * CandidateRuns;

    /// <summary>Naive: the first target's candidates in proposal order until one is verified.</summary>
    public TimeSpan NaiveFirstSuggestion => NaivePerVerification * NaiveFirstVerifiedIndex;

    public double TotalRatio => NaiveTotal / WarmTotal;

    public double FirstSuggestionRatio => NaiveFirstSuggestion / WarmFirstSuggestion;

    public double WarmSessionsFirstSuggestionRatio => NaiveFirstSuggestion / WarmSessionsFirstSuggestion;
}

/// <summary>
/// The same 20-sorry file proved two ways on one cost model: LeanAssist (warm sessions, parallel
/// verification, the LLM asked alongside the portfolio, caches) from a cold start, then again after a
/// restart with warm caches; and the naive approach (a fresh <c>lake env lean</c> process per candidate,
/// one after another), timed per verification on real fresh stand-in processes and multiplied out.
/// </summary>
public static class NaiveVsWarmScenario
{
    public static async Task<NaiveVsWarmResult> RunAsync(NaiveVsWarmParameters parameters, CancellationToken cancellationToken)
    {
        await using var llm = await BenchLlm.StartAsync(parameters.LlmMilliseconds, cancellationToken).ConfigureAwait(false);
        var llmSettings = BenchLlm.Settings(llm);
        var script = Workloads.TwentySorries.Script(parameters.Cost);

        // Cold: nothing warm, nothing cached. The first sorry first, timed to its first verified candidate.
        var first = BenchPipeline.Start(script, parameters.Sessions, settings: llmSettings);
        var path = first.Project.WriteFile("Twenty.lean", Workloads.TwentySorries.File());
        var clock = Stopwatch.StartNew();
        var firstVerified = await FirstVerifiedAsync(first, path, clock, cancellationToken).ConfigureAwait(false);
        var report = await first.Prove.RunAsync(new ProveRequest([path], null, false, UseLlm: true, ProveRequest.ParallelismFor(parameters.Sessions)), null, cancellationToken).ConfigureAwait(false);
        var warmTotal = clock.Elapsed;
        var coldLeanRequests = first.Log.Requests.Count;
        var coldLlmCalls = llm.Requests.Count;

        // Warm sessions, new goals (another file with the same imports): the editor's first suggestion.
        var other = first.Project.WriteFile("Other.lean", Workloads.TwentySorries.File(variant: 7));
        var warmSessionsFirst = await FirstVerifiedAsync(first, other, Stopwatch.StartNew(), cancellationToken).ConfigureAwait(false);

        var project = first.Project;
        var caches = first.CacheDirectory;
        await first.DisposeAsync().ConfigureAwait(false);

        // Counted once everything of the first run has stopped, so the restart's numbers are its own.
        var leanRequests = first.Log.Requests.Count;
        var leanProcesses = first.Log.ProcessesStarted;
        var llmCalls = llm.Requests.Count;

        // Restarted: a new process would find the same caches. Its Lean work is counted after it stopped,
        // so work it started in the background and never waited for is counted too.
        var restarted = BenchPipeline.Start(script, parameters.Sessions, project, caches, llmSettings);
        ProveReport repeat;
        TimeSpan repeatTotal;
        try
        {
            clock.Restart();
            repeat = await restarted.Prove.RunAsync(new ProveRequest([path], null, false, UseLlm: true, ProveRequest.ParallelismFor(parameters.Sessions)), null, cancellationToken).ConfigureAwait(false);
            repeatTotal = clock.Elapsed;
        }
        finally
        {
            await restarted.DisposeAsync().ConfigureAwait(false);
        }

        var repeatLeanRequests = restarted.Log.Requests.Count - leanRequests;
        var repeatLeanProcesses = restarted.Log.ProcessesStarted - leanProcesses;
        var repeatLlmCalls = llm.Requests.Count - llmCalls;

        // Naive: fresh processes, one verification each.
        var naive = await NaiveFreshProcessScenario.RunAsync(new NaiveFreshProcessParameters(parameters.NaiveSamples, parameters.Cost), cancellationToken).ConfigureAwait(false);
        var firstTarget = report.Files[0].Targets[0];
        var proposalOrder = PortfolioProposer.Propose(new ProposalRequest { Goal = firstTarget.Goal, Imports = ["Mathlib"], MaxCandidates = 12 });
        var verified = firstTarget.Candidates.Where(c => c.Verdict is "solved" or "progress").Select(c => c.Tactic).ToHashSet(StringComparer.Ordinal);
        var firstIndex = proposalOrder.Select((c, i) => (c.Tactic, i)).FirstOrDefault(x => verified.Contains(x.Tactic)).i + 1;

        var summary = report.Summary;
        var result = new NaiveVsWarmResult(
            firstVerified, warmSessionsFirst, warmTotal, summary.LeanRuns, coldLeanRequests, coldLlmCalls, summary.Solved, summary.ProgressOnly, summary.Unsolved,
            repeatTotal, repeatLeanRequests, repeatLeanProcesses, repeatLlmCalls, repeat.Summary.VerdictCacheHits,
            naive.Total / parameters.NaiveSamples, firstIndex);
        project.Dispose();
        return result;
    }

    /// <summary>Loads the file and suggests for its first sorry; returns the clock's time when the first candidate was verified.</summary>
    private static async Task<TimeSpan> FirstVerifiedAsync(PipelineHost pipeline, string path, Stopwatch clock, CancellationToken cancellationToken)
    {
        var request = new LeanFileRequest(pipeline.Project.Path, path, new SourceText(await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false)));
        var file = await pipeline.Service.LoadAsync(request, cancellationToken).ConfigureAwait(false);
        var firstVerified = TimeSpan.Zero;
        var progress = new FirstVerified(() => firstVerified = firstVerified == TimeSpan.Zero ? clock.Elapsed : firstVerified);
        var result = await pipeline.Service.SuggestAsync(request, file, file.Targets[0], new SuggestOptions(true, RequestPriority.Interactive), progress, cancellationToken).ConfigureAwait(false);
        return firstVerified == TimeSpan.Zero || result.Best is null ? throw new InvalidOperationException("The first sorry got no verified candidate.") : firstVerified;
    }

    /// <summary>Fires when the pipeline first reports a verified candidate ("k of n verified", k &gt; 0), synchronously.</summary>
    private sealed class FirstVerified(Action onFirst) : IProgress<SuggestProgress>
    {
        public void Report(SuggestProgress value)
        {
            if (value.Message.EndsWith(" verified", StringComparison.Ordinal) && !value.Message.StartsWith("0 of", StringComparison.Ordinal))
            {
                onFirst();
            }
        }
    }
}
