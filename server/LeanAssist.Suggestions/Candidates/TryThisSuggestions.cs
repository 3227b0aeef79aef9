using System.Text;
using System.Text.RegularExpressions;

namespace LeanAssist.Suggestions.Candidates;

/// <summary>
/// Reads the concrete tactics out of the info messages of <c>exact?</c>, <c>apply?</c>, <c>simp?</c> and friends,
/// so that each becomes a candidate of its own (verified on its own, and cheaper to re-run than the search).
/// </summary>
/// <remarks>
/// Lean has printed these in two layouts, both handled:
/// <code>
/// Try this: exact Nat.zero_le n            (before Lean 4.22; apply? may add "-- Remaining subgoals:" lines)
///
/// Try this:                                (Lean 4.22 and later: one "[apply]" entry per suggestion,
///   [apply] exact Nat.zero_le n             continuation lines indented two more columns)
/// Try these:
///   [apply] simp
///   [apply] omega
/// </code>
/// Multi-line suggestions keep their relative indentation.
/// </remarks>
public static partial class TryThisSuggestions
{
    /// <summary>The tactics suggested in one info message, in the order Lean gave them; empty when it has none.</summary>
    public static IReadOnlyList<string> Parse(string message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var lines = message.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        var suggestions = new List<string>();
        for (var i = 0; i < lines.Length; i++)
        {
            var header = Header().Match(lines[i]);
            if (!header.Success)
            {
                continue;
            }

            var sameLine = lines[i][(header.Index + header.Length)..].Trim();
            if (sameLine.Length > 0)
            {
                // Old layout: the suggestion starts on the header line; indented lines continue it.
                var builder = new StringBuilder(sameLine);
                while (i + 1 < lines.Length && lines[i + 1].StartsWith(' ') && !IsEntry(lines[i + 1]))
                {
                    builder.Append('\n').Append(lines[++i].TrimEnd());
                }

                Add(suggestions, builder.ToString());
                continue;
            }

            // New layout: entries "  [apply] text" or "• text", each continued by more deeply indented lines.
            while (i + 1 < lines.Length && IsEntry(lines[i + 1]))
            {
                var entry = Entry().Match(lines[++i]);
                var baseIndent = entry.Groups["indent"].Length;
                var builder = new StringBuilder(entry.Groups["text"].Value.TrimEnd());
                while (i + 1 < lines.Length && !IsEntry(lines[i + 1]) && Indentation(lines[i + 1]) > baseIndent)
                {
                    builder.Append('\n').Append(lines[++i][baseIndent..].TrimEnd());
                }

                Add(suggestions, builder.ToString());
            }
        }

        return suggestions;
    }

    /// <summary>
    /// The suggestions of several info messages (a tactic's whole output) as candidates of
    /// <paramref name="proposer"/>, without duplicates.
    /// </summary>
    public static IReadOnlyList<TacticCandidate> ToCandidates(IEnumerable<string> infoMessages, string proposer)
    {
        var list = new CandidateList();
        foreach (var suggestion in infoMessages.SelectMany(Parse))
        {
            list.TryAddNormalized(suggestion, proposer);
        }

        return list.Candidates;
    }

    private static void Add(List<string> suggestions, string suggestion)
    {
        // "simp? says simp only [...]": the concrete tactic is what follows "says".
        var says = suggestion.IndexOf(" says ", StringComparison.Ordinal);
        if (says >= 0 && !suggestion[..says].Contains('\n'))
        {
            suggestion = suggestion[(says + " says ".Length)..];
        }

        if (TacticText.Normalize(suggestion) is { } tactic)
        {
            suggestions.Add(tactic);
        }
    }

    private static bool IsEntry(string line) => Entry().IsMatch(line);

    private static int Indentation(string line) => line.Length - line.TrimStart(' ').Length;

    [GeneratedRegex(@"Try th(?:is|ese):", RegexOptions.CultureInvariant)]
    private static partial Regex Header();

    [GeneratedRegex(@"^(?<indent>[ ]*)(?:\[[a-z]+\][ ]+|•[ ]+)(?<text>.*)$", RegexOptions.CultureInvariant)]
    private static partial Regex Entry();
}
