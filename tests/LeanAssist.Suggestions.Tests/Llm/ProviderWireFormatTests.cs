using LeanAssist.Suggestions.Candidates;
using LeanAssist.Suggestions.Llm;
using LeanAssist.Suggestions.Llm.Budget;
using LeanAssist.Testing.Llm;

namespace LeanAssist.Suggestions.Tests.Llm;

/// <summary>Each provider's request as sent on the wire, and its usage fields read into LeanAssist's one meaning and priced.</summary>
public sealed class ProviderWireFormatTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    private static ProposalRequest Request() => new()
    {
        Goal = "x : Nat\nh : x > 0\n⊢ x ≠ 0",
        Declaration = "theorem pos_ne_zero (x : Nat) (h : x > 0) : x ≠ 0 := by\n  sorry",
        Imports = ["Mathlib.Tactic"],
        MaxCandidates = 4,
    };

    [Fact]
    public async Task OpenAi_SendsBearerKeyAndChatMessages_AndCountsCachedTokensInsidePromptTokens()
    {
        await using var rig = await LlmRig.StartAsync();
        rig.Use(LlmProviderKind.OpenAI, o => o.Temperature = 0.5);
        rig.Server.Enqueue(LlmReply.Success("```lean\nomega\n```\n```lean\nsimp_all\n```", new ScriptedUsage(PromptTokens: 1000, CompletionTokens: 200, CachedTokens: 400)));

        var proposal = await rig.Proposer.ProposeAsync(Request(), CancellationToken.None);

        Assert.Null(proposal.Failure);
        Assert.Equal(["omega", "simp_all"], proposal.Candidates.Select(c => c.Tactic));
        var sent = await rig.Server.WaitForRequestAsync(1, Wait);
        Assert.Equal("openai", sent.Provider);
        Assert.Equal("/v1/chat/completions", sent.PathAndQuery);
        Assert.Equal($"Bearer {LlmRig.TestKey}", sent.Header("Authorization"));
        using var body = sent.BodyJson();
        Assert.Equal("gpt-4o-mini", body.RootElement.GetProperty("model").GetString());
        Assert.Equal(0.5, body.RootElement.GetProperty("temperature").GetDouble());
        var messages = body.RootElement.GetProperty("messages");
        Assert.Equal("system", messages[0].GetProperty("role").GetString());
        Assert.Equal("user", messages[1].GetProperty("role").GetString());
        Assert.Contains("x : Nat\nh : x > 0\n⊢ x ≠ 0", messages[1].GetProperty("content").GetString(), StringComparison.Ordinal);
        // Not api.openai.com: an OpenAI-compatible server, which knows max_tokens.
        Assert.Equal(1024, body.RootElement.GetProperty("max_tokens").GetInt32());

        // prompt_tokens (1000) already includes the 400 cached ones: 600 at $0.15/M, 400 at $0.075/M, 200 out at $0.60/M.
        Assert.Equal(1000, proposal.Usage.InputTokens);
        Assert.Equal(400, proposal.Usage.CachedInputTokens);
        Assert.Equal(200, proposal.Usage.OutputTokens);
        Assert.Equal((600 * 0.15m + 400 * 0.075m + 200 * 0.60m) / 1_000_000m, proposal.Usage.CostUsd);
        Assert.True(proposal.Usage.PriceKnown);
        Assert.False(proposal.Usage.FromCache);
        Assert.Equal(1, proposal.Usage.Attempts);
        Assert.Equal("openai", proposal.Usage.Provider);
    }

    [Fact]
    public async Task Anthropic_SendsApiKeyAndVersionHeaders_AndAddsCacheReadAndWriteToInputTokens()
    {
        await using var rig = await LlmRig.StartAsync();
        rig.Use(LlmProviderKind.Anthropic);
        rig.Server.Enqueue(LlmReply.Success("```lean\nomega\n```", new ScriptedUsage(PromptTokens: 600, CompletionTokens: 200, CachedTokens: 400, CacheCreationTokens: 100)));

        var proposal = await rig.Proposer.ProposeAsync(Request(), CancellationToken.None);

        Assert.Null(proposal.Failure);
        var sent = await rig.Server.WaitForRequestAsync(1, Wait);
        Assert.Equal("/v1/messages", sent.PathAndQuery);
        Assert.Equal(LlmRig.TestKey, sent.Header("x-api-key"));
        Assert.Equal("2023-06-01", sent.Header("anthropic-version"));
        Assert.Null(sent.Header("Authorization"));
        using var body = sent.BodyJson();
        Assert.Equal(1024, body.RootElement.GetProperty("max_tokens").GetInt32());
        Assert.Contains("Lean 4", body.RootElement.GetProperty("system").GetString(), StringComparison.Ordinal);
        Assert.Equal("user", body.RootElement.GetProperty("messages")[0].GetProperty("role").GetString());

        // input_tokens (600) excludes the 400 read from and the 100 written to the cache.
        Assert.Equal(1100, proposal.Usage.InputTokens);
        Assert.Equal(400, proposal.Usage.CachedInputTokens);
        Assert.Equal(100, proposal.Usage.CacheWriteInputTokens);
        Assert.Equal((600 * 3.00m + 400 * 0.30m + 100 * 3.75m + 200 * 15.00m) / 1_000_000m, proposal.Usage.CostUsd);
    }

    [Fact]
    public async Task Gemini_SendsGoogApiKeyToModelPath_AndBillsThoughtsAsOutput()
    {
        await using var rig = await LlmRig.StartAsync();
        rig.Use(LlmProviderKind.Gemini);
        rig.Server.Enqueue(LlmReply.Success("```lean\nomega\n```", new ScriptedUsage(PromptTokens: 1000, CompletionTokens: 200, CachedTokens: 400, ThoughtsTokens: 300)));

        var proposal = await rig.Proposer.ProposeAsync(Request(), CancellationToken.None);

        Assert.Null(proposal.Failure);
        var sent = await rig.Server.WaitForRequestAsync(1, Wait);
        Assert.Equal("/v1beta/models/gemini-2.5-flash:generateContent", sent.PathAndQuery);
        Assert.Equal(LlmRig.TestKey, sent.Header("x-goog-api-key"));
        Assert.DoesNotContain("key=", sent.PathAndQuery, StringComparison.Ordinal);
        using var body = sent.BodyJson();
        Assert.Equal(1, body.RootElement.GetProperty("generationConfig").GetProperty("candidateCount").GetInt32());
        Assert.Equal("user", body.RootElement.GetProperty("contents")[0].GetProperty("role").GetString());
        Assert.True(body.RootElement.GetProperty("systemInstruction").GetProperty("parts")[0].GetProperty("text").GetString()!.Length > 0);

        // promptTokenCount includes the cached 400; thoughts (300) are output on top of candidatesTokenCount (200).
        Assert.Equal(1000, proposal.Usage.InputTokens);
        Assert.Equal(400, proposal.Usage.CachedInputTokens);
        Assert.Equal(500, proposal.Usage.OutputTokens);
        Assert.Equal((600 * 0.30m + 400 * 0.075m + 500 * 2.50m) / 1_000_000m, proposal.Usage.CostUsd);
    }

    [Fact]
    public async Task LocalOpenAiCompatibleServer_NeedsNoKey_AndUnknownModelCostsNothingButSaysSo()
    {
        await using var rig = await LlmRig.StartAsync();
        rig.Environment.Values.Clear();
        rig.Use(LlmProviderKind.OpenAI, o => o.Model = "qwen2.5-coder:7b");

        var proposal = await rig.Proposer.ProposeAsync(Request(), CancellationToken.None);

        Assert.Null(proposal.Failure);
        var sent = await rig.Server.WaitForRequestAsync(1, Wait);
        Assert.Null(sent.Header("Authorization"));
        Assert.Equal(0m, proposal.Usage.CostUsd);
        Assert.False(proposal.Usage.PriceKnown);
    }

    [Fact]
    public async Task ConfiguredPrices_OverrideTheDefaults()
    {
        await using var rig = await LlmRig.StartAsync();
        rig.Use(LlmProviderKind.OpenAI, o => o.Prices = [new ModelPriceOptions { Model = "gpt-4o-mini", InputPerMillion = 1m, OutputPerMillion = 2m }]);
        rig.Server.Enqueue(LlmReply.Success("```lean\nrfl\n```", new ScriptedUsage(1_000_000, 1_000_000, CachedTokens: 500_000)));

        var proposal = await rig.Proposer.ProposeAsync(Request(), CancellationToken.None);

        // No cached price configured: cached input costs the input price.
        Assert.Equal(1m + 2m, proposal.Usage.CostUsd);
    }

    [Fact]
    public void PriceTable_MatchesDatedModelsByLongestPrefix()
    {
        var table = new LlmPriceTable([]);
        Assert.Equal("gpt-4o-mini", table.Find("gpt-4o-mini-2024-07-18")!.Model);
        Assert.Equal("gpt-4o", table.Find("gpt-4o-2024-08-06")!.Model);
        Assert.Equal("claude-sonnet-4", table.Find("claude-sonnet-4-5-20250929")!.Model);
        Assert.Null(table.Find("llama3.1:8b"));
    }
}
