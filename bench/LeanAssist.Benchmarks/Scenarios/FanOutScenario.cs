using System.Diagnostics;
using LeanAssist.Lean.Sessions;
using LeanAssist.Testing;

namespace LeanAssist.Benchmarks.Scenarios;

public sealed record FanOutParameters(IReadOnlyList<int> CandidateCounts, IReadOnlyList<int> SessionCounts, StandInCostModel Cost, int Repetitions = 3);

/// <summary>One (K candidates, N sessions) point: the median wall time of a warm batch, and the ideal.</summary>
public sealed record FanOutPoint(int Candidates, int Sessions, TimeSpan Measured, TimeSpan Ideal)
{
    public double Efficiency => Ideal / Measured;
}

/// <summary>
/// Fan-out: K candidates on one goal verified by N warm sessions, against the ideal ceil(K/N) × tactic
/// time. Each session first receives the proof state (one batch as wide as the pool, not measured), so
/// the measured batches are the steady state the editor sees.
/// </summary>
public static class FanOutScenario
{
    public static async Task<IReadOnlyList<FanOutPoint>> RunAsync(FanOutParameters parameters, CancellationToken cancellationToken)
    {
        var points = new List<FanOutPoint>();
        foreach (var sessions in parameters.SessionCounts)
        {
            await using var pool = StandInPoolHost.Create(parameters.Cost.ToScript(), options => options.Sessions = sessions);
            await pool.WarmAsync(BenchmarkFile.Text, sessions, cancellationToken).ConfigureAwait(false);
            var file = await pool.LoadAsync(BenchmarkFile.Text, RequestPriority.Interactive, cancellationToken).ConfigureAwait(false);
            var target = file.Targets.Single(t => t.Kind == LeanTargetKind.Sorry).ProofState!;
            await pool.Pool.RunTacticsAsync(target, BenchmarkFile.Candidates(Math.Max(sessions, parameters.CandidateCounts.Max())), RequestPriority.Interactive, cancellationToken).ConfigureAwait(false);
            foreach (var candidates in parameters.CandidateCounts)
            {
                var samples = new List<TimeSpan>();
                for (var repetition = 0; repetition < parameters.Repetitions; repetition++)
                {
                    var clock = Stopwatch.StartNew();
                    await pool.Pool.RunTacticsAsync(target, BenchmarkFile.Candidates(candidates), RequestPriority.Interactive, cancellationToken).ConfigureAwait(false);
                    samples.Add(clock.Elapsed);
                }

                var ideal = parameters.Cost.IdealBatch(candidates, sessions);
                points.Add(new FanOutPoint(candidates, sessions, samples.Order().ElementAt(samples.Count / 2), ideal));
            }
        }

        return points;
    }
}
