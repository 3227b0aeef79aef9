using System.Text;
using System.Text.RegularExpressions;

namespace LeanAssist.Suggestions.Candidates;

/// <summary>
/// Normalises one candidate tactic as a proposer produced it, and gives the key under which equal candidates
/// collide. Every proposer's output goes through here, so candidates from the portfolio, an LLM and "Try this"
/// compare equal when Lean would read them the same.
/// </summary>
/// <remarks>
/// Lean's tactic blocks are layout-sensitive: the lines of a script must keep their columns relative to one another.
/// So unwrapping (fences, numbering, a leading <c>by</c>) remembers the column the first line's text really started
/// at, and the whole script is then shifted left as one block.
/// </remarks>
public static partial class TacticText
{
    private const int TabWidth = 2;

    /// <summary>
    /// Strips what is not the tactic: a code fence, surrounding backticks, list numbering or a "Candidate 2:" label,
    /// a theorem statement up to <c>:= by</c>, a leading <c>by</c>, line comments, trailing <c>;</c> <c>,</c> or a
    /// sentence's full stop; turns tabs (which Lean refuses) into spaces; removes the common indentation.
    /// </summary>
    /// <returns>The tactic text, or null when nothing is left.</returns>
    public static string? Normalize(string raw)
    {
        ArgumentNullException.ThrowIfNull(raw);
        var text = raw.Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n').Replace("\t", new string(' ', TabWidth), StringComparison.Ordinal);
        var lines = text.Split('\n').ToList();
        TrimBlankEdges(lines);
        if (lines.Count == 0)
        {
            return null;
        }

        StripFence(lines);
        DropCommentLines(lines);
        TrimBlankEdges(lines);
        if (lines.Count == 0)
        {
            return null;
        }

        // The column where the first line's text starts in the source; unwrapping moves it right.
        var firstIndent = Indentation(lines[0]);
        var first = lines[0][firstIndent..];
        var unwrapped = UnwrapFirstLine(first, out var removed);
        firstIndent += removed;
        if (unwrapped.Length == 0)
        {
            // "by" alone (or "1." alone) on the first line: the script is the lines below.
            lines.RemoveAt(0);
            TrimBlankEdges(lines);
            if (lines.Count == 0)
            {
                return null;
            }

            firstIndent = Indentation(lines[0]);
            lines[0] = lines[0][firstIndent..];
        }
        else
        {
            lines[0] = unwrapped;
        }

        var indents = new List<int>(lines.Count) { firstIndent };
        for (var i = 1; i < lines.Count; i++)
        {
            indents.Add(Indentation(lines[i]));
            lines[i] = lines[i].TrimStart(' ');
        }

        for (var i = 0; i < lines.Count; i++)
        {
            lines[i] = StripTrailingComment(lines[i]).TrimEnd();
        }

        var common = Enumerable.Range(0, lines.Count).Where(i => lines[i].Length > 0).Select(i => indents[i]).DefaultIfEmpty(0).Min();
        var builder = new StringBuilder();
        for (var i = 0; i < lines.Count; i++)
        {
            if (lines[i].Length == 0)
            {
                builder.Append('\n');
                continue;
            }

            builder.Append(' ', i == 0 ? 0 : Math.Max(0, indents[i] - common)).Append(lines[i]).Append('\n');
        }

        var result = StripTrailingJunk(builder.ToString().Trim('\n'));
        return result.Length == 0 || result == "by" ? null : result;
    }

    /// <summary>
    /// The de-duplication key of a normalised candidate: whitespace runs collapsed and spaces next to brackets and
    /// commas dropped (Lean reads <c>simp [a,b]</c> and <c>simp  [a, b]</c> alike); indentation is kept.
    /// </summary>
    public static string DeduplicationKey(string normalized)
    {
        var lines = normalized.Split('\n');
        var builder = new StringBuilder(normalized.Length);
        foreach (var line in lines)
        {
            if (builder.Length > 0)
            {
                builder.Append('\n');
            }

            var indent = Indentation(line);
            builder.Append(' ', indent);
            var body = InnerWhitespace().Replace(line[indent..].TrimEnd(), " ");
            builder.Append(SpaceAroundPunctuation().Replace(body, "$1"));
        }

        return builder.ToString();
    }

    private static void TrimBlankEdges(List<string> lines)
    {
        while (lines.Count > 0 && string.IsNullOrWhiteSpace(lines[0]))
        {
            lines.RemoveAt(0);
        }

        while (lines.Count > 0 && string.IsNullOrWhiteSpace(lines[^1]))
        {
            lines.RemoveAt(lines.Count - 1);
        }
    }

