using System.Diagnostics;
using LeanAssist.Lean.Pool;
using LeanAssist.Lean.Sessions;
using LeanAssist.Lean.Verdicts;
using LeanAssist.Testing;

namespace LeanAssist.Benchmarks.Scenarios;

public sealed record CandidateVerificationParameters(int Sessions, int Candidates, StandInCostModel Cost, ProofStateTransfer Transfer = ProofStateTransfer.Replay);

/// <summary>
/// The times of one run. <see cref="FirstBatch"/> includes rebuilding the proof state in the sessions that
/// did not load the file; <see cref="WarmBatch"/> is the steady state (every session has it).
/// </summary>
public sealed record CandidateVerificationResult(
    CandidateVerificationParameters Parameters,
    TimeSpan WarmUp,
    TimeSpan Load,
    TimeSpan FirstBatch,
    TimeSpan WarmBatch,
    int Solved,
    int LeanRequests)
{
    /// <summary>The warm batch with perfect parallelism and no overhead.</summary>
    public TimeSpan IdealWarmBatch => Parameters.Cost.IdealBatch(Parameters.Candidates, Parameters.Sessions);

    public double WarmEfficiency => IdealWarmBatch / WarmBatch;

    /// <summary>From nothing to verified candidates: warm-up, load, first batch.</summary>
    public TimeSpan ColdTotal => WarmUp + Load + FirstBatch;
}

/// <summary>
/// Verifies K candidate tactics on one goal with N warm sessions: warm-up (header import in every
/// session), loading the file, a first batch (other sessions rebuild the proof state by replay or
/// unpickling), and a warm batch.
/// </summary>
public static class CandidateVerificationScenario
{
    public static async Task<CandidateVerificationResult> RunAsync(CandidateVerificationParameters parameters, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        await using var pool = StandInPoolHost.Create(parameters.Cost.ToScript(), options =>
        {
            options.Sessions = parameters.Sessions;
            options.ProofStateTransfer = parameters.Transfer;
        });

        var clock = Stopwatch.StartNew();
        await pool.WarmAsync(BenchmarkFile.Text, parameters.Sessions, cancellationToken).ConfigureAwait(false);
        var warmUp = clock.Elapsed;

        clock.Restart();
        var file = await pool.LoadAsync(BenchmarkFile.Text, RequestPriority.Interactive, cancellationToken).ConfigureAwait(false);
        var load = clock.Elapsed;
        var target = file.Targets.Single(t => t.Kind == LeanTargetKind.Sorry).ProofState
            ?? throw new InvalidOperationException("The target has no proof state.");

        clock.Restart();
        var first = await pool.Pool.RunTacticsAsync(target, BenchmarkFile.Candidates(parameters.Candidates), RequestPriority.Interactive, cancellationToken).ConfigureAwait(false);
        var firstBatch = clock.Elapsed;

        clock.Restart();
        var warm = await pool.Pool.RunTacticsAsync(target, BenchmarkFile.Candidates(parameters.Candidates), RequestPriority.Interactive, cancellationToken).ConfigureAwait(false);
        var warmBatch = clock.Elapsed;

        var solved = first.Concat(warm).Count(r => r.Verdict.Kind == TacticVerdictKind.Solved);
        return new CandidateVerificationResult(parameters, warmUp, load, firstBatch, warmBatch, solved, pool.Log.Requests.Count);
    }
}
