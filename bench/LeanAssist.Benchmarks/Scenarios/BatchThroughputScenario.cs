using System.Diagnostics;
using LeanAssist.Benchmarks.Workloads;
using LeanAssist.Server.Prove;

namespace LeanAssist.Benchmarks.Scenarios;

public sealed record BatchParameters(StandInCostModel Cost, IReadOnlyList<int> SessionCounts, int Files = 4);

public sealed record BatchPoint(int Sessions, TimeSpan Total, int Sorries, int Solved, int CandidateRuns);

/// <summary>
/// <c>prove</c> over a directory (<see cref="BatchParameters.Files"/> files of 20 sorries) from a cold start
/// with N sessions: the header import (once per session, in parallel) and every verification.
/// </summary>
public static class BatchThroughputScenario
{
    public static async Task<IReadOnlyList<BatchPoint>> RunAsync(BatchParameters parameters, CancellationToken cancellationToken)
    {
        var points = new List<BatchPoint>();
        var script = TwentySorries.Script(parameters.Cost);
        foreach (var sessions in parameters.SessionCounts)
        {
            await using var pipeline = BenchPipeline.Start(script, sessions);
            for (var i = 0; i < parameters.Files; i++)
            {
                pipeline.Project.WriteFile($"src/File{i}.lean", TwentySorries.File(i));
            }

            var clock = Stopwatch.StartNew();
            var report = await pipeline.Prove.RunAsync(new ProveRequest([pipeline.Project.Combine("src")], null, false, false, sessions), null, cancellationToken).ConfigureAwait(false);
            points.Add(new BatchPoint(sessions, clock.Elapsed, report.Summary.Targets, report.Summary.Solved, report.Summary.LeanRuns));
            pipeline.Project.Dispose();
        }

        return points;
    }
}
