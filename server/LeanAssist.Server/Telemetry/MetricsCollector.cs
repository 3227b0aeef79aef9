using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using LeanAssist.Lean.Telemetry;
using LeanAssist.Server.LanguageServer;

namespace LeanAssist.Server.Telemetry;

/// <summary>One series: an instrument plus one combination of attribute values.</summary>
public sealed record MetricSeries(string Name, string Unit, IReadOnlyDictionary<string, string> Attributes);

/// <summary>
/// One number per series: a <see cref="MetricKind.Counter"/> (a total that only grows) or a
/// <see cref="MetricKind.Gauge"/> (a current value that may also go down, such as sessions by state).
/// </summary>
public sealed record CounterReading(MetricSeries Series, double Value, MetricKind Kind);

public sealed record HistogramReading(
    MetricSeries Series,
    long Count,
    double Sum,
    IReadOnlyList<(double UpperBound, long CumulativeCount)> Buckets,
    double P50,
    double P90,
    double P99);

public sealed record MetricsReading(DateTimeOffset TakenAt, IReadOnlyList<CounterReading> Counters, IReadOnlyList<HistogramReading> Histograms);

/// <summary>
/// Aggregates every measurement made on this container's <see cref="LeanAssistMeter"/>: counters
/// are summed per series, gauges keep their latest value (see <see cref="Classify"/>); histograms keep
/// fixed buckets (for Prometheus) and the most recent values (for exact recent percentiles). Attribute values that could leak a file path, goal text
/// or other free text are replaced before they are stored.
/// </summary>
public sealed class MetricsCollector : IDisposable
{
    private const int RecentValuesKept = 2048;

    private static readonly double[] SecondsBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];
    private static readonly double[] TokenBuckets = [16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576];
    private static readonly double[] DefaultBuckets = [0.01, 0.1, 1, 10, 100, 1000, 10000];

    private readonly MeterListener _listener = new();
    private readonly Meter _meter;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, CounterState> _counters = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, HistogramState> _histograms = new(StringComparer.Ordinal);

    public MetricsCollector(LeanAssistMeter meter, TimeProvider time)
    {
        _meter = meter.Meter;
        _time = time;
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter, _meter))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.SetMeasurementEventCallback<int>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.SetMeasurementEventCallback<decimal>((instrument, value, tags, _) => Record(instrument, (double)value, tags));
        _listener.Start();
    }

    public MetricsReading Read()
    {
        // Observable instruments (gauges such as pool state) report when asked.
        _listener.RecordObservableInstruments();
        var counters = _counters.Values.Select(c => new CounterReading(c.Series, c.Value, c.Kind)).OrderBy(c => c.Series.Name, StringComparer.Ordinal).ToArray();
        var histograms = _histograms.Values.Select(h => h.Read()).OrderBy(h => h.Series.Name, StringComparer.Ordinal).ToArray();
        return new MetricsReading(_time.GetUtcNow(), counters, histograms);
    }

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var attributes = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (tagKey, tagValue) in tags)
        {
            attributes[tagKey] = SafeLabelValue(tagValue);
        }

        var key = instrument.Name + "|" + string.Join(",", attributes.Select(a => a.Key + "=" + a.Value));
        var series = new MetricSeries(instrument.Name, instrument.Unit ?? string.Empty, attributes);
        switch (instrument)
        {
            case Histogram<double> or Histogram<long> or Histogram<int>:
                _histograms.GetOrAdd(key, _ => new HistogramState(series, BucketsFor(instrument.Unit))).Add(value);
                break;
            default:
                var (kind, reportsTotals) = Classify(instrument);
                var state = _counters.GetOrAdd(key, _ => new CounterState(series, kind));
                if (reportsTotals)
                {
                    state.Set(value);
                }
                else
                {
                    state.Add(value);
                }

                break;
        }
    }

    /// <summary>
    /// What a non-histogram instrument's series is, and whether each measurement is already the series'
    /// value (observable instruments report their current value or running total when asked) rather
    /// than an increment to add up. Up-down counters go down as well as up, so they are gauges.
    /// </summary>
    internal static (MetricKind Kind, bool ReportsTotals) Classify(Instrument instrument)
    {
        var type = instrument.GetType();
        var definition = type.IsGenericType ? type.GetGenericTypeDefinition() : type;
        if (definition == typeof(Counter<>))
        {
            return (MetricKind.Counter, false);
        }

        if (definition == typeof(ObservableCounter<>))
        {
            return (MetricKind.Counter, true);
        }

        if (definition == typeof(UpDownCounter<>))
        {
            return (MetricKind.Gauge, false);
        }

        // ObservableGauge<T>, Gauge<T> (recorded values) and ObservableUpDownCounter<T>: the latest value.
        return (MetricKind.Gauge, true);
    }

    /// <summary>Only short, path-free, single-line values become labels; anything else is "other".</summary>
    internal static string SafeLabelValue(object? value)
    {
        var text = value switch
        {
            null => string.Empty,
            bool b => b ? "true" : "false",
            IFormattable f => f.ToString(null, System.Globalization.CultureInfo.InvariantCulture),
            _ => value.ToString() ?? string.Empty,
        };
        return text.Length > 64 || text.IndexOfAny(['/', '\\', '\n', '\r', '⊢']) >= 0 ? "other" : text;
    }

    private static double[] BucketsFor(string? unit) => unit switch
    {
        "s" => SecondsBuckets,
        "{token}" => TokenBuckets,
        _ => DefaultBuckets,
    };

    public void Dispose() => _listener.Dispose();

    private sealed class CounterState(MetricSeries series, MetricKind kind)
    {
        private readonly Lock _gate = new();
        private double _value;

        public MetricSeries Series { get; } = series;

        public MetricKind Kind { get; } = kind;

        public double Value
        {
            get
            {
                lock (_gate)
                {
                    return _value;
                }
            }
        }

        public void Add(double value)
        {
            lock (_gate)
            {
                _value += value;
            }
        }

        public void Set(double value)
        {
            lock (_gate)
            {
                _value = value;
            }
        }
    }

    private sealed class HistogramState(MetricSeries series, double[] bounds)
    {
        private readonly Lock _gate = new();
        private readonly long[] _bucketCounts = new long[bounds.Length + 1];
        private readonly double[] _recent = new double[RecentValuesKept];
        private long _count;
        private double _sum;

        public void Add(double value)
        {
            lock (_gate)
            {
                var bucket = Array.BinarySearch(bounds, value);
                _bucketCounts[bucket >= 0 ? bucket : ~bucket]++;
                _recent[_count % RecentValuesKept] = value;
                _count++;
                _sum += value;
            }
        }

        public HistogramReading Read()
        {
            lock (_gate)
            {
                var buckets = new List<(double, long)>(bounds.Length + 1);
                long cumulative = 0;
                for (var i = 0; i < bounds.Length; i++)
                {
                    cumulative += _bucketCounts[i];
                    buckets.Add((bounds[i], cumulative));
                }

                buckets.Add((double.PositiveInfinity, _count));
                var recent = _recent.Take((int)Math.Min(_count, RecentValuesKept)).Order().ToArray();
                return new HistogramReading(series, _count, _sum, buckets, Percentile(recent, 0.50), Percentile(recent, 0.90), Percentile(recent, 0.99));
            }
        }

        /// <summary>Nearest-rank percentile of the sorted recent values (0 when there are none).</summary>
        private static double Percentile(double[] sorted, double quantile) =>
            sorted.Length == 0 ? 0 : sorted[Math.Clamp((int)Math.Ceiling(quantile * sorted.Length) - 1, 0, sorted.Length - 1)];
    }
}
