namespace LeanAssist.Lean.Source;

/// <summary>What a <see cref="LeanToken"/> is, as far as splitting a file into commands needs.</summary>
public enum LeanTokenKind
{
    /// <summary>An identifier or a keyword spelled like one (<c>theorem</c>, <c>Nat.succ</c>, <c>«weird name»</c>, <c>simp?</c>).</summary>
    Identifier,

    /// <summary>A hash command word such as <c>#check</c> or <c>#eval</c>.</summary>
    HashCommand,

    /// <summary>The opening <c>@[</c> of an attribute list.</summary>
    AttributeOpen,

    /// <summary>A doc comment <c>/-- ... -/</c> (attached to the declaration after it).</summary>
    DocComment,

    /// <summary>A module doc comment <c>/-! ... -/</c> (a command of its own).</summary>
    ModuleDocComment,

    /// <summary>A whole string literal: plain, raw, or interpolated without any <c>{…}</c>.</summary>
    StringLiteral,

    /// <summary>
    /// The text of an interpolated string (<c>s!"a{x}b"</c>) between its code parts: from the opening quote or the
    /// <c>}</c> ending an interpolation up to and including the next <c>{</c> or the closing quote
    /// (<c>"a{</c>, <c>}b"</c>). The code inside the braces comes as ordinary tokens between the parts.
    /// </summary>
    InterpolatedStringPart,

    CharLiteral,
    Number,

    /// <summary>Any other single character (brackets, operators, punctuation).</summary>
    Symbol,
}

/// <summary>A token: its kind, where it is, and whether it is the first token on its line.</summary>
public readonly record struct LeanToken(LeanTokenKind Kind, int Start, int End, int Column, bool FirstOnLine)
{
    public string GetText(string source) => source[Start..End];
}

/// <summary>Which string literals the lexer reads as interpolated strings, whose <c>{…}</c> parts are code.</summary>
public enum LeanInterpolation
{
    /// <summary>
    /// A string right after an <c>ident!</c> token (<c>s!</c>, <c>m!</c>, <c>f!</c>, <c>println!</c>, ...) or after
    /// <c>throwError</c>: the syntax Lean and Mathlib spell with <c>interpolatedStr</c> in front of a string. Syntax that
    /// puts other tokens in between (<c>throwErrorAt ref "…"</c>, <c>trace[c] "…"</c>) is not recognised.
    /// </summary>
    AfterPrefix,

    /// <summary>
    /// Every string literal except raw strings. Any syntax may declare an interpolated string after any token,
    /// so this is the reading to check when code must not be able to hide in a string whatever surrounds it.
    /// </summary>
    EveryString,
}

/// <summary>
/// A small Lean 4 lexer: enough of Lean's lexical grammar to find where commands start without being
/// fooled by comments (<c>--</c>, nested <c>/- -/</c>), string and char literals, raw strings or
/// attributes. The <c>{…}</c> parts of interpolated strings are code in Lean (<c>s!"{(by run_tac …)}"</c>
/// runs it), so they are lexed as code: nested braces, strings and interpolations included, <c>\{</c> escaped.
/// It never throws: unterminated comments, strings and interpolations run to the end of the text (and are
/// reported, for callers that must refuse what Lean would not read the same way).
/// </summary>
public static class LeanLexer
{
    /// <summary>
    /// What <c>unterminated</c> says when the text ends inside the <c>{…}</c> code of an interpolated string. A window of
    /// text that ends at a position inside such code (the tokens before a <c>sorry</c> in <c>s!"{sorry}"</c>) gets this.
    /// </summary>
    public const string UnterminatedInterpolation = "unterminated interpolation {…} in a string literal";

    /// <summary>Words after which Lean reads a string as interpolated although they do not end in <c>!</c>.</summary>
    private static readonly HashSet<string> InterpolationKeywords = new(StringComparer.Ordinal) { "throwError" };

    public static List<LeanToken> Tokenize(string text) => Tokenize(text, LeanInterpolation.AfterPrefix, out _);

