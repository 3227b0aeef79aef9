using System.Text;
using LeanAssist.Lean.Source;

namespace LeanAssist.Lean.Text;

/// <summary>Where a <c>sorry</c> stands: in place of a tactic (<c>by sorry</c>) or of a term (<c>:= sorry</c>).</summary>
public enum SorryPosition
{
    Tactic,
    Term,
}

/// <summary>The text edit that puts a verified tactic where a <c>sorry</c> was.</summary>
public sealed record SorryEdit(Utf16Range Range, string NewText);

/// <summary>
/// How a verified tactic goes into the document for one target: in place of its <c>sorry</c>, or, for a
/// tactic block that ended with goals unsolved, as a new line after the block's last tactic.
/// </summary>
/// <param name="Range">The sorry's range, or an empty range at the end of the block.</param>
/// <param name="Indent">For an insertion: the whitespace reaching the block's column.</param>
public sealed record TargetEditPlan(bool InsertsAfterBlock, Utf16Range Range, string Indent)
{
    public static TargetEditPlan ReplaceSorry(Utf16Range sorry) => new(false, sorry, string.Empty);

    /// <summary>The edit that puts <paramref name="tactic"/> into <paramref name="text"/> (the text the target was found in).</summary>
    public SorryEdit EditFor(SourceText text, string tactic)
    {
        if (!InsertsAfterBlock)
        {
            return TacticInsertion.Replace(text, Range, tactic);
        }

        var newline = TacticInsertion.LineEnding(text);
        return new SorryEdit(Range, newline + Indent + TacticInsertion.Indent(TacticInsertion.ScriptLines(tactic), Indent, newline));
    }
}

/// <summary>
/// Builds the edit replacing a <c>sorry</c> with a tactic script so that Lean parses it the same
/// way it was verified: later lines of a multi-line script are aligned with the column of the
/// <c>sorry</c> (Lean's tactic blocks are column-sensitive; columns count codepoints, a tab is one),
/// the file's line ending is kept, and a term-position <c>sorry</c> becomes <c>by ...</c>.
/// </summary>
public static class TacticInsertion
{
    public static SorryEdit Replace(SourceText text, Utf16Range sorryRange, string tactic, SorryPosition? position = null)
    {
        var start = text.GetOffset(sorryRange.Start);
        var lineStart = text.GetEditorLineStart(sorryRange.Start.Line);
        var prefix = text.Text[lineStart..start];
        var kind = position ?? Classify(text.Text, start);
        var newline = LineEnding(text);
        var lines = ScriptLines(tactic);

        if (kind == SorryPosition.Term)
        {
            // `:= sorry` takes `by tac` as it is; elsewhere (an argument, a tuple) it needs parentheses.
            // A multi-line block goes below, indented one step past the line it starts on.
            var needsParentheses = PreviousToken(text.Text, start) != ":=";
            var blockIndent = prefix[..(prefix.Length - prefix.TrimStart().Length)] + "  ";
            var script = lines.Length == 1
                ? "by " + lines[0]
                : "by" + newline + blockIndent + Indent(lines, blockIndent, newline);
            return new SorryEdit(sorryRange, needsParentheses ? $"({script})" : script);
        }

        return new SorryEdit(sorryRange, Indent(lines, ColumnIndent(prefix), newline));
    }

    /// <summary>
    /// For an "unsolved goals" error on a <c>by</c> block (<paramref name="blockRange"/> runs from <c>by</c>
    /// to the block's end), the text with a <c>sorry</c> added as the block's last tactic, aligned with its
    /// first tactic, so Lean records a proof state for the goals left. Null when the range does not start
    /// at a <c>by</c> (Lean reports some unsolved goals on a closing brace or a whole declaration).
    /// </summary>
    public static (SourceText WithSorry, Utf16Range Sorry, TargetEditPlan Plan)? AddSorryAfterBlock(SourceText text, Utf16Range blockRange)
    {
        var start = text.GetOffset(blockRange.Start);
        var end = text.GetOffset(blockRange.End);
        if (end <= start || !text.Text.AsSpan(start).StartsWith("by") || start + 2 < text.Length && !char.IsWhiteSpace(text.Text[start + 2]))
        {
            return null;
        }

        // The block's column is its first tactic's: on the line of `by`, or the next line holding code.
        var tokens = LeanLexer.Tokenize(text.Text[start..end]);
        if (tokens.Count < 2)
        {
            return null;
        }

        var firstTactic = start + tokens[1].Start;
        var lineStart = text.Text.LastIndexOf('\n', firstTactic - 1) + 1;
        var indent = ColumnIndent(text.Text[lineStart..firstTactic]);
        var newline = LineEnding(text);
        var insertion = newline + indent + "sorry";
        var at = text.GetUtf16Position(end);
        var withSorry = text.WithChange(new Utf16Range(at, at), insertion);
        var sorryStart = end + insertion.Length - "sorry".Length;
        return (withSorry, withSorry.GetRange(sorryStart, sorryStart + "sorry".Length), new TargetEditPlan(true, new Utf16Range(at, at), indent));
    }

