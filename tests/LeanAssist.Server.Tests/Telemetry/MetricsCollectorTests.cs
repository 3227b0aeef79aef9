using System.Diagnostics.Metrics;
using System.Text.RegularExpressions;
using LeanAssist.Lean.Telemetry;
using LeanAssist.Server.LanguageServer;
using LeanAssist.Server.Telemetry;

namespace LeanAssist.Server.Tests.Telemetry;

public sealed partial class MetricsCollectorTests
{
    private static (LeanAssistMeter Meter, MetricsCollector Collector) Create()
    {
        var meter = new LeanAssistMeter(new Meter(LeanAssistMeter.Name));
        return (meter, new MetricsCollector(meter, TimeProvider.System));
    }

    [Fact]
    public void Counters_are_summed_per_attribute_combination()
    {
        var (meter, collector) = Create();
        using var _ = collector;
        var candidates = meter.Meter.CreateCounter<long>(LeanAssistMeter.Instruments.Candidates);

        candidates.Add(2, new KeyValuePair<string, object?>("leanassist.verdict", "solved"));
        candidates.Add(3, new KeyValuePair<string, object?>("leanassist.verdict", "solved"));
        candidates.Add(1, new KeyValuePair<string, object?>("leanassist.verdict", "failed"));

        var reading = collector.Read();
        Assert.Equal(5, reading.Counters.Single(c => c.Series.Attributes["leanassist.verdict"] == "solved").Value);
        Assert.Equal(1, reading.Counters.Single(c => c.Series.Attributes["leanassist.verdict"] == "failed").Value);
    }

    [Fact]
    public void Histograms_report_count_sum_buckets_and_recent_percentiles()
    {
        var (meter, collector) = Create();
        using var _ = collector;
        var duration = meter.Meter.CreateHistogram<double>(LeanAssistMeter.Instruments.LeanRequestDuration, "s");
        for (var i = 1; i <= 100; i++)
        {
            duration.Record(i / 1000.0);
        }

        var histogram = Assert.Single(collector.Read().Histograms);
        Assert.Equal(100, histogram.Count);
        Assert.Equal(5.05, histogram.Sum, 6);
        Assert.Equal(0.050, histogram.P50, 6);
        Assert.Equal(0.090, histogram.P90, 6);
        Assert.Equal(0.099, histogram.P99, 6);
        Assert.Equal(100, histogram.Buckets[^1].CumulativeCount);
        Assert.Equal(10, histogram.Buckets.Single(b => b.UpperBound == 0.01).CumulativeCount);
    }

    [Fact]
    public void Measurements_on_another_meter_are_not_collected()
    {
        var (_, collector) = Create();
        using var _ = collector;
        using var other = new Meter(LeanAssistMeter.Name);

        other.CreateCounter<long>(LeanAssistMeter.Instruments.Candidates).Add(7);

        Assert.Empty(collector.Read().Counters);
    }

    [Theory]
    [InlineData("/home/me/Proof.lean")]
    [InlineData("C:\\work\\x.lean")]
    [InlineData("x : Nat\n⊢ x = x")]
    public void Free_text_never_becomes_a_label(string value)
    {
        Assert.Equal("other", MetricsCollector.SafeLabelValue(value));
    }

    [Fact]
    public void Prometheus_text_uses_seconds_and_total_suffixes_and_cumulative_buckets()
    {
        var (meter, collector) = Create();
        using var _ = collector;
        meter.Meter.CreateCounter<long>(LeanAssistMeter.Instruments.CacheLookups).Add(3,
            new("leanassist.cache.layer", "verdict.memory"), new("leanassist.cache.result", "hit"), new("file", "/tmp/secret/Path.lean"));
        var duration = meter.Meter.CreateHistogram<double>(LeanAssistMeter.Instruments.GenAiOperationDuration, "s");
        duration.Record(0.2, new KeyValuePair<string, object?>("gen_ai.provider.name", "openai"));
        duration.Record(1.7, new KeyValuePair<string, object?>("gen_ai.provider.name", "openai"));

        var text = PrometheusFormatter.Format(collector.Read());

        Assert.Contains("# TYPE leanassist_cache_lookups_total counter\n", text);
        Assert.Contains("leanassist_cache_lookups_total{file=\"other\",leanassist_cache_layer=\"verdict.memory\",leanassist_cache_result=\"hit\"} 3\n", text);
        Assert.Contains("# TYPE gen_ai_client_operation_duration_seconds histogram\n", text);
        Assert.Contains("gen_ai_client_operation_duration_seconds_bucket{gen_ai_provider_name=\"openai\",le=\"0.25\"} 1\n", text);
        Assert.Contains("gen_ai_client_operation_duration_seconds_bucket{gen_ai_provider_name=\"openai\",le=\"2.5\"} 2\n", text);
        Assert.Contains("gen_ai_client_operation_duration_seconds_bucket{gen_ai_provider_name=\"openai\",le=\"+Inf\"} 2\n", text);
        Assert.Contains("gen_ai_client_operation_duration_seconds_count{gen_ai_provider_name=\"openai\"} 2\n", text);
        Assert.Contains("gen_ai_client_operation_duration_seconds_sum{gen_ai_provider_name=\"openai\"} 1.9", text);
        Assert.DoesNotContain("/tmp/secret", text);
        AssertValidExposition(text);
    }

