using LeanAssist.Suggestions.Candidates;
using LeanAssist.Suggestions.Llm;
using LeanAssist.Suggestions.Llm.Prompting;

namespace LeanAssist.Suggestions.Tests.Llm;

public sealed class PromptAndParsingTests
{
    /// <summary>Answers as models really write them, and the candidates LeanAssist must read out of them.</summary>
    public static TheoryData<string, string[]> Answers => new()
    {
        { "```lean\nsimp\n```\n```lean\nomega\n```", ["simp", "omega"] },
        { "Here are some candidates:\n\n```lean\nnorm_num\n```\n\nThis should close the goal.\n\n```lean4\nlinarith [h]\n```", ["norm_num", "linarith [h]"] },
        { "```lean\nsimp\n\nomega\n\ndecide\n```", ["simp", "omega", "decide"] },
        { "```lean\n1. simp\n2. omega\n```", ["simp", "omega"] },
        { "```lean\nintro x\ninduction x with\n| zero => rfl\n| succ n ih =>\n  simp [ih]\n```", ["intro x\ninduction x with\n| zero => rfl\n| succ n ih =>\n  simp [ih]"] },
        { "```lean\ntheorem foo (x : Nat) : x + 0 = x := by\n  simp\n```", ["simp"] },
        { "```lean\nby\n  constructor\n  · exact hp\n  · exact hq\n```", ["constructor\n· exact hp\n· exact hq"] },
        { "1. `simp` — simplifies everything\n2. `omega` for the arithmetic\n3. `decide`", ["simp", "omega", "decide"] },
        { "Sure! Try these tactics:\n- simp_all\n- omega\n- exact h.symm\nLet me know if they work.", ["simp_all", "omega", "exact h.symm"] },
        { "simp\nomega", ["simp", "omega"] },
        { "<think>The goal is linear arithmetic, so omega. Maybe `simp` too.</think>\n```lean\nomega\n```", ["omega"] },
        { "[\"simp\", \"omega\", \"norm_num\"]", ["simp", "omega", "norm_num"] },
        { "{\"tactics\": [\"rfl\", \"decide\"]}", ["rfl", "decide"] },
        { "```lean\nsimp\n", ["simp"] },
        { "**Candidate 1:**\n```lean\nsimp\n```\n**Candidate 2:**\n```lean\nring_nf\n```", ["simp", "ring_nf"] },
        { "I cannot prove this goal.", [] },
        { "The proof uses induction on n.", [] },
        { "", [] },
    };

    [Theory]
    [MemberData(nameof(Answers))]
    public void MessyAnswers_GiveTheTacticsInOrder(string answer, string[] expected)
    {
        var list = new CandidateList();
        foreach (var raw in TacticResponseParser.Parse(answer))
        {
            list.TryAdd(raw, "llm");
        }

        Assert.Equal(expected, list.Candidates.Select(c => c.Tactic));
    }

    [Fact]
    public void Prompt_HoldsGoalDeclarationImportsAndNearbyText_AndAsksForTheCount()
    {
        var request = new ProposalRequest
        {
            Goal = "x : Nat\nh : x > 0\n⊢ x ≠ 0",
            Declaration = "theorem t (x : Nat) (h : x > 0) : x ≠ 0 := by\n  sorry",
            Imports = ["Mathlib.Tactic", "Aesop"],
            NearbyText = "lemma helper : 1 = 1 := rfl",
        };

        var prompt = TacticPrompt.Build(request, 5);

        Assert.Contains("```lean", prompt.System, StringComparison.Ordinal);
        Assert.Contains("x : Nat\nh : x > 0\n⊢ x ≠ 0", prompt.User, StringComparison.Ordinal);
        Assert.Contains("theorem t (x : Nat)", prompt.User, StringComparison.Ordinal);
        Assert.Contains("Imports: Mathlib.Tactic, Aesop", prompt.User, StringComparison.Ordinal);
        Assert.Contains("lemma helper", prompt.User, StringComparison.Ordinal);
        Assert.Contains("Give 5 distinct candidates", prompt.User, StringComparison.Ordinal);
        Assert.DoesNotContain("failed", prompt.User, StringComparison.Ordinal);
        Assert.Equal(prompt, TacticPrompt.Build(request, 5));
    }

