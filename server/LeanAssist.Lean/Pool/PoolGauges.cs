using System.Diagnostics.Metrics;
using LeanAssist.Lean.Sessions;
using LeanAssist.Lean.Telemetry;

namespace LeanAssist.Lean.Pool;

/// <summary>Observable gauges over the live pools (normally one): sessions by state and queue depth.</summary>
internal static class PoolGauges
{
    private static readonly Lock Gate = new();
    private static readonly List<LeanSessionPool> Pools = [];

    static PoolGauges()
    {
        LeanAssistMeter.Meter.CreateObservableGauge(LeanAssistMeter.Instruments.LeanSessions, ObserveSessions, description: "Lean REPL sessions by state.");
        LeanAssistMeter.Meter.CreateObservableGauge(LeanAssistMeter.Instruments.LeanQueueDepth, () => Snapshots().Sum(s => s.QueueDepth), description: "Lean requests waiting for a session.");
    }

    public static void Register(LeanSessionPool pool)
    {
        lock (Gate)
        {
            Pools.Add(pool);
        }
    }

    public static void Unregister(LeanSessionPool pool)
    {
        lock (Gate)
        {
            Pools.Remove(pool);
        }
    }

    private static List<LeanPoolSnapshot> Snapshots()
    {
        lock (Gate)
        {
            return Pools.Select(p => p.Snapshot).ToList();
        }
    }

    private static IEnumerable<Measurement<int>> ObserveSessions()
    {
        var snapshots = Snapshots();
        yield return new Measurement<int>(snapshots.Sum(s => s.Warm), new KeyValuePair<string, object?>("state", "warm"));
        yield return new Measurement<int>(snapshots.Sum(s => s.Starting), new KeyValuePair<string, object?>("state", "starting"));
        yield return new Measurement<int>(snapshots.Sum(s => s.Busy), new KeyValuePair<string, object?>("state", "busy"));
    }
}
