using LeanAssist.Suggestions.Candidates;

namespace LeanAssist.Suggestions.Tests.Candidates;

public sealed class TacticTextTests
{
    [Theory]
    [InlineData("simp", "simp")]
    [InlineData("  simp  \n", "simp")]
    [InlineData("```lean\nsimp\n```", "simp")]
    [InlineData("```lean4\nomega\n```", "omega")]
    [InlineData("```\nlinarith\n```", "linarith")]
    [InlineData("`norm_num`", "norm_num")]
    [InlineData("1. simp", "simp")]
    [InlineData("2) omega", "omega")]
    [InlineData("- decide", "decide")]
    [InlineData("* rfl", "rfl")]
    [InlineData("**1.** `simp_all`", "simp_all")]
    [InlineData("Candidate 3: `ring`", "ring")]
    [InlineData("by simp", "simp")]
    [InlineData("by\n  intro x\n  simp", "intro x\nsimp")]
    [InlineData("1. by exact h", "exact h")]
    [InlineData("theorem foo (x : Nat) : x = x := by rfl", "rfl")]
    [InlineData("simp -- closes the goal", "simp")]
    [InlineData("-- try this\nomega", "omega")]
    [InlineData("exact h.", "exact h")]
    [InlineData("simp;", "simp")]
    [InlineData("exact?", "exact?")]
    [InlineData("exact h.1", "exact h.1")]
    [InlineData("simp [h] at h' ⊢", "simp [h] at h' ⊢")]
    [InlineData("by_cases h : p", "by_cases h : p")]
    [InlineData("· simp\n· omega", "· simp\n· omega")]
    [InlineData("induction n with\n| zero => simp\n| succ n ih =>\n  simp\n  omega", "induction n with\n| zero => simp\n| succ n ih =>\n  simp\n  omega")]
    [InlineData("1. intro x\n   cases x\n   · rfl", "intro x\ncases x\n· rfl")]
    [InlineData("by intro x\n   simp", "intro x\nsimp")]
    [InlineData("\tsimp\n\t\tring", "simp\n  ring")]
    [InlineData("exact \"a -- b\"", "exact \"a -- b\"")]
    public void Normalize_StripsWrappersAndKeepsRelativeIndentation(string raw, string expected) =>
        Assert.Equal(expected, TacticText.Normalize(raw));

    [Theory]
    [InlineData("")]
    [InlineData("   \n  ")]
    [InlineData("```lean\n```")]
    [InlineData("by")]
    [InlineData("-- nothing here")]
    [InlineData("1. ")]
    public void Normalize_ReturnsNullWhenNothingIsLeft(string raw) => Assert.Null(TacticText.Normalize(raw));

    [Theory]
    [InlineData("simp [a, b]", "simp  [a,b]")]
    [InlineData("rw [h] at h2", "rw [ h ]  at h2")]
    [InlineData("exact f (g x)", "exact f(g x)")]
    public void DeduplicationKey_IgnoresSpacingLeanIgnores(string a, string b) =>
        Assert.Equal(TacticText.DeduplicationKey(a), TacticText.DeduplicationKey(b));

    [Fact]
    public void DeduplicationKey_KeepsIndentation() =>
        Assert.NotEqual(TacticText.DeduplicationKey("intro x\nsimp"), TacticText.DeduplicationKey("intro x\n  simp"));

    [Fact]
    public void CandidateList_DropsDuplicatesAndFailedAttempts_AndRanksInOrder()
    {
        var list = new CandidateList([new FailedAttempt("omega", "omega could not prove the goal")]);
        Assert.True(list.TryAdd("```lean\nsimp\n```", "llm"));
        Assert.False(list.TryAdd("simp", "portfolio"));
        Assert.False(list.TryAdd("1. omega", "llm"));
        Assert.False(list.TryAdd("", "llm"));
        Assert.True(list.TryAdd("by decide", "llm"));

        Assert.Equal([new TacticCandidate("simp", "llm", 0), new TacticCandidate("decide", "llm", 1)], list.Candidates);
    }

    [Fact]
    public void Merge_InterleavesByRank_FirstProposerWinsTies()
    {
        var portfolio = new Proposal("portfolio", [new("rfl", "portfolio", 0), new("simp", "portfolio", 1), new("decide", "portfolio", 2)], ProposalUsage.None);
        var llm = new Proposal("llm", [new("omega", "llm", 0), new("simp", "llm", 1)], ProposalUsage.None);

        var merged = CandidateList.Merge([portfolio, llm]);

        Assert.Equal(["rfl", "omega", "simp", "decide"], merged.Select(c => c.Tactic));
        Assert.Equal("portfolio", merged[2].Proposer);
        Assert.Equal([0, 1, 2, 3], merged.Select(c => c.Rank));
    }

    [Theory]
    [InlineData("import Mathlib\nimport Aesop\n\ntheorem x : True := trivial", new[] { "Mathlib", "Aesop" })]
    [InlineData("/- header -/\nimport Mathlib.Tactic.Ring Mathlib.Data.Real.Basic -- two\nopen Nat\nimport Later", new[] { "Mathlib.Tactic.Ring", "Mathlib.Data.Real.Basic" })]
    [InlineData("module\n\npublic import Lean.Elab\nexample : True := trivial", new[] { "Lean.Elab" })]
    [InlineData("theorem t : True := trivial", new string[0])]
    public void LeanImports_ReadsTheHeader(string file, string[] expected) =>
        Assert.Equal(expected, LeanImports.Parse(file));
}
