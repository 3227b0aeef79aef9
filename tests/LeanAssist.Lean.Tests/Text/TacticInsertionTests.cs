using LeanAssist.Lean.Text;

namespace LeanAssist.Lean.Tests.Text;

public sealed class TacticInsertionTests
{
    /// <summary>Applies the edit for the first (or given) sorry in <paramref name="source"/>.</summary>
    private static string Apply(string source, string tactic, SorryPosition? position = null, int occurrence = 0)
    {
        var text = new SourceText(source);
        var offset = -1;
        for (var i = 0; i <= occurrence; i++)
        {
            offset = source.IndexOf("sorry", offset + 1, StringComparison.Ordinal);
        }

        var range = text.GetRange(offset, offset + "sorry".Length);
        var edit = TacticInsertion.Replace(text, range, tactic, position);
        return text.WithChange(edit.Range, edit.NewText).Text;
    }

    [Theory]
    [InlineData("theorem t : 1 = 1 := by sorry", "rfl", "theorem t : 1 = 1 := by rfl")]
    [InlineData("theorem t : 1 = 1 := by\n  sorry", "rfl", "theorem t : 1 = 1 := by\n  rfl")]
    [InlineData("example (p q : Prop) (hp : p) (hq : q) : p ∧ q := by\n  constructor\n  · sorry\n  · exact hq", "exact hp", "example (p q : Prop) (hp : p) (hq : q) : p ∧ q := by\n  constructor\n  · exact hp\n  · exact hq")]
    [InlineData("theorem t (n : Nat) : n + 0 = n := by simp; sorry", "omega", "theorem t (n : Nat) : n + 0 = n := by simp; omega")]
    public void Single_line_tactics_replace_the_sorry_in_place(string source, string tactic, string expected)
    {
        Assert.Equal(expected, Apply(source, tactic));
    }

    [Fact]
    public void Multi_line_scripts_align_with_the_sorry_column()
    {
        var result = Apply("theorem t (n : Nat) : 0 + n = n := by\n  sorry", "induction n with\n| zero => rfl\n| succ k ih => simp");

        Assert.Equal("theorem t (n : Nat) : 0 + n = n := by\n  induction n with\n  | zero => rfl\n  | succ k ih => simp", result);
    }

    [Fact]
    public void After_by_on_the_same_line_later_lines_align_with_the_first_tactic()
    {
        var result = Apply("theorem t : p → p := by sorry", "intro h\nexact h");

        Assert.Equal("theorem t : p → p := by intro h\n                        exact h", result);
    }

    [Fact]
    public void Columns_count_codepoints_and_tabs_are_kept()
    {
        // "𝔽" is one Lean column (two UTF-16 units): the continuation needs 2 columns before "sorry" + the tab.
        var result = Apply("\t𝔽 sorry", "a\nb", SorryPosition.Tactic);

        Assert.Equal("\t𝔽 a\n\t  b", result);
    }

    [Fact]
    public void Crlf_files_keep_crlf()
    {
        var result = Apply("theorem t : p → p := by\r\n  sorry\r\n", "intro h\nexact h");

        Assert.Equal("theorem t : p → p := by\r\n  intro h\r\n  exact h\r\n", result);
    }

    [Theory]
    [InlineData("theorem t : 1 = 1 := sorry", "rfl", "theorem t : 1 = 1 := by rfl")]
    [InlineData("theorem t : 1 = 1 :=\n  sorry", "rfl", "theorem t : 1 = 1 :=\n  by rfl")]
    [InlineData("example : 1 = 1 ∧ 2 = 2 := ⟨sorry, rfl⟩", "rfl", "example : 1 = 1 ∧ 2 = 2 := ⟨(by rfl), rfl⟩")]
    [InlineData("example : True := id sorry", "trivial", "example : True := id (by trivial)")]
    public void Term_position_sorries_become_by_blocks(string source, string tactic, string expected)
    {
        Assert.Equal(expected, Apply(source, tactic));
    }

    [Fact]
    public void A_sorry_in_the_code_of_an_interpolated_string_becomes_a_parenthesized_by_block()
    {
        Assert.Equal("def m : String := s!\"n = {\n  (by exact \"x\")}\"", Apply("def m : String := s!\"n = {\n  sorry}\"", "exact \"x\""));
    }

    [Fact]
    public void Term_position_multi_line_script_goes_in_an_indented_block()
    {
        var result = Apply("  theorem t : p → p := sorry", "intro h\nexact h");

        Assert.Equal("  theorem t : p → p := by\n    intro h\n    exact h", result);
    }

    [Theory]
    [InlineData("theorem t : P := by sorry", SorryPosition.Tactic)]
    [InlineData("theorem t : P := by\n  intro h\n  sorry", SorryPosition.Tactic)]
    [InlineData("theorem t : P := by\n  cases h with\n  | inl a => sorry", SorryPosition.Tactic)]
    [InlineData("theorem t : P := sorry", SorryPosition.Term)]
    [InlineData("theorem t : P := by exact sorry", SorryPosition.Term)]
    [InlineData("theorem t : P := by -- a comment ending in :=\n  sorry", SorryPosition.Tactic)]
    [InlineData("theorem t : P := /- by -/ sorry", SorryPosition.Term)]
    [InlineData("def m : String := s!\"{sorry}\"", SorryPosition.Term)]
    [InlineData("def m : String := s!\"n = {\n  sorry}\"", SorryPosition.Term)]
    [InlineData("def m : String := s!\"n = {1} and {\n  sorry}\"", SorryPosition.Term)]
    [InlineData("theorem t : P := by\n  have : s!\"{x}\" = s!\"{x}\" := rfl\n  sorry", SorryPosition.Tactic)]
    [InlineData("theorem t : P := by -- s!\"{\n  sorry", SorryPosition.Tactic)]
    public void Classifies_the_position_from_the_text_before_it(string source, SorryPosition expected)
    {
        Assert.Equal(expected, TacticInsertion.Classify(source, source.LastIndexOf("sorry", StringComparison.Ordinal)));
    }
}
