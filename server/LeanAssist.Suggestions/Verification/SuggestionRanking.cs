namespace LeanAssist.Suggestions.Verification;

/// <summary>
/// The order suggestions are offered in: solved first (fastest first), then progress by fewer and
/// smaller remaining goals (then Lean time); ties go to tactics that did well on similar goals before.
/// Failed, rejected and timed-out candidates follow, for the record.
/// </summary>
public static class SuggestionRanking
{
    public static IReadOnlyList<Suggestion> Rank(IEnumerable<Suggestion> suggestions, Func<Suggestion, double> pastSuccess) =>
        suggestions
            .OrderBy(s => s.Verdict switch
            {
                SuggestionVerdict.Solved => 0,
                SuggestionVerdict.Progress => 1,
                SuggestionVerdict.Failed => 2,
                SuggestionVerdict.TimedOut => 3,
                _ => 4,
            })
            .ThenBy(s => s.Verdict == SuggestionVerdict.Progress ? s.RemainingGoals.Count : 0)
            .ThenBy(s => s.Verdict == SuggestionVerdict.Progress ? s.RemainingGoals.Sum(g => g.Length) : 0)
            .ThenBy(s => s.IsVerified ? s.LeanMilliseconds : 0)
            .ThenByDescending(pastSuccess)
            .ThenBy(s => s.Tactic.Length)
            .ThenBy(s => s.Tactic, StringComparer.Ordinal)
            .ToArray();
}
