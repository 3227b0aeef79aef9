using System.Text;

namespace LeanAssist.Lean.Text;

/// <summary>
/// Immutable text of a Lean file with exact conversions between UTF-16 offsets, editor (LSP)
/// positions and Lean positions. Edits return a new instance; an instance never changes.
/// </summary>
/// <remarks>
/// Two line tables are kept because the two conventions disagree on a lone "\r": LSP ends a line
/// there, Lean does not. For "\n" and "\r\n" files they agree on line numbers.
/// </remarks>
public sealed class SourceText
{
    private readonly int[] _editorLineStarts;
    private int[]? _leanLineStarts;

    public SourceText(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        Text = text;
        _editorLineStarts = ComputeEditorLineStarts(text);
    }

    public static SourceText Empty { get; } = new(string.Empty);

    public string Text { get; }

    public int Length => Text.Length;

    /// <summary>Number of lines as the editor counts them (an empty text has one line).</summary>
    public int EditorLineCount => _editorLineStarts.Length;

    private int[] LeanLineStarts => _leanLineStarts ??= ComputeLeanLineStarts(Text);

    /// <summary>Offset where the editor line starts.</summary>
    public int GetEditorLineStart(int line) => _editorLineStarts[Math.Clamp(line, 0, _editorLineStarts.Length - 1)];

    /// <summary>Offset just past the last character of the editor line, before its terminator.</summary>
    public int GetEditorLineContentEnd(int line)
    {
        line = Math.Clamp(line, 0, _editorLineStarts.Length - 1);
        var end = line + 1 < _editorLineStarts.Length ? _editorLineStarts[line + 1] : Text.Length;
        if (end > _editorLineStarts[line] && end <= Text.Length && line + 1 < _editorLineStarts.Length)
        {
            // Strip the terminator: "\r\n", "\n" or "\r".
            if (Text[end - 1] == '\n')
            {
                end--;
                if (end > _editorLineStarts[line] && Text[end - 1] == '\r')
                {
                    end--;
                }
            }
            else if (Text[end - 1] == '\r')
            {
                end--;
            }
        }

        return end;
    }

    /// <summary>The text of one editor line without its terminator.</summary>
    public string GetEditorLine(int line)
    {
        var start = GetEditorLineStart(line);
        return Text[start..GetEditorLineContentEnd(line)];
    }

    /// <summary>
    /// Offset of an editor position. A character past the end of its line means the line's end
    /// (the LSP rule); a line past the end means the end of the text; a character in the middle
    /// of a surrogate pair moves to the start of the pair.
    /// </summary>
    public int GetOffset(Utf16Position position)
    {
        if (position.Line < 0)
        {
            return 0;
        }

        if (position.Line >= _editorLineStarts.Length)
        {
            return Text.Length;
        }

        var start = _editorLineStarts[position.Line];
        var end = GetEditorLineContentEnd(position.Line);
        var offset = start + Math.Clamp(position.Character, 0, end - start);
        if (offset > start && offset < Text.Length && char.IsLowSurrogate(Text[offset]) && char.IsHighSurrogate(Text[offset - 1]))
        {
            offset--;
        }

        return offset;
    }

    /// <summary>Editor position of an offset (clamped to the text).</summary>
    public Utf16Position GetUtf16Position(int offset)
    {
        offset = Math.Clamp(offset, 0, Text.Length);
        var line = FindLine(_editorLineStarts, offset);
        return new Utf16Position(line, offset - _editorLineStarts[line]);
    }

    /// <summary>
    /// Offset of a Lean position (1-based line, codepoint column). Columns past the end of the line
    /// mean the line's end (before its "\n"); lines outside the text clamp to its start or end.
    /// </summary>
    public int GetOffset(LeanPosition position)
    {
        var starts = LeanLineStarts;
        if (position.Line < 1)
        {
            return 0;
        }

        if (position.Line > starts.Length)
        {
            return Text.Length;
        }

        var offset = starts[position.Line - 1];
        var lineEnd = position.Line < starts.Length ? starts[position.Line] - 1 : Text.Length;
        for (var column = 0; column < position.Column && offset < lineEnd; column++)
        {
            offset += char.IsHighSurrogate(Text[offset]) && offset + 1 < lineEnd && char.IsLowSurrogate(Text[offset + 1]) ? 2 : 1;
        }

        return offset;
    }

    /// <summary>Lean position of an offset (clamped to the text).</summary>
    public LeanPosition GetLeanPosition(int offset)
    {
        offset = Math.Clamp(offset, 0, Text.Length);
        if (offset > 0 && offset < Text.Length && char.IsLowSurrogate(Text[offset]) && char.IsHighSurrogate(Text[offset - 1]))
        {
            offset--;
        }

        var starts = LeanLineStarts;
        var line = FindLine(starts, offset);
        var column = 0;
        for (var i = starts[line]; i < offset; i++)
        {
            if (!(char.IsLowSurrogate(Text[i]) && i > starts[line] && char.IsHighSurrogate(Text[i - 1])))
            {
                column++;
            }
        }

        return new LeanPosition(line + 1, column);
    }

    public Utf16Position ToUtf16(LeanPosition position) => GetUtf16Position(GetOffset(position));

    public LeanPosition ToLean(Utf16Position position) => GetLeanPosition(GetOffset(position));

    public Utf16Range GetRange(int startOffset, int endOffset) =>
        new(GetUtf16Position(startOffset), GetUtf16Position(endOffset));

    public string GetText(Utf16Range range)
    {
        var start = GetOffset(range.Start);
        var end = GetOffset(range.End);
        return end <= start ? string.Empty : Text[start..end];
    }

    /// <summary>Returns a new text with <paramref name="range"/> replaced by <paramref name="newText"/>.</summary>
    public SourceText WithChange(Utf16Range range, string newText)
    {
        var start = GetOffset(range.Start);
        var end = Math.Max(start, GetOffset(range.End));
        var builder = new StringBuilder(Text.Length - (end - start) + newText.Length);
        builder.Append(Text, 0, start).Append(newText).Append(Text, end, Text.Length - end);
        return new SourceText(builder.ToString());
    }

    public override string ToString() => Text;

    private static int FindLine(int[] lineStarts, int offset)
    {
        var index = Array.BinarySearch(lineStarts, offset);
        return index >= 0 ? index : ~index - 1;
    }

    private static int[] ComputeEditorLineStarts(string text)
    {
        var starts = new List<int> { 0 };
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '\r')
            {
                if (i + 1 < text.Length && text[i + 1] == '\n')
                {
                    i++;
                }

                starts.Add(i + 1);
            }
            else if (c == '\n')
            {
                starts.Add(i + 1);
            }
        }

        return starts.ToArray();
    }

    private static int[] ComputeLeanLineStarts(string text)
    {
        var starts = new List<int> { 0 };
        for (var i = text.IndexOf('\n'); i >= 0; i = text.IndexOf('\n', i + 1))
        {
            starts.Add(i + 1);
        }

        return starts.ToArray();
    }
}
