using System.Diagnostics;
using System.Text;
using LeanAssist.Lean.Repl;
using LeanAssist.Lean.Sessions;
using LeanAssist.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace LeanAssist.Benchmarks.Scenarios;

/// <summary>Mean and percentiles of a set of durations.</summary>
public sealed record LatencyStats(TimeSpan Mean, TimeSpan P50, TimeSpan P90, TimeSpan P99, int Count, TimeSpan Max)
{
    /// <summary>Below this many samples a p99 is mostly the maximum: reports say "max of n" instead.</summary>
    public const int SamplesForP99 = 1000;

    public bool HasP99 => Count >= SamplesForP99;

    public static LatencyStats From(IReadOnlyCollection<TimeSpan> samples)
    {
        var sorted = samples.Order().ToArray();
        TimeSpan At(double q) => sorted[Math.Min(sorted.Length - 1, (int)Math.Floor(q * sorted.Length))];
        return new LatencyStats(TimeSpan.FromTicks((long)sorted.Average(s => s.Ticks)), At(0.5), At(0.9), At(0.99), sorted.Length, sorted[^1]);
    }

    /// <summary>The p99 when there are enough samples for one, else the maximum, labelled so.</summary>
    public string P99OrMax(Func<TimeSpan, string> format) => HasP99 ? format(P99) : $"max of {Count}: {format(Max)}";

    public override string ToString() =>
        $"mean {Ms(Mean)}, p50 {Ms(P50)}, p90 {Ms(P90)}, p99 {Ms(P99)} (n={Count})";

    public static string Ms(TimeSpan t) => $"{t.TotalMilliseconds:0.000} ms";
}

public sealed record ClientOverheadParameters(int Requests = 2000, int WarmupRequests = 300);

/// <summary>
/// What our client costs per request, with a stand-in that answers at once:
/// <see cref="Codec"/> is the pure CPU cost of encoding a request and parsing a typical answer in our process;
/// <see cref="ProcessRoundTrip"/> a request through one <see cref="ReplProcess"/> (pipes both ways);
/// <see cref="PoolRoundTrip"/> a one-candidate <see cref="LeanSessionPool.RunTacticsAsync"/> (queue, scheduling, verdict);
/// <see cref="StandInTime"/> the stand-in's own time per request (from its log), which the real REPL's I/O would also cost.
/// </summary>
public sealed record ClientOverheadResult(LatencyStats Codec, LatencyStats ProcessRoundTrip, LatencyStats PoolRoundTrip, LatencyStats StandInTime)
{
    /// <summary>An upper bound for what we add: pool round trip minus the stand-in's own time (includes the OS pipe transfer).</summary>
    public TimeSpan ClientOverheadP50 => PoolRoundTrip.P50 - StandInTime.P50;

    public TimeSpan PoolOverProcessP50 => PoolRoundTrip.P50 - ProcessRoundTrip.P50;
}

public static class ClientOverheadScenario
{
    /// <summary>A real recorded answer (core/by_cases): two goals, pretty-printed over several lines.</summary>
    public const string TypicalAnswer =
        "{\"proofStatus\": \"Incomplete: open goals remain\",\n \"proofState\": 1,\n \"goals\":\n [\"case pos\\nx : Int\\nh : x < 0\\n⊢ x = x\",\n  \"case neg\\nx : Int\\nh : ¬x < 0\\n⊢ x = x\"]}";

    public static async Task<ClientOverheadResult> RunAsync(ClientOverheadParameters parameters, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        var codec = MeasureCodec(parameters.Requests * 10);
        var cost = new StandInCostModel(HeaderSeconds: 0, CommandMilliseconds: 0, DeclarationMilliseconds: 0, TacticMilliseconds: 0, PickleMilliseconds: 0, UnpickleMilliseconds: 0);

        using var directory = new TemporaryDirectory();
        var script = directory.WriteFile("script.json", cost.ToScript());
        var processLog = new StandInLog(directory.Combine("process.log"));
        LatencyStats process;
        await using (var repl = ReplProcess.Start(ReplStandInLauncher.Spec(directory.Path, "scripted", "--script", script, "--log", processLog.Path), 1 << 24, NullLogger.Instance, "overhead"))
        {
            var sorry = (ReplCommandResponse)(await repl.SendAsync(new ReplCommandRequest(BenchmarkFile.Text), TimeSpan.FromSeconds(30), cancellationToken).ConfigureAwait(false)).Response;
            var state = sorry.Sorries[0].ProofState!.Value;
            process = await MeasureAsync(parameters, () => repl.SendAsync(new ReplTacticRequest("candidate_1", state), TimeSpan.FromSeconds(30), cancellationToken)).ConfigureAwait(false);
        }

        await using var pool = StandInPoolHost.Create(cost.ToScript());
        var file = await pool.LoadAsync(BenchmarkFile.Text, RequestPriority.Interactive, cancellationToken).ConfigureAwait(false);
        var target = file.Targets.Single(t => t.Kind == LeanTargetKind.Sorry).ProofState!;
        var poolStats = await MeasureAsync(parameters, () => pool.Pool.RunTacticsAsync(target, ["candidate_1"], RequestPriority.Interactive, cancellationToken)).ConfigureAwait(false);

        var standIn = pool.Log.Requests.Where(r => r.GetProperty("kind").GetString() == "tactic")
            .Skip(parameters.WarmupRequests)
            .Select(r => TimeSpan.FromMilliseconds(r.GetProperty("elapsedMs").GetDouble()))
            .ToArray();
        return new ClientOverheadResult(codec, process, poolStats, LatencyStats.From(standIn));
    }

    private static async Task<LatencyStats> MeasureAsync<T>(ClientOverheadParameters parameters, Func<Task<T>> request)
    {
        for (var i = 0; i < parameters.WarmupRequests; i++)
        {
            await request().ConfigureAwait(false);
        }

        var samples = new TimeSpan[parameters.Requests];
        for (var i = 0; i < samples.Length; i++)
        {
            var started = Stopwatch.GetTimestamp();
            await request().ConfigureAwait(false);
            samples[i] = Stopwatch.GetElapsedTime(started);
        }

        return LatencyStats.From(samples);
    }

    /// <summary>Encode a tactic request and parse a typical answer, in process (no I/O).</summary>
    public static LatencyStats MeasureCodec(int iterations)
    {
        var answer = Encoding.UTF8.GetBytes(TypicalAnswer);
        var request = new ReplTacticRequest("simp only [Nat.add_zero, Finset.sum_range_succ] at h ⊢", 17);
        for (var i = 0; i < 2000; i++)
        {
            request.ToWireBytes();
            ReplResponseParser.Parse(answer, expectsProofStateResponse: true);
        }

        var samples = new TimeSpan[iterations];
        for (var i = 0; i < iterations; i++)
        {
            var started = Stopwatch.GetTimestamp();
            request.ToWireBytes();
            ReplResponseParser.Parse(answer, expectsProofStateResponse: true);
            samples[i] = Stopwatch.GetElapsedTime(started);
        }

        return LatencyStats.From(samples);
    }
}
