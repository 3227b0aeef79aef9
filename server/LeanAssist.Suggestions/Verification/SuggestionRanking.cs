namespace LeanAssist.Suggestions.Verification;

/// <summary>
/// The order suggestions are offered in: solved first, then progress by fewer and smaller remaining
/// goals. Within those, a concrete tactic before a search (<c>exact?</c>, <c>apply?</c>: slow, and
/// their "Try this" tactic is offered on its own), then the faster, then tactics that did well on
/// similar goals before. Failed, rejected and timed-out candidates follow, for the record.
/// </summary>
public static class SuggestionRanking
{
    public static IReadOnlyList<Suggestion> Rank(IEnumerable<Suggestion> suggestions, Func<Suggestion, double> pastSuccess) =>
        suggestions
            .OrderBy(s => s.Verdict switch
            {
                SuggestionVerdict.Solved => 0,
                SuggestionVerdict.Progress => 1,
                SuggestionVerdict.Unconfirmed => 2,
                SuggestionVerdict.Failed => 3,
                SuggestionVerdict.TimedOut => 4,
                _ => 5,
            })
            .ThenBy(s => s.Verdict == SuggestionVerdict.Progress ? s.RemainingGoals.Count : 0)
            .ThenBy(s => s.Verdict == SuggestionVerdict.Progress ? s.RemainingGoals.Sum(g => g.Length) : 0)
            .ThenBy(s => IsSearch(s.Tactic))
            .ThenBy(s => s.IsVerified ? s.LeanMilliseconds : 0)
            .ThenByDescending(pastSuccess)
            .ThenBy(s => s.Tactic.Length)
            .ThenBy(s => s.Tactic, StringComparer.Ordinal)
            .ToArray();

    /// <summary><c>exact?</c>, <c>apply?</c>, <c>simp?</c>, <c>rw?</c>, <c>aesop?</c>: tactics that search and print what they found.</summary>
    public static bool IsSearch(string tactic)
    {
        var head = tactic.TrimStart().Split((char[])[' ', '\n', '\t'], 2)[0];
        return head.EndsWith('?');
    }
}