    [Theory]
    [InlineData("do", "exact (do pure 0 : Id Nat)")]
    [InlineData("run_tac", "run_tac pure ()")]
    [InlineData("#eval", "#eval 1")]
    [InlineData("native_decide", "native_decide")]
    [InlineData("bv_decide", "bv_decide")]
    [InlineData("polyrith", "polyrith")]
    public void Prompt_names_only_words_the_safety_policy_rejects(string word, string candidate)
    {
        Assert.Contains($"`{word}`", TacticPrompt.SystemText, StringComparison.Ordinal);
        Assert.False(LeanAssist.Suggestions.Safety.TacticSafetyPolicy.Check(candidate, allowCompilerTrust: false).Accepted, candidate);
    }

    [Fact]
    public void RepairPrompt_ShowsEachFailedTacticWithLeansError()
    {
        var request = new ProposalRequest
        {
            Goal = "⊢ 2 + 2 = 5",
            IsRepairRound = true,
            FailedAttempts = [new("omega", "omega could not prove the goal:\na possible counterexample"), new("decide", "decide failed: proposition\n  2 + 2 = 5\nis false")],
        };

        var prompt = TacticPrompt.Build(request, 3);

        Assert.Contains("These tactics failed", prompt.User, StringComparison.Ordinal);
        Assert.Contains("```lean\nomega\n```\nLean's error:\n```\nomega could not prove the goal:\na possible counterexample\n```", prompt.User, StringComparison.Ordinal);
        Assert.Contains("is false", prompt.User, StringComparison.Ordinal);
    }

    [Fact]
    public void LongDeclaration_IsCutInTheMiddle_KeepingStartAndEnd()
    {
        var declaration = "theorem big : True := by\n" + new string('x', 20_000) + "\n  exact trivial_end";
        var prompt = TacticPrompt.Build(new ProposalRequest { Goal = "⊢ True", Declaration = declaration }, 2);

        Assert.Contains("theorem big", prompt.User, StringComparison.Ordinal);
        Assert.Contains("trivial_end", prompt.User, StringComparison.Ordinal);
        Assert.Contains("characters left out", prompt.User, StringComparison.Ordinal);
        Assert.True(prompt.User.Length < TacticPrompt.MaxDeclarationChars + 1_000);
    }

    public static TheoryData<Action<LlmOptions>, string> InvalidSettings => new()
    {
        { o => o.BaseUrl = "localhost:11434", "leanAssist.baseUrl" },
        { o => o.Temperature = -0.1, "leanAssist.temperature" },
        { o => { o.Provider = LlmProviderKind.Anthropic; o.Temperature = 1.2; }, "leanAssist.temperature" },
        { o => o.MaxCandidates = 0, "leanAssist.maxCandidates" },
        { o => o.TimeoutMs = 10, "leanAssist.timeoutMs" },
        { o => o.ApiKeyEnvironmentVariable = "MY KEY", "leanAssist.apiKeyEnvironmentVariable" },
        { o => o.Budget.DailyUsd = 0m, "leanAssist.budget.dailyUsd" },
        { o => o.Budget.RequestsPerMinute = -1, "leanAssist.budget.requestsPerMinute" },
        { o => o.Prices = [new ModelPriceOptions { Model = "m", InputPerMillion = -1 }], "leanAssist.prices" },
        { o => o.Prices = [new ModelPriceOptions { Model = "m" }, new ModelPriceOptions { Model = "M" }], "twice" },
        { o => o.LlmCache.MemoryEntries = -5, "leanAssist.llmCache" },
    };

    [Theory]
    [MemberData(nameof(InvalidSettings))]
    public void Validation_NamesTheSettingThatIsWrong(Action<LlmOptions> spoil, string expected)
    {
        var options = new LlmOptions();
        Assert.True(new LlmOptionsValidation().Validate(null, options).Succeeded);
        spoil(options);

        var result = new LlmOptionsValidation().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains(result.Failures!, f => f.Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public async Task ProviderNone_IsTheDefault_AndTheProposerAnswersEmptyWithoutFailureOrNetwork()
    {
        Assert.Equal(LlmProviderKind.None, new LlmOptions().Provider);
        await using var rig = await LlmRig.StartAsync();
        rig.Use(LlmProviderKind.None);

        var proposal = await rig.Proposer.ProposeAsync(new ProposalRequest { Goal = "⊢ True" }, CancellationToken.None);

        Assert.Null(proposal.Failure);
        Assert.Empty(proposal.Candidates);
        Assert.Empty(rig.Server.Requests);
        Assert.Equal(LeanAssist.Suggestions.Llm.Status.LlmState.Disabled, rig.Status.Current.State);
    }
}