    public static List<LeanToken> Tokenize(string text, out string? unterminated) => Tokenize(text, LeanInterpolation.AfterPrefix, out unterminated);

    /// <summary>
    /// Tokenizes <paramref name="text"/>; <paramref name="unterminated"/> names the first construct that
    /// runs to the end of the text without being closed (a comment, a string, an interpolation, an escaped
    /// «name»), which Lean would reject: code after such a point cannot be read the way Lean would read it.
    /// </summary>
    public static List<LeanToken> Tokenize(string text, LeanInterpolation interpolation, out string? unterminated)
    {
        unterminated = null;
        var tokens = new List<LeanToken>();

        // One entry per interpolation we are inside (innermost last): how many of its code's own '{' are open.
        // A '}' when that count is 0 ends the interpolation and the string's text goes on.
        var openBraces = new List<int>();
        var position = 0;
        var lineStart = 0;
        var firstOnLine = true;
        while (position < text.Length)
        {
            var c = text[position];
            if (c == '\n')
            {
                position++;
                lineStart = position;
                firstOnLine = true;
                continue;
            }

            if (char.IsWhiteSpace(c))
            {
                position++;
                continue;
            }

            if (c == '-' && Peek(text, position + 1) == '-')
            {
                // Line comment: up to (not including) the newline, which resets the line state.
                var newline = text.IndexOf('\n', position);
                position = newline < 0 ? text.Length : newline;
                continue;
            }

            var start = position;
            LeanTokenKind kind;
            if (c == '/' && Peek(text, position + 1) == '-')
            {
                var third = Peek(text, position + 2);
                position = SkipBlockComment(text, position);
                if (position < 0)
                {
                    unterminated ??= "unterminated comment";
                    position = text.Length;
                }

                if (third == '-' && Peek(text, start + 3) != '/')
                {
                    kind = LeanTokenKind.DocComment;
                }
                else if (third == '!')
                {
                    kind = LeanTokenKind.ModuleDocComment;
                }
                else
                {
                    // Ordinary block comments are trivia; they may span lines, which resets the line state.
                    var lastNewline = text.LastIndexOf('\n', position - 1, position - start);
                    if (lastNewline >= 0)
                    {
                        lineStart = lastNewline + 1;
                        firstOnLine = true;
                    }

                    continue;
                }
            }
            else if (c == '}' && openBraces.Count > 0 && openBraces[^1] == 0)
            {
                // The end of an interpolation: the string's text continues up to the next '{' or its closing quote.
                openBraces.RemoveAt(openBraces.Count - 1);
                kind = LeanTokenKind.InterpolatedStringPart;
                position = SkipStringPart(text, position + 1, out var opensInterpolation);
                if (position < 0)
                {
                    unterminated ??= "unterminated interpolated string";
                    position = text.Length;
                }
                else if (opensInterpolation)
                {
                    openBraces.Add(0);
                }
            }
            else if (c == '"' && IsInterpolated(text, tokens, interpolation))
            {
                position = SkipStringPart(text, position + 1, out var opensInterpolation);
                kind = opensInterpolation ? LeanTokenKind.InterpolatedStringPart : LeanTokenKind.StringLiteral;
                if (position < 0)
                {
                    unterminated ??= "unterminated string literal";
                    position = text.Length;
                }
                else if (opensInterpolation)
                {
                    openBraces.Add(0);
                }
            }
            else if (c == '"')
            {
                position = SkipString(text, position + 1);
                kind = LeanTokenKind.StringLiteral;
                if (position < 0)
                {
                    unterminated ??= "unterminated string literal";
                    position = text.Length;
                }
            }
            else if (c == 'r' && IsRawStringStart(text, position) && !IsIdentifierContinuation(text, position))
            {
                position = SkipRawString(text, position);
                kind = LeanTokenKind.StringLiteral;
                if (position < 0)
                {
                    unterminated ??= "unterminated raw string literal";
                    position = text.Length;
                }
            }
            else if (c == '\'' && !IsIdentifierContinuation(text, position) && TrySkipCharLiteral(text, position, out var afterChar))
            {
                position = afterChar;
                kind = LeanTokenKind.CharLiteral;
            }
            else if (c == '@' && Peek(text, position + 1) == '[')
            {
                position += 2;
                kind = LeanTokenKind.AttributeOpen;
            }
            else if (c == '#' && IsIdentifierStart(text, position + 1))
            {
                position = SkipIdentifier(text, position + 1);
                kind = LeanTokenKind.HashCommand;
            }
            else if (IsIdentifierStart(text, position))
            {
                position = SkipIdentifier(text, position);
                kind = LeanTokenKind.Identifier;
                if (position < 0)
                {
                    unterminated ??= "unterminated «escaped identifier»";
                    position = text.Length;
                }
            }
            else if (char.IsAsciiDigit(c))
            {
                while (position < text.Length && (char.IsAsciiLetterOrDigit(text[position]) || text[position] == '.' && char.IsAsciiDigit(Peek(text, position + 1))))
                {
                    position++;
                }

                kind = LeanTokenKind.Number;
            }
            else
            {
                position += char.IsHighSurrogate(c) && char.IsLowSurrogate(Peek(text, position + 1)) ? 2 : 1;
                kind = LeanTokenKind.Symbol;
                if (openBraces.Count > 0 && c is '{' or '}')
                {
                    // Braces of the interpolated code itself (a structure instance, a set): a '}' at 0 was handled above.
                    openBraces[^1] += c == '{' ? 1 : -1;
                }
            }

            tokens.Add(new LeanToken(kind, start, position, start - lineStart, firstOnLine));
            firstOnLine = false;

            // A token that spans lines (a doc comment, a string) leaves us on its last line.
            var spanNewline = text.LastIndexOf('\n', position - 1, position - start);
            if (spanNewline >= 0)
            {
                lineStart = spanNewline + 1;
            }
        }

        if (openBraces.Count > 0)
        {
            unterminated ??= UnterminatedInterpolation;
        }

        return tokens;
    }

