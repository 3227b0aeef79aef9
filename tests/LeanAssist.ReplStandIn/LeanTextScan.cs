using System.Text;
using System.Text.RegularExpressions;

namespace LeanAssist.ReplStandIn;

/// <summary>
/// The little the stand-in needs to know about Lean text: where the <c>sorry</c> tokens and declarations
/// are (outside comments and strings), positions in Lean's convention (1-based line, codepoint column),
/// and a fallback goal built from a declaration's header.
/// </summary>
public static partial class LeanTextScan
{
    public sealed record Declaration(int Start, string Keyword, string? Name, int NameStart, int NameEnd, string Text);

    [GeneratedRegex(@"^[ \t]*(?:@\[[^\]]*\][ \t\n]*)?(?:(?:private|protected|noncomputable|partial|unsafe|nonrec)[ \t]+)*(?<keyword>theorem|lemma|def|example|instance|abbrev)\b[ \t]*(?<name>[^\s:(\[{⦃]+)?", RegexOptions.Multiline)]
    private static partial Regex DeclarationStart();

    [GeneratedRegex(@"^[ \t]*import[ \t]+\S", RegexOptions.Multiline)]
    private static partial Regex ImportLine();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();

    public static bool HasImports(string text) => ImportLine().IsMatch(MaskCommentsAndStrings(text));

    public static int FirstImportOffset(string text) => ImportLine().Match(MaskCommentsAndStrings(text)) is { Success: true } m ? m.Index + (m.Length - m.Value.TrimStart().Length) : -1;

    /// <summary>Offsets of the <c>sorry</c> tokens outside comments and strings.</summary>
    public static IReadOnlyList<int> FindSorries(string text)
    {
        var masked = MaskCommentsAndStrings(text);
        var result = new List<int>();
        for (var i = masked.IndexOf("sorry", StringComparison.Ordinal); i >= 0; i = masked.IndexOf("sorry", i + 5, StringComparison.Ordinal))
        {
            var before = i == 0 ? ' ' : masked[i - 1];
            var after = i + 5 < masked.Length ? masked[i + 5] : ' ';
            if (!IsIdentifierChar(before) && !IsIdentifierChar(after))
            {
                result.Add(i);
            }
        }

        return result;
    }

    public static IReadOnlyList<Declaration> FindDeclarations(string text)
    {
        var masked = MaskCommentsAndStrings(text);
        var matches = DeclarationStart().Matches(masked);
        var result = new List<Declaration>(matches.Count);
        for (var i = 0; i < matches.Count; i++)
        {
            var name = matches[i].Groups["name"];
            var keyword = matches[i].Groups["keyword"];
            var hasName = name.Success && keyword.Value != "example";
            var end = i + 1 < matches.Count ? matches[i + 1].Groups["keyword"].Index : text.Length;
            result.Add(new Declaration(keyword.Index, keyword.Value, hasName ? name.Value : null,
                hasName ? name.Index : keyword.Index, hasName ? name.Index + name.Length : keyword.Index + keyword.Length,
                text[keyword.Index..end]));
        }

        return result;
    }

    /// <summary>Lean's position of an offset: 1-based line, column in codepoints.</summary>
    public static (int Line, int Column) Position(string text, int offset)
    {
        var line = 1;
        var lineStart = 0;
        for (var i = 0; i < offset; i++)
        {
            if (text[i] == '\n')
            {
                line++;
                lineStart = i + 1;
            }
        }

        var column = 0;
        for (var i = lineStart; i < offset; i++)
        {
            if (!char.IsLowSurrogate(text[i]))
            {
                column++;
            }
        }

        return (line, column);
    }

    /// <summary>
    /// The goal Lean would show at a <c>sorry</c> that is the whole proof of <paramref name="declaration"/>:
    /// each binder group as <c>names : type</c> (consecutive groups of one type merged, as Lean prints
    /// them; instance binders without a name as <c>inst✝ : C</c>), then <c>⊢ statement</c>. Whitespace is
    /// collapsed. It knows nothing of <c>variable</c>s, <c>intro</c>s or tactics before the sorry: scripts
    /// give exact goals where that matters.
    /// </summary>
    public static string DeriveGoal(string declaration)
    {
        var masked = MaskCommentsAndStrings(declaration);
        var match = DeclarationStart().Match(masked);
        var start = match.Success ? match.Index + match.Length : 0;
        var end = TopLevelIndexOf(masked, ":=", start);
        end = end < 0 ? masked.Length : end;
        var signature = declaration[start..end];
        var colon = TopLevelColon(signature);
        var binders = colon < 0 ? signature : signature[..colon];
        var statement = colon < 0 ? string.Empty : signature[(colon + 1)..];

        var lines = new List<(string Names, string Type)>();
        foreach (var group in BinderGroups(binders))
        {
            var inner = group[1..^1];
            var groupColon = TopLevelColon(inner);
            var (names, type) = groupColon < 0
                ? (group[0] == '[' ? "inst✝" : null, Collapse(inner))
                : (Collapse(inner[..groupColon]), Collapse(inner[(groupColon + 1)..]));
            if (names is null || type.Length == 0)
            {
                continue;
            }

            if (lines.Count > 0 && lines[^1].Type == type && group[0] != '[')
            {
                lines[^1] = (lines[^1].Names + " " + names, type);
            }
            else
            {
                lines.Add((names, type));
            }
        }

        var builder = new StringBuilder();
        foreach (var (names, type) in lines)
        {
            builder.Append(names).Append(" : ").Append(type).Append('\n');
        }

        return builder.Append("⊢ ").Append(Collapse(statement)).ToString();
    }

