using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace LeanAssist.Suggestions.Llm.Prompting;

/// <summary>
/// Extracts candidate tactics from a model's answer, which is untrusted and often untidy: code fences (with or
/// without a language tag, one per candidate or several candidates in one), numbered or bulleted lists, inline code,
/// a leading <c>by</c>, a restated theorem, <c>&lt;think&gt;</c> sections of reasoning models, JSON arrays, and chatter
/// around all of it. Returns raw candidates in the answer's order; <see cref="Candidates.CandidateList"/> normalises
/// and de-duplicates them.
/// </summary>
public static partial class TacticResponseParser
{
    private static readonly HashSet<string> ChatterWords = new(StringComparer.OrdinalIgnoreCase)
    {
        "here", "here's", "sure", "the", "this", "these", "that", "those", "i", "i'm", "we", "you", "note", "explanation",
        "it", "its", "since", "because", "then", "so", "first", "finally", "alternatively", "also", "answer", "certainly",
        "okay", "ok", "let's", "candidates", "tactics", "if", "for", "in", "a", "an", "each", "all", "both", "hope", "which",
    };

    public static IReadOnlyList<string> Parse(string answer)
    {
        ArgumentNullException.ThrowIfNull(answer);
        var text = ThinkSection().Replace(answer.Replace("\r\n", "\n", StringComparison.Ordinal), "");
        if (FromJson(text) is { } fromJson)
        {
            return fromJson;
        }

        var fences = Fence().Matches(text);
        return fences.Count > 0
            ? fences.SelectMany(f => SplitBlock(f.Groups["body"].Value)).ToArray()
            : FromLines(text);
    }

    /// <summary>A JSON array of strings, or an object with one such array ("tactics", "candidates").</summary>
    private static IReadOnlyList<string>? FromJson(string text)
    {
        var trimmed = text.Trim();
        if (trimmed.Length < 2 || !(trimmed[0] is '[' or '{'))
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(trimmed);
            var array = document.RootElement.ValueKind == JsonValueKind.Array
                ? document.RootElement
                : document.RootElement.EnumerateObject().Select(p => p.Value).FirstOrDefault(v => v.ValueKind == JsonValueKind.Array);
            if (array.ValueKind != JsonValueKind.Array)
            {
                return null;
            }

            var strings = array.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString()!).ToArray();
            return strings.Length > 0 ? strings : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>
    /// One fenced block: a restated theorem gives what follows <c>:= by</c>; blank lines or list markers separate
    /// several candidates; otherwise the block is one (possibly multi-line) script.
    /// </summary>
    private static IEnumerable<string> SplitBlock(string body)
    {
        var statement = StatementPrefix().Match(body);
        if (statement.Success)
        {
            return [body[(statement.Index + statement.Length)..]];
        }

        var lines = body.Split('\n');
        var nonBlank = lines.Where(l => l.Trim().Length > 0).ToArray();
        if (nonBlank.Length > 1 && nonBlank.All(l => ListMarker().IsMatch(l)))
        {
            return nonBlank;
        }

        var chunks = BlankLines().Split(body.Trim('\n')).Where(c => c.Trim().Length > 0).ToArray();
        // Chunks that start indented belong to the script above them (a blank line inside a script).
        return chunks.Length > 1 && chunks.All(c => !c.StartsWith(' ')) ? chunks : [body];
    }

    /// <summary>An answer without fences: list items (with their indented continuation lines), inline code, bare tactic lines.</summary>
    private static IReadOnlyList<string> FromLines(string text)
    {
        var candidates = new List<string>();
        StringBuilder? item = null;
        foreach (var line in text.Split('\n'))
        {
            if (line.Trim().Length == 0)
            {
                Flush();
                continue;
            }

            var isContinuation = item is not null && line.StartsWith(' ') && !ListMarker().IsMatch(line);
            if (isContinuation)
            {
                item!.Append('\n').Append(line);
                continue;
            }

            Flush();
            var isListItem = ListMarker().IsMatch(line);
            var code = InlineCode().Matches(line);
            if (code.Count > 0 && (isListItem || InlineCode().Match(line.TrimStart()).Index == 0))
            {
                candidates.AddRange(code.Select(c => c.Groups["code"].Value));
                continue;
            }

            var content = isListItem ? ListMarker().Replace(line, "", 1) : line;
            if (!IsChatter(content))
            {
                item = new StringBuilder(line);
            }
        }

        Flush();
        return candidates;

        void Flush()
        {
            if (item is not null)
            {
                candidates.Add(item.ToString());
                item = null;
            }
        }
    }

    /// <summary>Prose rather than Lean: tactics start with a lower-case keyword and do not end a sentence with a colon.</summary>
    private static bool IsChatter(string line)
    {
        var trimmed = line.Trim();
        if (trimmed.Length == 0 || trimmed.EndsWith(':') || trimmed.StartsWith('#') || trimmed.Contains("**", StringComparison.Ordinal)
            || trimmed.StartsWith('>') || char.IsUpper(trimmed[0]))
        {
            return true;
        }

        var firstWord = trimmed.Split(' ', 2)[0].TrimEnd(',', '.', '!');
        if (ChatterWords.Contains(firstWord))
        {
            return true;
        }

        // A sentence: several words, a full stop, and nothing that looks like Lean syntax.
        var words = trimmed.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;
        return words >= 4 && trimmed.EndsWith('.') && !LeanSyntax().IsMatch(trimmed);
    }

    [GeneratedRegex(@"<think>.*?(?:</think>|$)", RegexOptions.Singleline | RegexOptions.CultureInvariant)]
    private static partial Regex ThinkSection();

    [GeneratedRegex(@"(?:```|~~~)[^\n`]*\n(?<body>.*?)(?:\n[ \t]*(?:```|~~~)|\z)", RegexOptions.Singleline | RegexOptions.CultureInvariant)]
    private static partial Regex Fence();

    [GeneratedRegex(@"(?:theorem|lemma|example)\b.*?:=\s*by\b[ \t]*\n?", RegexOptions.Singleline | RegexOptions.CultureInvariant)]
    private static partial Regex StatementPrefix();

    [GeneratedRegex(@"^\s*(?:\d{1,2}[.)]|\(\d{1,2}\)|[-*•])\s+", RegexOptions.CultureInvariant)]
    private static partial Regex ListMarker();

    [GeneratedRegex(@"\n[ \t]*\n", RegexOptions.CultureInvariant)]
    private static partial Regex BlankLines();

    [GeneratedRegex(@"`(?<code>[^`\n]+)`", RegexOptions.CultureInvariant)]
    private static partial Regex InlineCode();

    [GeneratedRegex(@"[\[\]()⟨⟩←→↔⊢_]|:=|<;>|\bat\b", RegexOptions.CultureInvariant)]
    private static partial Regex LeanSyntax();
}
