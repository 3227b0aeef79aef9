using System.Globalization;
using System.Text;
using LeanAssist.Server.LanguageServer;

namespace LeanAssist.Server.Telemetry;

/// <summary>
/// Prometheus text exposition (version 0.0.4) of a <see cref="MetricsReading"/>: dots become
/// underscores, durations in seconds end in <c>_seconds</c>, counters end in <c>_total</c> and are
/// typed <c>counter</c>; gauges (values that also go down) are typed <c>gauge</c> and never end in
/// <c>_total</c>, which Prometheus reserves for counters (rate() over a gauge would be wrong).
/// </summary>
public static class PrometheusFormatter
{
    public static string Format(MetricsReading reading)
    {
        var text = new StringBuilder();
        foreach (var group in reading.Counters.GroupBy(c => (Name: MetricName(c.Series, c.Kind), c.Kind)))
        {
            text.Append("# TYPE ").Append(group.Key.Name).Append(group.Key.Kind == MetricKind.Gauge ? " gauge\n" : " counter\n");
            foreach (var counter in group)
            {
                text.Append(group.Key.Name).Append(Labels(counter.Series.Attributes)).Append(' ').Append(Number(counter.Value)).Append('\n');
            }
        }

        foreach (var group in reading.Histograms.GroupBy(h => MetricName(h.Series, kind: null)))
        {
            text.Append("# TYPE ").Append(group.Key).Append(" histogram\n");
            foreach (var histogram in group)
            {
                foreach (var (upperBound, cumulative) in histogram.Buckets)
                {
                    var le = double.IsPositiveInfinity(upperBound) ? "+Inf" : Number(upperBound);
                    text.Append(group.Key).Append("_bucket").Append(Labels(histogram.Series.Attributes, ("le", le))).Append(' ').Append(cumulative).Append('\n');
                }

                text.Append(group.Key).Append("_sum").Append(Labels(histogram.Series.Attributes)).Append(' ').Append(Number(histogram.Sum)).Append('\n');
                text.Append(group.Key).Append("_count").Append(Labels(histogram.Series.Attributes)).Append(' ').Append(histogram.Count).Append('\n');
            }
        }

        return text.ToString();
    }

    /// <param name="kind">Counter, gauge, or null for a histogram.</param>
    public static string MetricName(MetricSeries series, MetricKind? kind)
    {
        var name = Sanitize(series.Name);
        if (series.Unit == "s" && !name.EndsWith("_seconds", StringComparison.Ordinal))
        {
            name += "_seconds";
        }

        if (kind == MetricKind.Counter && !name.EndsWith("_total", StringComparison.Ordinal))
        {
            name += "_total";
        }

        return name;
    }

    private static string Labels(IReadOnlyDictionary<string, string> attributes, (string Key, string Value)? extra = null)
    {
        var pairs = attributes.Select(a => (Key: Sanitize(a.Key), a.Value)).ToList();
        if (extra is { } e)
        {
            pairs.Add(e);
        }

        return pairs.Count == 0
            ? string.Empty
            : "{" + string.Join(",", pairs.Select(p => $"{p.Key}=\"{Escape(p.Value)}\"")) + "}";
    }

    private static string Sanitize(string name)
    {
        var builder = new StringBuilder(name.Length);
        foreach (var c in name)
        {
            builder.Append(char.IsAsciiLetterOrDigit(c) || c == '_' ? c : '_');
        }

        return builder.ToString();
    }

    private static string Escape(string value) => value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);

    private static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