    /// <summary>
    /// A best reading of the text before the <c>sorry</c>: after <c>by</c>, a tactic separator, a
    /// focusing dot or on its own line under a tactic it stands for a tactic; after <c>:=</c>, an
    /// opening bracket or a comma for a term.
    /// </summary>
    public static SorryPosition Classify(string text, int sorryOffset)
    {
        var previous = PreviousToken(text, sorryOffset);
        return previous switch
        {
            "by" or ";" or "<;>" or "·" or "." or "=>" or "then" or "else" or "do" => SorryPosition.Tactic,
            ":=" or "(" or "⟨" or "[" or "," or "from" or "exact" or "refine" or "use" or "fun" or "λ" or "" => SorryPosition.Term,
            _ => OnItsOwnLine(text, sorryOffset) ? SorryPosition.Tactic : SorryPosition.Term,
        };
    }

    private static bool OnItsOwnLine(string text, int offset)
    {
        var lineStart = text.LastIndexOf('\n', Math.Max(0, offset - 1)) + 1;
        return string.IsNullOrWhiteSpace(text[lineStart..offset]);
    }

    /// <summary>The last token before <paramref name="offset"/>, comments skipped ("" at the start).</summary>
    private static string PreviousToken(string text, int offset)
    {
        // Tokenizing the last few lines is enough and stays cheap on long files.
        var windowStart = offset;
        for (var lines = 0; windowStart > 0 && lines < 8; windowStart--)
        {
            if (text[windowStart - 1] == '\n')
            {
                lines++;
            }
        }

        var window = text[windowStart..offset];
        var tokens = LeanLexer.Tokenize(window, out var unterminated);
        if (unterminated is not null && unterminated != LeanLexer.UnterminatedInterpolation)
        {
            // Inside an unterminated comment or string: no reliable previous token. (Inside the {…} of an interpolated
            // string the window ends in code, which is read like any other.)
            return "?";
        }

        if (tokens.Count == 0)
        {
            return string.Empty;
        }

        if (tokens[^1].Kind == LeanTokenKind.InterpolatedStringPart && window[tokens[^1].End - 1] == '{')
        {
            // The { of an interpolated string opens a term, as a parenthesis does.
            return "(";
        }

        string Text(int fromEnd) => tokens.Count >= fromEnd ? tokens[^fromEnd].GetText(window) : string.Empty;
        bool Adjacent(int fromEnd) => tokens.Count > fromEnd && tokens[^(fromEnd + 1)].End == tokens[^fromEnd].Start;

        // Multi-character symbols arrive one character at a time: rebuild ":=", "=>" and "<;>".
        return (Text(3), Text(2), Text(1)) switch
        {
            (_, ":", "=") when Adjacent(1) => ":=",
            (_, "=", ">") when Adjacent(1) => "=>",
            ("<", ";", ">") when Adjacent(1) && Adjacent(2) => "<;>",
            _ => Text(1),
        };
    }

    /// <summary>Whitespace reaching the same Lean column as <paramref name="prefix"/> (tabs kept, one space per other codepoint).</summary>
    private static string ColumnIndent(string prefix)
    {
        var builder = new StringBuilder(prefix.Length);
        foreach (var rune in prefix.EnumerateRunes())
        {
            builder.Append(rune.Value == '\t' ? '\t' : ' ');
        }

        return builder.ToString();
    }

    /// <summary>Joins script lines; the first continues where the edit starts, so only later ones get <paramref name="indent"/> (empty ones none, to leave no trailing whitespace).</summary>
    internal static string Indent(string[] lines, string indent, string newline) =>
        string.Join(newline, lines.Select((line, i) => i == 0 || line.Length == 0 ? line : indent + line));

    /// <summary>The file's line ending, so an inserted script does not mix "\n" into a "\r\n" file.</summary>
    internal static string LineEnding(SourceText text) => text.Text.Contains("\r\n", StringComparison.Ordinal) ? "\r\n" : "\n";

    /// <summary>A tactic script's lines, whatever its line endings, without trailing empty lines.</summary>
    internal static string[] ScriptLines(string tactic) => tactic.Replace("\r\n", "\n", StringComparison.Ordinal).TrimEnd('\n').Split('\n');
}
