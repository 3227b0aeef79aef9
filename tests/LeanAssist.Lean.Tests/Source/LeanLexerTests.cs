using LeanAssist.Lean.Source;

namespace LeanAssist.Lean.Tests.Source;

public sealed class LeanLexerTests
{
    private static (LeanTokenKind Kind, string Text)[] Lex(string text, LeanInterpolation interpolation = LeanInterpolation.AfterPrefix)
    {
        var tokens = LeanLexer.Tokenize(text, interpolation, out var unterminated);
        Assert.Null(unterminated);
        return tokens.Select(t => (t.Kind, t.GetText(text))).ToArray();
    }

    private const LeanTokenKind Id = LeanTokenKind.Identifier;
    private const LeanTokenKind Part = LeanTokenKind.InterpolatedStringPart;
    private const LeanTokenKind Str = LeanTokenKind.StringLiteral;
    private const LeanTokenKind Sym = LeanTokenKind.Symbol;

    [Fact]
    public void The_braces_of_an_interpolated_string_hold_code_between_pieces_of_text()
    {
        Assert.Equal(
            [(Id, "s!"), (Part, "\"a{"), (Id, "x"), (Part, "}b{"), (Id, "y"), (Part, "}c\"")],
            Lex("s!\"a{x}b{y}c\""));
    }

    [Theory]
    [InlineData("m!")]
    [InlineData("f!")]
    [InlineData("println!")]
    [InlineData("throwError")]
    public void Known_interpolation_syntax_interpolates_the_string_after_it(string prefix)
    {
        Assert.Equal([(Id, prefix), (Part, "\"{"), (Id, "sorry"), (Part, "}\"")], Lex(prefix + " \"{sorry}\""));
    }

    [Fact]
    public void Nested_braces_strings_and_interpolations_stay_inside_the_code()
    {
        var text = "s!\"{({ a := s!\"{'}'}\", b := \"}\" } : T)}!\"";

        Assert.Equal(
            [
                (Id, "s!"), (Part, "\"{"), (Sym, "("), (Sym, "{"), (Id, "a"), (Sym, ":"), (Sym, "="),
                (Id, "s!"), (Part, "\"{"), (LeanTokenKind.CharLiteral, "'}'"), (Part, "}\""), (Sym, ","),
                (Id, "b"), (Sym, ":"), (Sym, "="), (Str, "\"}\""), (Sym, "}"), (Sym, ":"), (Id, "T"), (Sym, ")"), (Part, "}!\""),
            ],
            Lex(text));
    }

    [Fact]
    public void Escaped_braces_and_quotes_are_text()
    {
        Assert.Equal([(Id, "s!"), (Str, "\"\\{x} \\\" y\"")], Lex("s!\"\\{x} \\\" y\""));
    }

    [Fact]
    public void Other_strings_are_plain_unless_every_string_is_read_as_interpolated()
    {
        const string text = "exact \"a{b}\".length";

        Assert.Equal([(Id, "exact"), (Str, "\"a{b}\""), (Sym, "."), (Id, "length")], Lex(text));
        Assert.Equal(
            [(Id, "exact"), (Part, "\"a{"), (Id, "b"), (Part, "}\""), (Sym, "."), (Id, "length")],
            Lex(text, LeanInterpolation.EveryString));
    }

    [Fact]
    public void Raw_strings_are_never_interpolated()
    {
        Assert.Equal([(Id, "exact"), (Str, "r#\"{sorry}\"#")], Lex("exact r#\"{sorry}\"#", LeanInterpolation.EveryString));
    }

    [Theory]
    [InlineData("s!\"{x", LeanLexer.UnterminatedInterpolation)]
    [InlineData("s!\"{x} and", "unterminated interpolated string")]
    [InlineData("s!\"{\"}", "unterminated string literal")]
    [InlineData("s!\"no braces", "unterminated string literal")]
    public void Unclosed_interpolations_are_reported(string text, string expected)
    {
        LeanLexer.Tokenize(text, LeanInterpolation.AfterPrefix, out var unterminated);

        Assert.Equal(expected, unterminated);
    }

    [Fact]
    public void Lines_and_columns_continue_after_a_multi_line_interpolated_string()
    {
        var text = "def m := s!\"a\n{x}\n  b\"\ntheorem t";

        var tokens = LeanLexer.Tokenize(text);

        var x = tokens.Single(t => t.GetText(text) == "x");
        var theorem = tokens.Single(t => t.GetText(text) == "theorem");
        Assert.Equal((1, false), (x.Column, x.FirstOnLine));
        Assert.Equal((0, true), (theorem.Column, theorem.FirstOnLine));
    }
}
