using System.Diagnostics.Metrics;
using System.Globalization;
using LeanAssist.Lean.Telemetry;
using LeanAssist.Protocol.Lsp;
using LeanAssist.Server.LanguageServer;
using LeanAssist.Server.Status;
using LeanAssist.Suggestions.Verification;

namespace LeanAssist.Server.Telemetry;

/// <summary>The metrics snapshot the client and <c>leanassist metrics</c> read: instruments, recent runs, status.</summary>
public sealed class MetricsService
{
    private readonly MetricsCollector _collector;
    private readonly SuggestionRunLog _runs;
    private readonly StatusPublisher _status;

    public MetricsService(MetricsCollector collector, SuggestionRunLog runs, StatusPublisher status)
    {
        _collector = collector;
        _runs = runs;
        _status = status;
    }

    public MetricsSnapshot Snapshot() => Snapshot(_collector.Read());

    /// <summary>
    /// Both export formats from one reading: reading runs the observable callbacks and sorts for the
    /// percentiles, and the two files should describe the same moment.
    /// </summary>
    public (string Prometheus, MetricsSnapshot Snapshot) Export()
    {
        var reading = _collector.Read();
        return (PrometheusFormatter.Format(reading), Snapshot(reading));
    }

    private MetricsSnapshot Snapshot(MetricsReading reading) => new(
        reading.TakenAt.ToString("O", CultureInfo.InvariantCulture),
        reading.Counters.Select(c => new CounterValue(c.Series.Name, new Dictionary<string, string>(c.Series.Attributes), c.Value, c.Kind)).ToArray(),
        reading.Histograms.Select(h => new HistogramValue(h.Series.Name, h.Series.Unit, new Dictionary<string, string>(h.Series.Attributes), h.Count, h.Sum, h.P50, h.P90, h.P99)).ToArray(),
        _runs.Recent.Select(r => new RecentRun(
            r.FinishedAt.ToString("O", CultureInfo.InvariantCulture),
            Math.Round(r.Duration.TotalMilliseconds, 1),
            r.Tried,
            r.Verified,
            r.Solved,
            Math.Round(r.Lean.TotalMilliseconds, 1),
            Math.Round(r.Llm.TotalMilliseconds, 1),
            r.CacheHits,
            r.CostUsd)).ToArray(),
        _status.Current);
}
