using LeanAssist.Suggestions.Goals;

namespace LeanAssist.Suggestions.Tests.Goals;

public sealed class LeanGoalParserTests
{
    [Fact]
    public void Parse_SplitsCaseTagHypothesesAndTarget()
    {
        var goal = LeanGoalParser.Parse("case succ\nx y : Nat\nhx : x + 1 > x\nn : Nat := 5\n⊢ x + 1 + 1 > x + 1")!;

        Assert.Equal("succ", goal.CaseTag);
        Assert.Equal(["x", "y"], goal.Hypotheses[0].Names);
        Assert.Equal("Nat", goal.Hypotheses[0].Type);
        Assert.Equal("x + 1 > x", goal.Find("hx")!.Type);
        Assert.Equal("5", goal.Find("n")!.Value);
        Assert.Equal("x + 1 + 1 > x + 1", goal.Target);
    }

    [Fact]
    public void Parse_JoinsWrappedLines_AndKeepsInaccessibleNames()
    {
        var goal = LeanGoalParser.Parse("n✝ : Nat\nh : ∀ (a b : Nat),\n    a + b = b + a\n⊢ n✝ + 1 =\n    1 + n✝")!;

        Assert.Equal("∀ (a b : Nat), a + b = b + a", goal.Find("h")!.Type);
        Assert.Equal("n✝ + 1 = 1 + n✝", goal.Target);
        Assert.NotNull(goal.Find("n✝"));
    }

    [Theory]
    [InlineData("no goals")]
    [InlineData("")]
    [InlineData("x : Nat")]
    public void Parse_ReturnsNullForTextThatIsNoGoal(string text) => Assert.Null(LeanGoalParser.Parse(text));

    [Fact]
    public void ParseAll_ReadsSeveralGoals()
    {
        var goals = LeanGoalParser.ParseAll("case pos\nx : Int\nh : x < 0\n⊢ x = x\ncase neg\nx : Int\nh : ¬x < 0\n⊢ x = x");

        Assert.Equal(["pos", "neg"], goals.Select(g => g.CaseTag));
    }

    [Theory]
    [InlineData("⊢ a = b", TargetForm.Equality)]
    [InlineData("⊢ a ≠ b", TargetForm.Disequality)]
    [InlineData("⊢ a + 1 ≤ b", TargetForm.Order)]
    [InlineData("⊢ p ↔ q ∧ r", TargetForm.Iff)]
    [InlineData("⊢ p → q ∨ r", TargetForm.Implication)]
    [InlineData("⊢ (p → q) ∧ r", TargetForm.And)]
    [InlineData("⊢ ¬p", TargetForm.Not)]
    [InlineData("⊢ ∀ (n : Nat), n = n", TargetForm.Forall)]
    [InlineData("⊢ ∃ x, x > 0 ∧ x < 2", TargetForm.Exists)]
    [InlineData("⊢ 3 ∣ 9", TargetForm.Divisibility)]
    [InlineData("⊢ Nat.Prime 7", TargetForm.Application)]
    [InlineData("⊢ Nat", TargetForm.Data)]
    [InlineData("⊢ False", TargetForm.False)]
    public void Shape_ReadsTheOutermostForm(string goal, TargetForm expected) =>
        Assert.Equal(expected, GoalShape.Of(LeanGoalParser.Parse(goal)!).Form);

    [Fact]
    public void Shape_FindsDomainLinearityAndUsefulHypotheses()
    {
        var shape = GoalShape.Of(LeanGoalParser.Parse("x y : ℝ\nh : x < y\nh2 : x < y → x ≤ y\n⊢ x * y ≤ y ^ 2")!);

        Assert.Equal(NumberDomain.OrderedField, shape.Domain);
        Assert.True(shape.IsNonlinear);
        Assert.True(shape.HasArithmeticHypotheses);
        Assert.False(GoalShape.Of(LeanGoalParser.Parse("x : ℤ\n⊢ 2 * x + 1 ≠ 0")!).IsNonlinear);
        Assert.True(GoalShape.Of(LeanGoalParser.Parse("p : Prop\nh : p\nhn : ¬p\n⊢ False")!).HasContradictoryHypotheses);
    }
}
