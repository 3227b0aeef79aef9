namespace LeanAssist.Suggestions.Goals;

/// <summary>
/// Parses goals as Lean prints them (<c>"x : Nat\nh : x &gt; 0\n⊢ x ≠ 0"</c>): an optional <c>case</c> line,
/// hypotheses above <c>⊢</c>, the target after it. Long hypotheses and targets that Lean wrapped onto indented
/// continuation lines are joined back.
/// </summary>
public static class LeanGoalParser
{
    public const char Turnstile = '⊢';

    /// <summary>Parses one goal; null when <paramref name="text"/> is not a goal (no <c>⊢</c> line, or "no goals").</summary>
    public static LeanGoal? Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var entries = JoinContinuations(text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n'));
        string? caseTag = null;
        var hypotheses = new List<Hypothesis>();
        foreach (var entry in entries)
        {
            if (entry.Length > 0 && entry[0] == Turnstile)
            {
                return new LeanGoal(caseTag, hypotheses, entry[1..].Trim());
            }

            if (hypotheses.Count == 0 && caseTag is null && entry.StartsWith("case ", StringComparison.Ordinal))
            {
                caseTag = entry["case ".Length..].Trim();
                continue;
            }

            if (ParseHypothesis(entry) is { } hypothesis)
            {
                hypotheses.Add(hypothesis);
            }
        }

        return null;
    }

    /// <summary>Parses several goals printed one after another (separated by blank lines, as in Lean's goal view).</summary>
    public static IReadOnlyList<LeanGoal> ParseAll(string text)
    {
        var goals = new List<LeanGoal>();
        var lines = text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        var start = 0;
        var inTarget = false;
        for (var i = 0; i <= lines.Length; i++)
        {
            // A goal ends at the first line after its ⊢ line that does not continue the target (is not indented).
            var endsGoal = inTarget && (i == lines.Length || !lines[i].StartsWith(' '));
            if (endsGoal)
            {
                if (Parse(string.Join('\n', lines[start..i])) is { } goal)
                {
                    goals.Add(goal);
                }

                start = i;
                inTarget = false;
            }

            if (i < lines.Length && lines[i].StartsWith(Turnstile))
            {
                inTarget = true;
            }
        }

        return goals;
    }

    private static List<string> JoinContinuations(string[] lines)
    {
        var entries = new List<string>();
        foreach (var line in lines)
        {
            if (line.Trim().Length == 0)
            {
                continue;
            }

            if (line.StartsWith(' ') && entries.Count > 0)
            {
                entries[^1] = $"{entries[^1]} {line.Trim()}";
            }
            else
            {
                entries.Add(line.TrimEnd());
            }
        }

        return entries;
    }

    private static Hypothesis? ParseHypothesis(string entry)
    {
        var colon = entry.IndexOf(" : ", StringComparison.Ordinal);
        if (colon <= 0)
        {
            return null;
        }

        var names = entry[..colon].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var rest = entry[(colon + 3)..].Trim();
        string? value = null;
        var assignment = FindTopLevelAssignment(rest);
        if (assignment >= 0)
        {
            value = rest[(assignment + 4)..].Trim();
            rest = rest[..assignment].Trim();
        }

        return new Hypothesis(names, rest, value);
    }

    /// <summary>The index of " := " outside brackets (a let value), or -1.</summary>
    private static int FindTopLevelAssignment(string text)
    {
        var depth = 0;
        for (var i = 0; i < text.Length; i++)
        {
            switch (text[i])
            {
                case '(' or '[' or '{' or '⟨':
                    depth++;
                    break;
                case ')' or ']' or '}' or '⟩':
                    depth--;
                    break;
                case ' ' when depth == 0 && string.CompareOrdinal(text, i, " := ", 0, 4) == 0:
                    return i;
            }
        }

        return -1;
    }
}