    private static IEnumerable<string> BinderGroups(string binders)
    {
        var i = 0;
        while (i < binders.Length)
        {
            var open = binders[i];
            var close = open switch { '(' => ')', '{' => '}', '[' => ']', '⦃' => '⦄', _ => '\0' };
            if (close == '\0')
            {
                i++;
                continue;
            }

            var depth = 0;
            var j = i;
            for (; j < binders.Length; j++)
            {
                if (binders[j] == open)
                {
                    depth++;
                }
                else if (binders[j] == close && --depth == 0)
                {
                    break;
                }
            }

            if (j >= binders.Length)
            {
                yield break;
            }

            yield return binders[i..(j + 1)];
            i = j + 1;
        }
    }

    private static int TopLevelColon(string text)
    {
        var depth = 0;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c is '(' or '[' or '{' or '⦃' or '⟨')
            {
                depth++;
            }
            else if (c is ')' or ']' or '}' or '⦄' or '⟩')
            {
                depth--;
            }
            else if (c == ':' && depth == 0 && (i + 1 >= text.Length || text[i + 1] != '=') && (i == 0 || text[i - 1] != ':'))
            {
                return i;
            }
        }

        return -1;
    }

    private static int TopLevelIndexOf(string text, string value, int start)
    {
        var depth = 0;
        for (var i = start; i < text.Length; i++)
        {
            var c = text[i];
            if (c is '(' or '[' or '{' or '⦃' or '⟨')
            {
                depth++;
            }
            else if (c is ')' or ']' or '}' or '⦄' or '⟩')
            {
                depth--;
            }
            else if (depth == 0 && string.CompareOrdinal(text, i, value, 0, value.Length) == 0)
            {
                return i;
            }
        }

        return -1;
    }

    private static string Collapse(string text) => Whitespace().Replace(text, " ").Trim();

    private static bool IsIdentifierChar(char c) => char.IsLetterOrDigit(c) || c is '_' or '\'' or '.' or '?' or '!';

    /// <summary>The text with comments and string contents replaced by spaces (offsets unchanged; newlines kept).</summary>
    public static string MaskCommentsAndStrings(string text)
    {
        var chars = text.ToCharArray();
        var i = 0;
        while (i < chars.Length)
        {
            if (chars[i] == '-' && i + 1 < chars.Length && chars[i + 1] == '-')
            {
                while (i < chars.Length && chars[i] != '\n')
                {
                    chars[i++] = ' ';
                }
            }
            else if (chars[i] == '/' && i + 1 < chars.Length && chars[i + 1] == '-')
            {
                var depth = 0;
                while (i < chars.Length)
                {
                    if (chars[i] == '/' && i + 1 < chars.Length && chars[i + 1] == '-')
                    {
                        depth++;
                        Blank(chars, i, 2);
                        i += 2;
                    }
                    else if (chars[i] == '-' && i + 1 < chars.Length && chars[i + 1] == '/')
                    {
                        Blank(chars, i, 2);
                        i += 2;
                        if (--depth == 0)
                        {
                            break;
                        }
                    }
                    else
                    {
                        Blank(chars, i, 1);
                        i++;
                    }
                }
            }
            else if (chars[i] == '"')
            {
                i++;
                while (i < chars.Length && chars[i] != '"')
                {
                    var step = chars[i] == '\\' ? 2 : 1;
                    Blank(chars, i, Math.Min(step, chars.Length - i));
                    i += step;
                }

                i++;
            }
            else
            {
                i++;
            }
        }

        return new string(chars);
    }

    private static void Blank(char[] chars, int start, int count)
    {
        for (var k = start; k < start + count && k < chars.Length; k++)
        {
            if (chars[k] != '\n')
            {
                chars[k] = ' ';
            }
        }
    }
}