    /// <summary>Whether the string literal starting here is read as an interpolated string.</summary>
    private static bool IsInterpolated(string text, List<LeanToken> tokens, LeanInterpolation interpolation)
    {
        if (interpolation == LeanInterpolation.EveryString)
        {
            return true;
        }

        if (tokens.Count == 0 || tokens[^1].Kind != LeanTokenKind.Identifier)
        {
            return false;
        }

        var previous = tokens[^1];
        return text[previous.End - 1] == '!' || InterpolationKeywords.Contains(previous.GetText(text));
    }

    private static char Peek(string text, int index) => index < text.Length ? text[index] : '\0';

    /// <summary>Skips a block comment starting at <paramref name="start"/> ("/-"); comments nest. -1 when it never ends.</summary>
    private static int SkipBlockComment(string text, int start)
    {
        var depth = 0;
        var i = start;
        while (i < text.Length)
        {
            if (text[i] == '/' && Peek(text, i + 1) == '-')
            {
                depth++;
                i += 2;
            }
            else if (text[i] == '-' && Peek(text, i + 1) == '/')
            {
                depth--;
                i += 2;
                if (depth == 0)
                {
                    return i;
                }
            }
            else
            {
                i++;
            }
        }

        return -1;
    }

    /// <summary>-1 when the string never ends.</summary>
    private static int SkipString(string text, int i)
    {
        while (i < text.Length)
        {
            if (text[i] == '\\')
            {
                i += 2;
            }
            else if (text[i] == '"')
            {
                return i + 1;
            }
            else
            {
                i++;
            }
        }

        return -1;
    }

    /// <summary>
    /// Skips the text of an interpolated string from <paramref name="i"/> (after its opening quote or a closing
    /// <c>}</c>) up to the next unescaped <c>{</c>, which opens code (<paramref name="opensInterpolation"/>), or the
    /// closing quote. -1 when neither comes.
    /// </summary>
    private static int SkipStringPart(string text, int i, out bool opensInterpolation)
    {
        opensInterpolation = false;
        while (i < text.Length)
        {
            switch (text[i])
            {
                case '\\':
                    // \{ is a brace in the text, \" a quote.
                    i += 2;
                    break;
                case '"':
                    return i + 1;
                case '{':
                    opensInterpolation = true;
                    return i + 1;
                default:
                    i++;
                    break;
            }
        }

        return -1;
    }