    [Fact]
    public void Observable_gauges_keep_their_latest_value_and_are_exported_as_gauges_without_total()
    {
        var (meter, collector) = Create();
        using var _ = collector;
        var warm = 3;
        meter.Meter.CreateObservableGauge(LeanAssistMeter.Instruments.LeanSessions, () => new Measurement<int>(warm, new KeyValuePair<string, object?>("state", "warm")));
        meter.Meter.CreateObservableGauge(LeanAssistMeter.Instruments.LeanQueueDepth, () => 0);

        collector.Read();
        warm = 1;
        var reading = collector.Read();
        var text = PrometheusFormatter.Format(reading);

        var sessions = reading.Counters.Single(c => c.Series.Name == LeanAssistMeter.Instruments.LeanSessions);
        Assert.Equal(1, sessions.Value);
        Assert.Equal(MetricKind.Gauge, sessions.Kind);
        Assert.Contains("# TYPE leanassist_lean_sessions gauge\n", text);
        Assert.Contains("leanassist_lean_sessions{state=\"warm\"} 1\n", text);
        Assert.Contains("# TYPE leanassist_lean_queue_depth gauge\n", text);
        Assert.DoesNotContain("_total", text);
        AssertValidExposition(text);
    }

    [Fact]
    public void Up_down_counters_are_summed_but_are_gauges()
    {
        var (meter, collector) = Create();
        using var _ = collector;
        var inUse = meter.Meter.CreateUpDownCounter<int>("leanassist.test.in_use");

        inUse.Add(3);
        inUse.Add(-2);
        var reading = collector.Read();

        var series = Assert.Single(reading.Counters);
        Assert.Equal(1, series.Value);
        Assert.Equal(MetricKind.Gauge, series.Kind);
        Assert.Contains("# TYPE leanassist_test_in_use gauge\nleanassist_test_in_use 1\n", PrometheusFormatter.Format(reading));
    }

    [Fact]
    public void Observable_counters_report_running_totals_which_are_not_added_up_again()
    {
        var (meter, collector) = Create();
        using var _ = collector;
        long total = 5;
        meter.Meter.CreateObservableCounter("leanassist.test.bytes", () => total);

        collector.Read();
        total = 7;
        var reading = collector.Read();

        var series = Assert.Single(reading.Counters);
        Assert.Equal(7, series.Value);
        Assert.Equal(MetricKind.Counter, series.Kind);
        Assert.Contains("# TYPE leanassist_test_bytes_total counter\nleanassist_test_bytes_total 7\n", PrometheusFormatter.Format(reading));
    }

    [Fact]
    public void A_mixed_reading_is_valid_Prometheus_text()
    {
        var (meter, collector) = Create();
        using var _ = collector;
        meter.Meter.CreateCounter<long>(LeanAssistMeter.Instruments.LeanSessionRestarts).Add(2, new KeyValuePair<string, object?>("reason", "crash"));
        meter.Meter.CreateObservableGauge(LeanAssistMeter.Instruments.LeanSessions, () => new[]
        {
            new Measurement<int>(2, new KeyValuePair<string, object?>("state", "warm")),
            new Measurement<int>(0, new KeyValuePair<string, object?>("state", "busy")),
        });
        meter.Meter.CreateHistogram<double>(LeanAssistMeter.Instruments.LeanRequestDuration, "s").Record(0.3);

        AssertValidExposition(PrometheusFormatter.Format(collector.Read()));
    }

    /// <summary>
    /// The rules of the text exposition format these exports rely on: each family has one TYPE line,
    /// before its samples, and its samples are contiguous; a counter family's name ends in _total; a
    /// gauge's never does (the suffix tells Prometheus and its users the series only grows); histogram
    /// samples are the family's _bucket, _sum and _count.
    /// </summary>
    private static void AssertValidExposition(string text)
    {
        var types = new Dictionary<string, string>(StringComparer.Ordinal);
        var finished = new HashSet<string>(StringComparer.Ordinal);
        string? current = null;
        Assert.EndsWith("\n", text);
        foreach (var line in text.TrimEnd('\n').Split('\n'))
        {
            if (TypeLine().Match(line) is { Success: true } type)
            {
                var family = type.Groups["name"].Value;
                var kind = type.Groups["kind"].Value;
                Assert.True(types.TryAdd(family, kind), $"A second TYPE line for {family}.");
                Assert.True(kind != "counter" || family.EndsWith("_total", StringComparison.Ordinal), $"Counter {family} does not end in _total.");
                Assert.True(kind != "gauge" || !family.EndsWith("_total", StringComparison.Ordinal), $"Gauge {family} ends in _total.");
                if (current is not null)
                {
                    finished.Add(current);
                }

                current = family;
                continue;
            }

            var sample = SampleLine().Match(line);
            Assert.True(sample.Success, $"Not a sample line: {line}");
            var name = sample.Groups["name"].Value;
            Assert.NotNull(current);
            var expected = types[current] == "histogram"
                ? name == current + "_bucket" || name == current + "_sum" || name == current + "_count"
                : name == current;
            Assert.True(expected, $"Sample {name} is not part of the family {current} whose TYPE line precedes it.");
            Assert.DoesNotContain(current, finished);
        }
    }

    [GeneratedRegex(@"^# TYPE (?<name>[a-zA-Z_:][a-zA-Z0-9_:]*) (?<kind>counter|gauge|histogram|summary|untyped)$")]
    private static partial Regex TypeLine();

    [GeneratedRegex(@"^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{[a-zA-Z_][a-zA-Z0-9_]*=""(\\.|[^""\\])*""(,[a-zA-Z_][a-zA-Z0-9_]*=""(\\.|[^""\\])*"")*\})? (?<value>[-+0-9.eE]+|NaN|[+-]Inf)$")]
    private static partial Regex SampleLine();
}
