using System.Globalization;
using System.Net;
using System.Text;

namespace LeanAssist.Benchmarks.Report;

/// <summary>One series of a bar chart: a name and one value per category.</summary>
public sealed record ChartSeries(string Name, IReadOnlyList<double> Values);

/// <summary>A grouped bar chart as a standalone SVG (no dependencies), with value labels and a legend.</summary>
public sealed record SvgBarChart(string Title, string Unit, IReadOnlyList<string> Categories, IReadOnlyList<ChartSeries> Series, bool Logarithmic = false)
{
    private static readonly string[] Colors = ["#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948"];

    public string Render()
    {
        const double width = 720, height = 360, left = 70, right = 20, top = 46, bottom = 64;
        var plotWidth = width - left - right;
        var plotHeight = height - top - bottom;
        var values = Series.SelectMany(s => s.Values).Where(v => v > 0).ToArray();
        var max = values.Length == 0 ? 1 : values.Max();
        var min = values.Length == 0 ? 1 : values.Min();
        double Scale(double v)
        {
            if (v <= 0)
            {
                return 0;
            }

            if (!Logarithmic)
            {
                return v / (max * 1.1) * plotHeight;
            }

            var low = Math.Floor(Math.Log10(min));
            var high = Math.Ceiling(Math.Log10(max)) + 0.1;
            return (Math.Log10(v) - low) / (high - low) * plotHeight;
        }

        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" font-family=\"sans-serif\" font-size=\"11\">");
        svg.Append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{width / 2}\" y=\"20\" text-anchor=\"middle\" font-size=\"14\" font-weight=\"bold\">{Escape(Title)}</text>");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"14\" y=\"{top + plotHeight / 2}\" transform=\"rotate(-90 14 {top + plotHeight / 2})\" text-anchor=\"middle\">{Escape(Unit)}{(Logarithmic ? " (log scale)" : string.Empty)}</text>");
        svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{left}\" y1=\"{top + plotHeight}\" x2=\"{left + plotWidth}\" y2=\"{top + plotHeight}\" stroke=\"#333\"/>");
        svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{left}\" y1=\"{top}\" x2=\"{left}\" y2=\"{top + plotHeight}\" stroke=\"#333\"/>");

        var groupWidth = plotWidth / Math.Max(1, Categories.Count);
        var barWidth = groupWidth * 0.8 / Math.Max(1, Series.Count);
        for (var c = 0; c < Categories.Count; c++)
        {
            var groupLeft = left + c * groupWidth + groupWidth * 0.1;
            for (var s = 0; s < Series.Count; s++)
            {
                var value = c < Series[s].Values.Count ? Series[s].Values[c] : double.NaN;
                if (double.IsNaN(value))
                {
                    continue;
                }

                var barHeight = Scale(value);
                var x = groupLeft + s * barWidth;
                var y = top + plotHeight - barHeight;
                svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{x:0.0}\" y=\"{y:0.0}\" width=\"{barWidth * 0.92:0.0}\" height=\"{barHeight:0.0}\" fill=\"{Colors[s % Colors.Length]}\"><title>{Escape(Series[s].Name)}, {Escape(Categories[c])}: {Format(value)} {Escape(Unit)}</title></rect>");
                svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{x + barWidth * 0.46:0.0}\" y=\"{y - 3:0.0}\" text-anchor=\"middle\" font-size=\"9\">{Format(value)}</text>");
            }

            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{left + c * groupWidth + groupWidth / 2:0.0}\" y=\"{top + plotHeight + 16}\" text-anchor=\"middle\">{Escape(Categories[c])}</text>");
        }

        for (var s = 0; s < Series.Count; s++)
        {
            var x = left + s * (plotWidth / Math.Max(1, Series.Count));
            svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{x:0.0}\" y=\"{height - 22}\" width=\"10\" height=\"10\" fill=\"{Colors[s % Colors.Length]}\"/>");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{x + 14:0.0}\" y=\"{height - 13}\">{Escape(Series[s].Name)}</text>");
        }

        return svg.Append("</svg>\n").ToString();
    }

    private static string Format(double value) => value switch
    {
        >= 100 => value.ToString("0", CultureInfo.InvariantCulture),
        >= 10 => value.ToString("0.#", CultureInfo.InvariantCulture),
        >= 1 => value.ToString("0.##", CultureInfo.InvariantCulture),
        _ => value.ToString("0.###", CultureInfo.InvariantCulture),
    };

    private static string Escape(string text) => WebUtility.HtmlEncode(text);
}
