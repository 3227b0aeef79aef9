using System.Text;
using LeanAssist.Lean.Text;

namespace LeanAssist.Lean.Tests.Text;

public sealed class SourceTextTests
{
    // Pieces random texts are made of: ASCII, Lean's unicode, astral characters (surrogate pairs), tabs and every line terminator.
    private static readonly string[] Pieces =
    [
        "a", "x", " ", "theorem", ":=", "by", "\t", "⊢", "ℕ", "→", "∀", "✝", "¬", "α", "𝔽", "😀", "𝕜",
        "\n", "\r\n", "\r", "é", "e\u0301",
    ];

    private static string RandomText(Random random, int pieces)
    {
        var builder = new StringBuilder();
        for (var i = 0; i < pieces; i++)
        {
            builder.Append(Pieces[random.Next(Pieces.Length)]);
        }

        return builder.ToString();
    }

    /// <summary>Reference: LSP lines end at \n, \r\n, \r; character = UTF-16 units from the line start.</summary>
    private static (int Line, int Character) ReferenceUtf16(string text, int offset)
    {
        var line = 0;
        var lineStart = 0;
        for (var i = 0; i < offset; i++)
        {
            if (text[i] == '\n' || (text[i] == '\r' && (i + 1 >= text.Length || text[i + 1] != '\n')))
            {
                line++;
                lineStart = i + 1;
            }
        }

        return (line, offset - lineStart);
    }

    /// <summary>Reference: Lean lines end at \n only; column = codepoints (runes) from the line start.</summary>
    private static (int Line, int Column) ReferenceLean(string text, int offset)
    {
        var before = text[..offset];
        var lastNewline = before.LastIndexOf('\n');
        var line = before.Count(c => c == '\n') + 1;
        var column = before[(lastNewline + 1)..].EnumerateRunes().Count();
        return (line, column);
    }

    private static bool IsInsideSurrogatePair(string text, int offset) =>
        offset > 0 && offset < text.Length && char.IsLowSurrogate(text[offset]) && char.IsHighSurrogate(text[offset - 1]);

    private static bool IsInsideCrLf(string text, int offset) =>
        offset > 0 && offset < text.Length && text[offset - 1] == '\r' && text[offset] == '\n';

    [Fact]
    public void Random_unicode_texts_convert_exactly_both_ways()
    {
        var random = new Random(20261122);
        for (var round = 0; round < 400; round++)
        {
            var text = RandomText(random, random.Next(0, 60));
            var source = new SourceText(text);
            for (var offset = 0; offset <= text.Length; offset++)
            {
                if (IsInsideSurrogatePair(text, offset))
                {
                    continue;
                }

                var lean = source.GetLeanPosition(offset);
                Assert.Equal(ReferenceLean(text, offset), (lean.Line, lean.Column));
                Assert.Equal(offset, source.GetOffset(lean));

                if (IsInsideCrLf(text, offset))
                {
                    continue;
                }

                var utf16 = source.GetUtf16Position(offset);
                Assert.Equal(ReferenceUtf16(text, offset), (utf16.Line, utf16.Character));
                Assert.Equal(offset, source.GetOffset(utf16));
                if (!text.Contains('\r'))
                {
                    // Without lone "\r" both conventions agree on lines, so positions translate directly.
                    Assert.Equal(lean, source.ToLean(utf16));
                    Assert.Equal(utf16, source.ToUtf16(lean));
                }
            }
        }
    }

    [Fact]
    public void Random_edits_match_plain_string_replacement()
    {
        var random = new Random(7);
        for (var round = 0; round < 300; round++)
        {
            var text = RandomText(random, random.Next(0, 40));
            var source = new SourceText(text);
            var start = random.Next(0, text.Length + 1);
            var end = random.Next(start, text.Length + 1);
            while (IsInsideSurrogatePair(text, start) || IsInsideCrLf(text, start))
            {
                start--;
            }

            while (IsInsideSurrogatePair(text, end) || IsInsideCrLf(text, end))
            {
                end++;
            }

            var insert = RandomText(random, random.Next(0, 5));
            var range = new Utf16Range(source.GetUtf16Position(start), source.GetUtf16Position(end));

            var edited = source.WithChange(range, insert);

            Assert.Equal(text[..start] + insert + text[end..], edited.Text);
        }
    }

    [Fact]
    public void Lean_columns_count_codepoints_not_utf16_units()
    {
        // "𝔽" is one codepoint but two UTF-16 units.
        var source = new SourceText("theorem t : 𝔽 = 𝔽 := by sorry");
        var sorryOffset = source.Text.IndexOf("sorry", StringComparison.Ordinal);

        Assert.Equal(new LeanPosition(1, 24), source.GetLeanPosition(sorryOffset));
        Assert.Equal(new Utf16Position(0, 26), source.GetUtf16Position(sorryOffset));
        Assert.Equal(new Utf16Position(0, 26), source.ToUtf16(new LeanPosition(1, 24)));
    }

    [Fact]
    public void Crlf_lines_agree_and_the_carriage_return_belongs_to_the_lean_line()
    {
        var source = new SourceText("a\r\n\tb ⊢ c\r\nsorry");
        var sorryOffset = source.Text.IndexOf("sorry", StringComparison.Ordinal);

        Assert.Equal(new LeanPosition(3, 0), source.GetLeanPosition(sorryOffset));
        Assert.Equal(new Utf16Position(2, 0), source.GetUtf16Position(sorryOffset));
        Assert.Equal("\tb ⊢ c", source.GetEditorLine(1));
        Assert.Equal(3, source.EditorLineCount);
    }

    [Fact]
    public void A_lone_carriage_return_ends_an_editor_line_but_not_a_lean_line()
    {
        var source = new SourceText("ab\rcd");

        Assert.Equal(new Utf16Position(1, 1), source.GetUtf16Position(4));
        Assert.Equal(new LeanPosition(1, 4), source.GetLeanPosition(4));
    }

    [Theory]
    [InlineData(0, 99, 2)]
    [InlineData(5, 0, 7)]
    [InlineData(-1, 0, 0)]
    public void Editor_positions_past_the_end_clamp_as_lsp_says(int line, int character, int expectedOffset)
    {
        var source = new SourceText("ab\ncd");

        Assert.Equal(expectedOffset == 7 ? source.Length : expectedOffset, source.GetOffset(new Utf16Position(line, character)));
    }

    [Fact]
    public void A_character_inside_a_surrogate_pair_moves_to_its_start()
    {
        var source = new SourceText("x😀y");

        Assert.Equal(1, source.GetOffset(new Utf16Position(0, 2)));
    }

    [Fact]
    public void Lean_positions_past_the_end_of_a_line_clamp_to_the_line_end()
    {
        var source = new SourceText("ab\ncd");

        Assert.Equal(2, source.GetOffset(new LeanPosition(1, 50)));
        Assert.Equal(source.Length, source.GetOffset(new LeanPosition(9, 0)));
        Assert.Equal(0, source.GetOffset(new LeanPosition(0, 0)));
    }
}
