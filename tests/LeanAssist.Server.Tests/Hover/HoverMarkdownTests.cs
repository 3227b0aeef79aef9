using LeanAssist.Lean.Sessions;
using LeanAssist.Lean.Source;
using LeanAssist.Lean.Text;
using LeanAssist.Server.Hover;
using LeanAssist.Suggestions.Verification;

namespace LeanAssist.Server.Tests.Hover;

/// <summary>The hover table's rows: a failed candidate's row says Lean's reason, not only that it failed.</summary>
public sealed class HoverMarkdownTests
{
    [Fact]
    public void A_REPL_error_row_shows_the_line_after_Lean_error()
    {
        // The REPL's answer to a tactic that does not parse, as recorded (core/unknown_tactic): {"message": "Lean error:\n<input>:1:1: unknown tactic"}.
        var markdown = HoverHandler.Markdown(Result(Failed("exat 1", "Lean error:\n<input>:1:1: unknown tactic")), DateTimeOffset.UtcNow);

        // The angle brackets are escaped: VS Code's Markdown renderer would drop "<input>" as an HTML tag.
        Assert.Contains(@"| `exat 1` | ❌ Lean error: \<input\>:1:1: unknown tactic | 7 ms | portfolio |" + "\n", markdown, StringComparison.Ordinal);
    }

    [Fact]
    public void A_one_line_reason_is_shown_whole_and_a_multi_line_reason_by_its_first_line()
    {
        var markdown = HoverHandler.Markdown(
            Result(
                Failed("simp", "simp made no progress"),
                Failed("omega", "omega could not prove the goal:\na possible counterexample may satisfy the constraints\n  c - a - b ≤ -1"),
                Failed("decide", "failed to synthesize\n  Decidable (n < n + 1)")),
            DateTimeOffset.UtcNow);

        Assert.Contains("| `simp` | ❌ simp made no progress |", markdown, StringComparison.Ordinal);
        // A heading that ends with ':' is followed by its first line; then the reason stops.
        Assert.Contains("| `omega` | ❌ omega could not prove the goal: a possible counterexample may satisfy the constraints |", markdown, StringComparison.Ordinal);
        Assert.Contains("| `decide` | ❌ failed to synthesize |", markdown, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("unknown identifier 'h_1'", @"unknown identifier 'h\_1'")]
    [InlineData("a * b < c | d", @"a \* b \< c \| d")]
    [InlineData("type mismatch\n  `x`", "type mismatch ⏎   'x'")]
    [InlineData("[simp] <input>", @"\[simp\] \<input\>")]
    public void A_plain_cell_shows_its_text_as_written_in_one_line(string text, string expected) =>
        Assert.Equal(expected, HoverHandler.PlainCell(text));

    [Theory]
    [InlineData(null, "")]
    [InlineData("", "")]
    [InlineData("Lean error:", "Lean error:")]
    [InlineData("Lean error:\n\n  <input>:1:1: unknown tactic\nmore", "Lean error: <input>:1:1: unknown tactic")]
    [InlineData("unknown identifier 'bogus'", "unknown identifier 'bogus'")]
    public void Reason_takes_the_first_line_and_what_a_heading_introduces(string? error, string expected) =>
        Assert.Equal(expected, HoverHandler.Reason(error));

    [Fact]
    public void A_long_reason_is_cut_with_an_ellipsis()
    {
        var reason = HoverHandler.Reason("Lean error:\n" + new string('x', 300));

        Assert.Equal(HoverHandler.MaxReasonLength + 1, reason.Length);
        Assert.EndsWith("…", reason, StringComparison.Ordinal);
    }

    private static Suggestion Failed(string tactic, string error) =>
        new(tactic, SuggestionVerdict.Failed, [], 7, "portfolio", FromCache: false, TrustsCompiler: false, error, Llm: null);

    private static TargetSuggestions Result(params Suggestion[] suggestions)
    {
        var range = new Utf16Range(new Utf16Position(1, 2), new Utf16Position(1, 7));
        var target = new LeanTarget(
            "declaration#0", LeanTargetKind.Sorry, "n : Nat\n⊢ n + 0 = n", range, new LeanPosition(2, 2), new LeanPosition(2, 7),
            new LeanFingerprint("environment"), new LeanFingerprint("declaration"), "theorem t (n : Nat) : n + 0 = n := by\n  sorry", 40, "t", ProofState: null);
        var costs = new SuggestionCosts(TimeSpan.FromMilliseconds(30), TimeSpan.FromMilliseconds(21), suggestions.Length, TimeSpan.Zero, 0, 0, 0, 0m, 0, 0);
        return new TargetSuggestions(target, suggestions, costs, [], TargetEditPlan.ReplaceSorry(range), DateTimeOffset.UtcNow);
    }
}
