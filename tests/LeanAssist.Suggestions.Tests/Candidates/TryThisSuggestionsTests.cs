using LeanAssist.Suggestions.Candidates;

namespace LeanAssist.Suggestions.Tests.Candidates;

public sealed class TryThisSuggestionsTests
{
    public static TheoryData<string, string[]> Messages => new()
    {
        // Before Lean 4.22.
        { "Try this: exact Nat.zero_le n", ["exact Nat.zero_le n"] },
        { "Try this: refine Nat.lt_of_lt_of_le h ?_\n-- Remaining subgoals:\n-- ⊢ b ≤ c", ["refine Nat.lt_of_lt_of_le h ?_"] },
        { "Try this: simp only [List.length_append]", ["simp only [List.length_append]"] },
        { "Try this: simp? says simp only [List.length_append]", ["simp only [List.length_append]"] },
        // Lean 4.22 and later.
        { "Try this:\n  [apply] exact Nat.zero_le n", ["exact Nat.zero_le n"] },
        { "Try these:\n  [apply] rfl\n  [apply] simp\n  [apply] simp only [Nat.reducePow, Nat.reduceSub, Nat.reduceMul]\n  [apply] grind", ["rfl", "simp", "simp only [Nat.reducePow, Nat.reduceSub, Nat.reduceMul]", "grind"] },
        { "Try this:\n  [apply] exact\n    Stack.unfoldGo\n      (fun d x => x)", ["exact\n  Stack.unfoldGo\n    (fun d x => x)"] },
        { "Try these:\n• simp\n• omega", ["simp", "omega"] },
        { "unsolved goals\n⊢ False", [] },
        { "", [] },
    };

    [Theory]
    [MemberData(nameof(Messages))]
    public void Parse_ReturnsTheConcreteTactics(string message, string[] expected) =>
        Assert.Equal(expected, TryThisSuggestions.Parse(message));

    [Fact]
    public void ToCandidates_NamesTheSearchTactic_AndDropsDuplicatesAcrossMessages()
    {
        var candidates = TryThisSuggestions.ToCandidates(
            ["Try this: exact h", "Try these:\n  [apply] exact h\n  [apply] assumption"], "exact?");

        Assert.Equal([new TacticCandidate("exact h", "exact?", 0), new TacticCandidate("assumption", "exact?", 1)], candidates);
    }
}
