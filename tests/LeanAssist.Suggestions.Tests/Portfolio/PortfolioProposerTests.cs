using System.Text.Json;
using LeanAssist.Suggestions.Candidates;
using LeanAssist.Suggestions.Goals;
using LeanAssist.Suggestions.Portfolio;
using LeanAssist.Testing;

namespace LeanAssist.Suggestions.Tests.Portfolio;

public sealed class PortfolioProposerTests
{
    private static readonly string[] MathlibOnly = ["norm_num", "linarith", "nlinarith", "positivity", "ring", "field_simp", "tauto", "ring_nf"];

    /// <summary>Every "goal" field of the recorded REPL transcripts (real Lean output), read at test time.</summary>
    public static TheoryData<string, string> TranscriptGoals()
    {
        var data = new TheoryData<string, string>();
        if (!RepositoryPaths.TranscriptsAvailable)
        {
            data.Add("(transcripts absent)", "⊢ True");
            return data;
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var file in Directory.EnumerateFiles(RepositoryPaths.TranscriptsDirectory, "*.expected.out", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            foreach (var response in File.ReadAllText(file).Split("\n\n", StringSplitOptions.RemoveEmptyEntries))
            {
                using var document = JsonDocument.Parse(response);
                foreach (var goal in Goals(document.RootElement))
                {
                    if (seen.Add(goal))
                    {
                        data.Add($"{Path.GetFileName(Path.GetDirectoryName(file))}/{Path.GetFileName(file)}", goal);
                    }
                }
            }
        }

        return data;
    }

    private static IEnumerable<string> Goals(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => element.EnumerateObject().SelectMany(p =>
            p.Name == "goal" && p.Value.ValueKind == JsonValueKind.String ? [p.Value.GetString()!] : Goals(p.Value)),
        JsonValueKind.Array => element.EnumerateArray().SelectMany(Goals),
        _ => [],
    };

    [TranscriptTheory]
    [MemberData(nameof(TranscriptGoals))]
    public void EveryRecordedGoal_ParsesAndGetsRankedCandidates_WithoutMathlibTacticsInCoreFiles(string source, string goal)
    {
        var parsed = LeanGoalParser.Parse(goal);
        Assert.NotNull(parsed);
        Assert.False(string.IsNullOrWhiteSpace(parsed.Target), source);

        var core = PortfolioProposer.Propose(new ProposalRequest { Goal = goal, MaxCandidates = 12 });
        Assert.NotEmpty(core);
        Assert.Equal(Enumerable.Range(0, core.Count), core.Select(c => c.Rank));
        Assert.Equal(core.Count, core.Select(c => c.Tactic).Distinct().Count());
        Assert.DoesNotContain(core, c => MathlibOnly.Contains(c.Tactic.Split(' ')[0]) || c.Tactic == "aesop");
    }

    [TranscriptFact]
    public void RecordedGoals_GetTheTacticTheirShapeCallsFor()
    {
        var goals = TranscriptGoals().Select(row => (string)row[1]).ToArray();

        // "x : Nat\nh1 : x = 2\n⊢ x = 2": the hypothesis is the goal.
        Assert.Equal("exact h1", Best(goals.Single(g => g.EndsWith("h1 : x = 2\n⊢ x = 2", StringComparison.Ordinal))));
        // "P Q R : Prop ... p : P\nq : Q\n⊢ Q": q proves it; h1 p does too.
        var implications = Top(goals.First(g => g.StartsWith("P Q R : Prop", StringComparison.Ordinal)), 3);
        Assert.Equal("exact q", implications[0]);
        Assert.Contains("exact h1 p", implications);
        // "⊢ 2 = 2": both sides alike.
        Assert.Equal("rfl", Best("⊢ 2 = 2"));
        // "x : Nat\n⊢ x + 1 > x": linear arithmetic over Nat.
        Assert.Equal("omega", Best(goals.Single(g => g == "x : Nat\n⊢ x + 1 > x")));
        // "⊢ True".
        Assert.Equal("trivial", Best(goals.Single(g => g == "⊢ True")));
        // "p q r : Prop\nh1 : p ∧ q\nh2 : q → r\n⊢ p ∧ r": a conjunction to split, and tauto with Mathlib.
        var conjunction = goals.Single(g => g.EndsWith("⊢ p ∧ r", StringComparison.Ordinal));
        Assert.Contains("constructor", Top(conjunction, 4));
        Assert.Equal("tauto", Best(conjunction, "Mathlib"));
        // "x : ℕ\nh : 2 * (2 * (2 * (2 * x))) = 48\n⊢ x = 3" (Mathlib transcript).
        var arithmetic = goals.Single(g => g.EndsWith("⊢ x = 3", StringComparison.Ordinal));
        Assert.Contains("omega", Top(arithmetic, 2, "Mathlib"));
        Assert.Contains("linarith", Top(arithmetic, 6, "Mathlib"));
        // "⊢ Nat": a term is wanted.
        Assert.Contains("exact 0", Top("⊢ Nat", 3));
        // "x : Int\nh0 : x > 0\n⊢ False": arithmetic contradiction.
        Assert.Contains("omega", Top(goals.Single(g => g.EndsWith("h0 : x > 0\n⊢ False", StringComparison.Ordinal)), 3));
    }

    [Theory]
    [InlineData("a b : ℝ\nha : 0 < a\n⊢ 0 < a * b + a ^ 2 + 1", "positivity")]
    [InlineData("a b : ℝ\n⊢ (a + b) ^ 2 = a ^ 2 + 2 * a * b + b ^ 2", "ring")]
    [InlineData("⊢ 9! % 10 = 0", "norm_num [Nat.factorial]")]
    [InlineData("x y : ℚ\nh : x < y\n⊢ x < y + 1", "linarith")]
    public void MathlibGoals_GetMathlibTactics_WhenImported(string goal, string expected)
    {
        Assert.Contains(expected, Top(goal, 3, "Mathlib"));
        Assert.DoesNotContain(expected, Top(goal, 20));
    }

    [Fact]
    public void InductionAndCaseSplits_AreOfferedOnVariablesOfInductiveTypes()
    {
        var nat = Top("n : Nat\n⊢ 0 + n = n", 20);
        Assert.Contains("induction n <;> simp_all", nat);
        Assert.Contains("rcases h with h | h <;> simp_all", Top("p q : Prop\nh : p ∨ q\n⊢ q ∨ p", 20));
        Assert.Contains("intro n", Top("⊢ ∀ (n : Nat), n + 0 = n", 3));
    }

    [Fact]
    public void FailedAttempts_AreNotProposedAgain_AndMaxCandidatesIsHonoured()
    {
        var request = new ProposalRequest { Goal = "x : Nat\n⊢ x + 1 > x", MaxCandidates = 3, FailedAttempts = [new("omega", "omega failed")] };
        var candidates = PortfolioProposer.Propose(request);

        Assert.Equal(3, candidates.Count);
        Assert.DoesNotContain(candidates, c => c.Tactic == "omega");
        Assert.All(candidates, c => Assert.Equal("portfolio", c.Proposer));
    }

    [Fact]
    public async Task ProposeAsync_AnswersWithoutFailureOrCost()
    {
        var proposal = await new PortfolioProposer(TimeProvider.System).ProposeAsync(new ProposalRequest { Goal = "not a goal at all" }, CancellationToken.None);

        Assert.Null(proposal.Failure);
        Assert.NotEmpty(proposal.Candidates);
        Assert.Equal(0m, proposal.Usage.CostUsd);
    }

    private static string Best(string goal, params string[] imports) => Top(goal, 1, imports)[0];

    private static string[] Top(string goal, int count, params string[] imports) =>
        PortfolioProposer.Propose(new ProposalRequest { Goal = goal, Imports = imports, MaxCandidates = count }).Select(c => c.Tactic).ToArray();
}
