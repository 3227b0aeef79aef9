using System.Diagnostics.Metrics;
using LeanAssist.Lean.Telemetry;
using LeanAssist.Server.Telemetry;

namespace LeanAssist.Server.Tests.Telemetry;

public sealed class MetricsCollectorTests
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
    }
}
