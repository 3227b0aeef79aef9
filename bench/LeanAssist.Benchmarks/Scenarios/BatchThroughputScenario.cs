using System.Diagnostics;
using System.Text.Json;
using LeanAssist.Benchmarks.Workloads;
using LeanAssist.Server.Prove;

namespace LeanAssist.Benchmarks.Scenarios;

/// <param name="SorriesPerFile">The target directory: 8 files with 40 sorries in all.</param>
public sealed record BatchParameters(StandInCostModel Cost, IReadOnlyList<int> SessionCounts, int Files = 8, int SorriesPerFile = 5);

/// <summary>What one REPL process did during a run, from the stand-in's own request log.</summary>
/// <param name="FirstRequest">From the start of the run to this process's first request.</param>
/// <param name="Idle">The rest of the run: waiting for work (or not yet started).</param>
public sealed record SessionTimeline(int Process, TimeSpan FirstRequest, TimeSpan Import, TimeSpan Busy, TimeSpan Idle, int Requests);

/// <param name="AfterImports">From the end of the last header import to the end of the run: the part more sessions can shorten.</param>
public sealed record BatchPoint(int Sessions, TimeSpan Total, int Sorries, int Solved, int CandidateRuns, IReadOnlyList<SessionTimeline> Timeline, TimeSpan AfterImports);

/// <summary>
/// <c>prove</c> over a directory (<see cref="BatchParameters.Files"/> files) from a cold start with N sessions:
/// the header import (once per session, in parallel) and every verification, with each session's timeline.
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
                pipeline.Project.WriteFile($"src/File{i}.lean", TwentySorries.File(i, parameters.SorriesPerFile));
            }

            var startedAt = DateTimeOffset.UtcNow;
            var clock = Stopwatch.StartNew();
            var report = await pipeline.Prove.RunAsync(new ProveRequest([pipeline.Project.Combine("src")], null, false, false, ProveRequest.ParallelismFor(sessions)), null, cancellationToken).ConfigureAwait(false);
            var total = clock.Elapsed;
            var requests = pipeline.Log.Requests;
            points.Add(new BatchPoint(sessions, total, report.Summary.Targets, report.Summary.Solved, report.Summary.LeanRuns, Timeline(requests, startedAt, total), total - LastImportEnd(requests, startedAt)));
            pipeline.Project.Dispose();
        }

        return points;
    }

    private static TimeSpan LastImportEnd(IReadOnlyList<JsonElement> requests, DateTimeOffset startedAt) =>
        TimeSpan.FromMilliseconds(requests
            .Where(r => r.GetProperty("kind").GetString() == "header" && r.TryGetProperty("time", out _))
            .Select(r => r.GetProperty("time").GetInt64() - startedAt.ToUnixTimeMilliseconds())
            .DefaultIfEmpty(0)
            .Max());

    /// <summary>Per process: import (header requests), busy (every other request) and idle, over the run's window.</summary>
    private static IReadOnlyList<SessionTimeline> Timeline(IReadOnlyList<JsonElement> requests, DateTimeOffset startedAt, TimeSpan window)
    {
        var start = startedAt.ToUnixTimeMilliseconds();
        return requests
            .Where(r => r.TryGetProperty("elapsedMs", out _))
            .GroupBy(r => r.GetProperty("process").GetInt32())
            .OrderBy(g => g.Key)
            .Select(g =>
            {
                double import = 0, busy = 0, first = double.MaxValue;
                foreach (var request in g)
                {
                    var elapsed = request.GetProperty("elapsedMs").GetDouble();
                    var began = request.GetProperty("time").GetInt64() - elapsed - start;
                    first = Math.Min(first, began);
                    if (request.GetProperty("kind").GetString() == "header")
                    {
                        import += elapsed;
                    }
                    else
                    {
                        busy += elapsed;
                    }
                }

                var idle = Math.Max(0, window.TotalMilliseconds - import - busy);
                return new SessionTimeline(g.Key, TimeSpan.FromMilliseconds(Math.Max(0, first)), TimeSpan.FromMilliseconds(import), TimeSpan.FromMilliseconds(busy), TimeSpan.FromMilliseconds(idle), g.Count());
            })
            .ToArray();
    }
}
