using System.Globalization;
using System.Text;

namespace LeanAssist.Lean.Text;

public enum LeanTokenKind
{
    /// <summary>An identifier or keyword, possibly dotted (<c>Nat.succ</c>), with <c>?</c>/<c>!</c>/<c>'</c> as Lean allows.</summary>
    Identifier,

    /// <summary>A <c>#</c> command word (<c>#eval</c>, <c>#print</c>).</summary>
    HashCommand,

    Number,
    StringLiteral,
    CharLiteral,

    /// <summary>Any other symbol or punctuation run.</summary>
    Symbol,
}

public readonly record struct LeanToken(LeanTokenKind Kind, string Text, int Offset);

/// <summary>The text could not be tokenized the way Lean would (an unterminated comment or string...).</summary>
public sealed class LeanTokenizeException(string message, int offset) : Exception(message)
{
    public int Offset { get; } = offset;
}

/// <summary>
/// Splits Lean 4 source into tokens the way Lean's lexer sees them, so that a check on the tokens
/// sees exactly the code Lean would run: comments (<c>--</c>, nested <c>/- -/</c>) are dropped,
/// string, raw-string and char literals are single opaque tokens, and anything the lexer would
/// reject (an unterminated comment or string) is an error rather than a guess.
/// </summary>
public static class LeanTokenizer
{
    public static IReadOnlyList<LeanToken> Tokenize(string text)
    {
        var tokens = new List<LeanToken>();
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (char.IsWhiteSpace(c))
            {
                i++;
            }
            else if (c == '-' && At(text, i + 1, '-'))
            {
                i = SkipLineComment(text, i);
            }
            else if (c == '/' && At(text, i + 1, '-'))
            {
                i = SkipBlockComment(text, i);
            }
            else if (c == '"')
            {
                var end = SkipString(text, i);
                tokens.Add(new LeanToken(LeanTokenKind.StringLiteral, text[i..end], i));
                i = end;
            }
            else if (c == 'r' && IsRawStringStart(text, i))
            {
                var end = SkipRawString(text, i);
                tokens.Add(new LeanToken(LeanTokenKind.StringLiteral, text[i..end], i));
                i = end;
            }
            else if (c == '\'' && TryCharLiteral(text, i, out var charEnd))
            {
                tokens.Add(new LeanToken(LeanTokenKind.CharLiteral, text[i..charEnd], i));
                i = charEnd;
            }
            else if (c == '«' || IsIdentifierStart(text, i))
            {
                var end = SkipIdentifier(text, i);
                tokens.Add(new LeanToken(LeanTokenKind.Identifier, StripGuillemets(text[i..end]), i));
                i = end;
            }
            else if (c == '#' && i + 1 < text.Length && IsIdentifierStart(text, i + 1))
            {
                var end = SkipIdentifier(text, i + 1);
                tokens.Add(new LeanToken(LeanTokenKind.HashCommand, text[i..end], i));
                i = end;
            }
            else if (char.IsAsciiDigit(c))
            {
                var start = i;
                while (i < text.Length && (char.IsAsciiLetterOrDigit(text[i]) || text[i] == '.' || text[i] == '_'))
                {
                    i++;
                }

                tokens.Add(new LeanToken(LeanTokenKind.Number, text[start..i], start));
            }
            else
            {
                var length = char.IsSurrogatePair(text, i) ? 2 : 1;
                tokens.Add(new LeanToken(LeanTokenKind.Symbol, text.Substring(i, length), i));
                i += length;
            }
        }