    /// <summary>Removes an opening ``` line (with any language tag) and the closing one, when present.</summary>
    private static void StripFence(List<string> lines)
    {
        if (lines[0].TrimStart().StartsWith("```", StringComparison.Ordinal))
        {
            var opening = lines[0].TrimStart()[3..].Trim();
            lines.RemoveAt(0);
            // "```simp```" on one line: the tactic is between the fences.
            if (opening.EndsWith("```", StringComparison.Ordinal) && opening.Length > 3)
            {
                lines.Insert(0, opening[..^3]);
            }
            else if (opening.Length > 0 && !LanguageTag().IsMatch(opening))
            {
                lines.Insert(0, opening);
            }
        }

        if (lines.Count > 0 && lines[^1].Trim() == "```")
        {
            lines.RemoveAt(lines.Count - 1);
        }
        else if (lines.Count > 0 && lines[^1].TrimEnd().EndsWith("```", StringComparison.Ordinal))
        {
            lines[^1] = lines[^1].TrimEnd()[..^3];
        }
    }

    private static void DropCommentLines(List<string> lines) =>
        lines.RemoveAll(line => line.TrimStart().StartsWith("--", StringComparison.Ordinal));

    /// <summary>Strips wrappers from the first line; <paramref name="removed"/> is how many columns they took.</summary>
    private static string UnwrapFirstLine(string first, out int removed)
    {
        var start = first.Length;
        var current = first;
        bool changed;
        do
        {
            changed = false;
            foreach (var pattern in FirstLineWrappers)
            {
                var match = pattern.Match(current);
                if (match.Success && match.Length > 0)
                {
                    current = current[match.Length..];
                    changed = true;
                }
            }

            // A statement echoed back: keep what follows ":= by".
            var statement = Statement().Match(current);
            if (statement.Success)
            {
                current = current[(statement.Index + statement.Length)..];
                changed = true;
            }

            if (current.Length > 1 && current[0] == '`' && current[^1] == '`' && current.IndexOf('`', 1) == current.Length - 1)
            {
                current = current[1..^1];
                changed = true;
            }
        }
        while (changed && current.Length > 0);

        removed = start - current.Length;
        var trimmed = current.TrimStart();
        removed += current.Length - trimmed.Length;
        return trimmed.TrimEnd();
    }

    private static readonly Regex[] FirstLineWrappers =
    [
        // Markdown emphasis around a label: "**1.**", "**Candidate 2:**".
        new(@"^\*\*[^*\n]{0,40}\*\*\s*", RegexOptions.CultureInvariant),
        // List markers: "1.", "2)", "(3)", "-", "*", "•" (not Lean's focusing dot "·").
        new(@"^(?:\d{1,2}[.)]|\(\d{1,2}\)|[-*•])[ ]+", RegexOptions.CultureInvariant),
        // Labels: "Candidate 1:", "Tactic:", "Option 2 -", "Proof:".
        new(@"^(?:candidate|tactic|option|attempt|proof|answer|alternative)\s*\d{0,2}\s*[:.)\-]\s*", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase),
        // A leading "by" (followed by the tactic on the same line, or by nothing).
        new(@"^by(?:\s+|$)", RegexOptions.CultureInvariant),
    ];

    /// <summary>Removes a "-- comment" that is not inside a string literal.</summary>
    private static string StripTrailingComment(string line)
    {
        var inString = false;
        for (var i = 0; i < line.Length - 1; i++)
        {
            if (line[i] == '"' && (i == 0 || line[i - 1] != '\\'))
            {
                inString = !inString;
            }
            else if (!inString && line[i] == '-' && line[i + 1] == '-' && (i == 0 || char.IsWhiteSpace(line[i - 1])))
            {
                return line[..i];
            }
        }

        return line;
    }

    private static string StripTrailingJunk(string text)
    {
        var trimmed = text.TrimEnd();
        while (trimmed.Length > 0)
        {
            var last = trimmed[^1];
            if (last is ';' or ',' or '`')
            {
                trimmed = trimmed[..^1].TrimEnd();
            }
            else if (last == '.' && (trimmed.Length == 1 || trimmed[^2] != '.'))
            {
                // Lean never ends a tactic with a single '.': it is a sentence's full stop.
                trimmed = trimmed[..^1].TrimEnd();
            }
            else
            {
                break;
            }
        }

        return trimmed;
    }

    private static int Indentation(string line)
    {
        var count = 0;
        while (count < line.Length && line[count] == ' ')
        {
            count++;
        }

        return count;
    }

    [GeneratedRegex(@"^(?:lean4?|lean-4|text|plaintext)$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex LanguageTag();

    [GeneratedRegex(@"^(?:theorem|lemma|example)\b[^\n]*?:=\s*by\b\s*", RegexOptions.CultureInvariant)]
    private static partial Regex Statement();

    [GeneratedRegex(@"\s+", RegexOptions.CultureInvariant)]
    private static partial Regex InnerWhitespace();

    [GeneratedRegex(@"\s*([,\[\]\(\)])\s*", RegexOptions.CultureInvariant)]
    private static partial Regex SpaceAroundPunctuation();
}
