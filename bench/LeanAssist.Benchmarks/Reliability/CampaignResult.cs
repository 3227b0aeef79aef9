namespace LeanAssist.Benchmarks.Reliability;

/// <summary>One campaign's outcome: its figures (measured, each named), whether every invariant held, and notes (what was simulated).</summary>
public sealed record CampaignResult(string Name, string Invariant, IReadOnlyList<(string Figure, string Value)> Figures, bool Passed, IReadOnlyList<string> Notes)
{
    public static string N(long value) => value.ToString("N0", System.Globalization.CultureInfo.InvariantCulture);
}