        return tokens;
    }

    private static bool At(string text, int index, char expected) => index < text.Length && text[index] == expected;

    private static int SkipLineComment(string text, int start)
    {
        var end = text.IndexOf('\n', start);
        return end < 0 ? text.Length : end + 1;
    }

    /// <summary>Block comments nest in Lean: <c>/- a /- b -/ c -/</c> is one comment.</summary>
    private static int SkipBlockComment(string text, int start)
    {
        var depth = 0;
        var i = start;
        while (i < text.Length)
        {
            if (text[i] == '/' && At(text, i + 1, '-'))
            {
                depth++;
                i += 2;
            }
            else if (text[i] == '-' && At(text, i + 1, '/'))
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

        throw new LeanTokenizeException("unterminated comment", start);
    }

    private static int SkipString(string text, int start)
    {
        var i = start + 1;
        while (i < text.Length)
        {
            switch (text[i])
            {
                case '\\':
                    i += 2;
                    break;
                case '"':
                    return i + 1;
                default:
                    i++;
                    break;
            }
        }

        throw new LeanTokenizeException("unterminated string literal", start);
    }

    private static bool IsRawStringStart(string text, int start)
    {
        if (start > 0 && IsIdentifierPart(text[start - 1]))
        {
            return false;
        }

        var i = start + 1;
        while (i < text.Length && text[i] == '#')
        {
            i++;
        }

        return i < text.Length && text[i] == '"';
    }

    /// <summary><c>r"..."</c>, <c>r#"..."#</c>: no escapes; ends at a quote followed by as many hashes.</summary>
    private static int SkipRawString(string text, int start)
    {
        var i = start + 1;
        var hashes = 0;
        while (text[i] == '#')
        {
            hashes++;
            i++;
        }

        var terminator = "\"" + new string('#', hashes);
        var end = text.IndexOf(terminator, i + 1, StringComparison.Ordinal);
        if (end < 0)
        {
            throw new LeanTokenizeException("unterminated raw string literal", start);
        }

        return end + terminator.Length;
    }

    /// <summary>
    /// A char literal (<c>'a'</c>, <c>'\n'</c>, <c>'"'</c>) starts a token; a prime after an
    /// identifier (<c>h'</c>) is part of the identifier and never gets here.
    /// </summary>
    private static bool TryCharLiteral(string text, int start, out int end)
    {
        end = start;
        var i = start + 1;
        if (i >= text.Length)
        {
            return false;
        }

        if (text[i] == '\\')
        {
            i += 2;
            // \x.., \u{....}: consume up to the closing quote on this line.
            while (i < text.Length && text[i] != '\'' && text[i] != '\n' && i - start < 12)
            {
                i++;
            }
        }
        else
        {
            i += char.IsSurrogatePair(text, i) ? 2 : 1;
        }

        if (i < text.Length && text[i] == '\'')
        {
            end = i + 1;
            return true;
        }

        return false;
    }

    private static bool IsIdentifierStart(string text, int index)
    {
        var c = text[index];
        if (c == '_' || char.IsLetter(c))
        {
            return !IsExcludedLetter(c);
        }

        // Letter-like symbols Lean allows in identifiers (subscripts, 𝔽...).
        return char.IsSurrogatePair(text, index) && Rune.GetUnicodeCategory(Rune.GetRuneAt(text, index)) is UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter or UnicodeCategory.MathSymbol;
    }

    /// <summary>λ, Π, Σ are keywords/notation in Lean, not identifier letters.</summary>
    private static bool IsExcludedLetter(char c) => c is 'λ' or 'Π' or 'Σ';

    private static bool IsIdentifierPart(char c) =>
        (char.IsLetterOrDigit(c) && !IsExcludedLetter(c)) || c is '_' or '\'' or '!' or '?' || char.IsLowSurrogate(c) || char.IsHighSurrogate(c)
        || (c >= '\u2080' && c <= '\u209C') || (c >= '\u1D62' && c <= '\u1D6A') || c == '\u2071';

    private static int SkipIdentifier(string text, int start)
    {
        var i = start;
        while (i < text.Length)
        {
            if (text[i] == '«')
            {
                var close = text.IndexOf('»', i + 1);
                if (close < 0)
                {
                    throw new LeanTokenizeException("unterminated «escaped identifier»", i);
                }

                i = close + 1;
            }
            else if (IsIdentifierPart(text[i]))
            {
                i++;
            }
            else
            {
                break;
            }

            // Dotted names: Nat.succ, IO.Process.run, «a b».c
            if (i + 1 < text.Length && text[i] == '.' && (text[i + 1] == '«' || IsIdentifierStart(text, i + 1)))
            {
                i++;
            }
        }

        return i;
    }

    private static string StripGuillemets(string identifier) =>
        identifier.Contains('«', StringComparison.Ordinal) ? identifier.Replace("«", string.Empty, StringComparison.Ordinal).Replace("»", string.Empty, StringComparison.Ordinal) : identifier;
}