    private static bool IsRawStringStart(string text, int i)
    {
        var j = i + 1;
        while (j < text.Length && text[j] == '#')
        {
            j++;
        }

        return Peek(text, j) == '"';
    }

    private static int SkipRawString(string text, int i)
    {
        var hashes = 0;
        var j = i + 1;
        while (text[j] == '#')
        {
            hashes++;
            j++;
        }

        var terminator = "\"" + new string('#', hashes);
        var end = text.IndexOf(terminator, j + 1, StringComparison.Ordinal);
        return end < 0 ? -1 : end + terminator.Length;
    }

    private static bool TrySkipCharLiteral(string text, int i, out int end)
    {
        // 'a', '\n', '\'' , '\x41', '\u{1F600}', or a surrogate pair between quotes.
        end = i;
        var j = i + 1;
        if (j >= text.Length || text[j] == '\n')
        {
            return false;
        }

        if (text[j] == '\\')
        {
            var close = text.IndexOf('\'', j + 2);
            if (close < 0 || close - j > 12 || text.AsSpan(j, close - j).Contains('\n'))
            {
                return false;
            }

            end = close + 1;
            return true;
        }

        j += char.IsHighSurrogate(text[j]) && char.IsLowSurrogate(Peek(text, j + 1)) ? 2 : 1;
        if (Peek(text, j) != '\'')
        {
            return false;
        }

        end = j + 1;
        return true;
    }

    /// <summary>True when the character before <paramref name="i"/> belongs to an identifier (so <c>'</c> is a prime: <c>h'</c>).</summary>
    private static bool IsIdentifierContinuation(string text, int i) =>
        i > 0 && (IsIdentifierPart(text[i - 1]) || text[i - 1] == '\'');

    private static bool IsIdentifierStart(string text, int i)
    {
        if (i >= text.Length)
        {
            return false;
        }

        var c = text[i];
        return c == '«' || c == '_' || IsLetterLike(c) || char.IsHighSurrogate(c) && char.IsLetter(text, i);
    }

    private static int SkipIdentifier(string text, int i)
    {
        while (true)
        {
            if (text[i] == '«')
            {
                var close = text.IndexOf('»', i + 1);
                if (close < 0)
                {
                    return -1;
                }

                i = close + 1;
            }
            else
            {
                while (i < text.Length && (IsIdentifierPart(text[i]) || char.IsSurrogate(text[i]) && i + 1 < text.Length && char.IsLetter(text, char.IsHighSurrogate(text[i]) ? i : i - 1)))
                {
                    i++;
                }

                // simp?, exact?, decide! : a trailing ? or ! is part of the name.
                while (i < text.Length && (text[i] == '?' || text[i] == '!'))
                {
                    i++;
                }
            }

            // Dotted names continue after a '.' followed by another identifier start.
            if (i < text.Length - 1 && text[i] == '.' && IsIdentifierStart(text, i + 1))
            {
                i++;
                continue;
            }

            return i;
        }
    }

    private static bool IsIdentifierPart(char c) =>
        c == '_' || c == '\'' || char.IsAsciiDigit(c) || IsLetterLike(c) || IsSubscript(c);

    /// <summary>Lean's letter-like characters: letters (not λ, Π, Σ, which are notation), Greek, letter-like symbols such as ℕ.</summary>
    private static bool IsLetterLike(char c) =>
        c is not ('λ' or 'Π' or 'Σ')
        && (char.IsLetter(c) || c is >= '\u2100' and <= '\u214f' || c is >= '\u1d00' and <= '\u1dbf');

    private static bool IsSubscript(char c) =>
        c is >= '\u2080' and <= '\u209c' || c is >= '\u1d62' and <= '\u1d6a' || c == '\u2c7c';
}
