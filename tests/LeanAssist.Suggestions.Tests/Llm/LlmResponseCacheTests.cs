using LeanAssist.Suggestions.Candidates;
using LeanAssist.Suggestions.Llm;
using LeanAssist.Suggestions.Llm.Caching;
using LeanAssist.Testing.Llm;
using Microsoft.Data.Sqlite;

namespace LeanAssist.Suggestions.Tests.Llm;

public sealed class LlmResponseCacheTests
{
    private static ProposalRequest Request(string goal = "n : Nat\n⊢ n + 0 = n") => new() { Goal = goal, MaxCandidates = 4 };

    [Fact]
    public async Task SecondIdenticalRequest_IsServedFromMemory_WithoutCallingOrSpending()
    {
        await using var rig = await LlmRig.StartAsync();
        rig.Server.Enqueue(LlmReply.Success("```lean\nsimp\n```", new ScriptedUsage(1000, 100)));

        var first = await rig.Proposer.ProposeAsync(Request(), CancellationToken.None);
        var second = await rig.Proposer.ProposeAsync(Request(), CancellationToken.None);

        Assert.Single(rig.Server.Requests);
        Assert.False(first.Usage.FromCache);
        Assert.True(second.Usage.FromCache);
        Assert.Equal(0m, second.Usage.CostUsd);
        Assert.Equal(0, second.Usage.InputTokens);
        Assert.Equal(first.Candidates, second.Candidates);
        var statistics = rig.Cache.Statistics;
        Assert.Equal(1, statistics.MemoryHits);
        Assert.Equal(1, statistics.DiskMisses);
        Assert.Equal(first.Usage.CostUsd, rig.Budget.Status.SpentTodayUsd);
    }

    [Fact]
    public async Task AnswersSurviveARestart_OnDisk()
    {
        await using var rig = await LlmRig.StartAsync();
        rig.Use(LlmProviderKind.Anthropic);
        var first = await rig.Proposer.ProposeAsync(Request(), CancellationToken.None);

        rig.Restart();
        var afterRestart = await rig.Proposer.ProposeAsync(Request(), CancellationToken.None);

        Assert.Single(rig.Server.Requests);
        Assert.True(afterRestart.Usage.FromCache);
        Assert.Equal(first.Candidates, afterRestart.Candidates);
        Assert.Equal(1, rig.Cache.Statistics.DiskHits);
        Assert.Equal(1, rig.Cache.Statistics.MemoryMisses);
    }

    [Fact]
    public async Task DamagedDiskEntry_IsDropped_AndTheProviderIsAskedAgain()
    {
        await using var rig = await LlmRig.StartAsync();
        rig.Use(LlmProviderKind.Gemini);
        await rig.Proposer.ProposeAsync(Request(), CancellationToken.None);

        var database = rig.Cache.DiskPath;
        using (var connection = new SqliteConnection($"Data Source={database};Pooling=False"))
        {
            connection.Open();
            using var tamper = connection.CreateCommand();
            tamper.CommandText = "UPDATE entries SET value = CAST('{\"texts\":[\"exact sorry\"]}' AS BLOB)";
            Assert.Equal(1, tamper.ExecuteNonQuery());
        }

        rig.Restart();
        var again = await rig.Proposer.ProposeAsync(Request(), CancellationToken.None);

        Assert.False(again.Usage.FromCache);
        Assert.DoesNotContain(again.Candidates, c => c.Tactic.Contains("sorry", StringComparison.Ordinal));
        Assert.Equal(2, rig.Server.Requests.Count);
        Assert.Equal(1, rig.Cache.Statistics.CorruptEntriesDropped);
    }

    [Theory]
    [InlineData("model")]
    [InlineData("temperature")]
    [InlineData("goal")]
    [InlineData("provider")]
    public async Task AnyChangeOfModelSamplingPromptOrProvider_IsACacheMiss(string change)
    {
        await using var rig = await LlmRig.StartAsync();
        await rig.Proposer.ProposeAsync(Request(), CancellationToken.None);

        switch (change)
        {
            case "model":
                rig.Use(LlmProviderKind.OpenAI, o => o.Model = "gpt-4.1-mini");
                break;
            case "temperature":
                rig.Use(LlmProviderKind.OpenAI, o => o.Temperature = 0.7);
                break;
            case "provider":
                rig.Use(LlmProviderKind.Anthropic);
                break;
        }

        var second = await rig.Proposer.ProposeAsync(change == "goal" ? Request("n : Nat\n⊢ 0 + n = n") : Request(), CancellationToken.None);

        Assert.False(second.Usage.FromCache);
        Assert.Equal(2, rig.Server.Requests.Count);
    }

    [Fact]
    public async Task DisabledCache_AlwaysAsks()
    {
        await using var rig = await LlmRig.StartAsync();
        rig.Use(LlmProviderKind.OpenAI, o => o.LlmCache.Enabled = false);

        await rig.Proposer.ProposeAsync(Request(), CancellationToken.None);
        await rig.Proposer.ProposeAsync(Request(), CancellationToken.None);

        Assert.Equal(2, rig.Server.Requests.Count);
    }
}
