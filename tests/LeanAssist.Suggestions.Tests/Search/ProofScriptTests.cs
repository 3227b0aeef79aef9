using LeanAssist.Suggestions.Search;

namespace LeanAssist.Suggestions.Tests.Search;

public sealed class ProofScriptTests
{
    private static SearchStep Step(string tactic, int produced) =>
        new(tactic, "⊢ goal", Enumerable.Range(0, produced).Select(i => $"⊢ g{i}").ToArray(), produced == 0 ? "solved" : "progress", 1, false, "portfolio");

    [Fact]
    public void A_chain_of_single_goal_steps_is_one_line_per_step()
    {
        Assert.Equal("intro h\nsimp at h\nexact h", ProofScript.Build([Step("intro h", 1), Step("simp at h", 1), Step("exact h", 0)]));
    }

    [Fact]
    public void Each_case_of_a_split_gets_a_bullet_and_nested_splits_nest()
    {
        var steps = new[]
        {
            Step("constructor", 2),
            Step("intro x", 1), Step("cases x", 2), Step("simp", 0), Step("omega", 0),
            Step("exact h", 0),
        };

        Assert.Equal("constructor\n· intro x\n  cases x\n  · simp\n  · omega\n· exact h", ProofScript.Build(steps));
    }

    [Fact]
    public void A_multi_line_step_keeps_its_lines_inside_its_bullet()
    {
        Assert.Equal("constructor\n· intro h\n  simp_all\n· rfl", ProofScript.Build([Step("constructor", 2), Step("intro h\nsimp_all", 0), Step("rfl", 0)]));
    }

    [Fact]
    public void Unstructured_steps_or_counts_that_do_not_add_up_give_the_flat_script_that_ran()
    {
        Assert.Equal("constructor\nall_goals simp", ProofScript.Build([Step("constructor", 2), Step("all_goals simp", 0)], structured: false));
        Assert.Equal("constructor\nsimp\nrfl\nextra", ProofScript.Build([Step("constructor", 2), Step("simp", 0), Step("rfl", 0), Step("extra", 0)]));
    }
}
