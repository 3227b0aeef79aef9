using LeanAssist.Server.Configuration;
using LeanAssist.Server.Doctor;
using LeanAssist.Server.Hosting;
using LeanAssist.Suggestions.Candidates;
using LeanAssist.Suggestions.Llm;
using LeanAssist.Suggestions.Llm.Keys;
using LeanAssist.Testing;
using LeanAssist.Testing.Llm;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace LeanAssist.Server.Tests.Candidates;

/// <summary>The Candidates group of ServiceRegistration: settings binding, live settings changes, the doctor check.</summary>
public sealed class CandidateRegistrationTests : IDisposable
{
    private readonly TemporaryDirectory _directory = new();

    private IHost BuildHost() => LeanAssistHost.Build("test",
        [
            new("LeanAssist:Server:LogFile", "none"),
            new("LeanAssist:Server:LogToStderr", "false"),
        ],
        transport: null);

    private static void ApplyClientSettings(IHost host, Dictionary<string, string?> settings) =>
        host.Services.GetRequiredService<ClientSettingsProvider>().Replace(settings, notify: true);

    [Fact]
    public void DefaultSettings_AreTheBuiltInPortfolioAlone()
    {
        using var host = BuildHost();
        var options = host.Services.GetRequiredService<IOptionsMonitor<LlmOptions>>().CurrentValue;

        Assert.Equal(LlmProviderKind.None, options.Provider);
        var generator = host.Services.GetRequiredService<CandidateGenerator>();
        Assert.Equal(["portfolio", "llm"], generator.Proposers.Select(p => p.Name));
    }

    [Fact]
    public async Task EditorSettings_SwitchTheProviderWithoutARestart_AndTheBatchMergesBothProposers()
    {
        await using var server = await LocalLlmServer.StartAsync();
        server.Enqueue(LlmReply.Success("```lean\nexact Nat.succ_pos x\n```"));
        using var host = BuildHost();
        var generator = host.Services.GetRequiredService<CandidateGenerator>();
        var request = new ProposalRequest { Goal = "x : Nat\n⊢ 0 < x + 1", MaxCandidates = 3 };

        var before = await generator.GenerateAsync(request, CancellationToken.None);
        Assert.Empty(server.Requests);

        // As the client sends them: leanAssist.provider, leanAssist.baseUrl, leanAssist.llmCache.directory ...
        ApplyClientSettings(host, new(StringComparer.OrdinalIgnoreCase)
        {
            ["LeanAssist:provider"] = "openai",
            ["LeanAssist:model"] = "llama3.1:8b",
            ["LeanAssist:baseUrl"] = server.OpenAiBaseUrl.AbsoluteUri,
            ["LeanAssist:llmCache:directory"] = _directory.Path,
            ["LeanAssist:budget:dailyUsd"] = "2.5",
            ["LeanAssist:prices:0:model"] = "llama3.1",
            ["LeanAssist:prices:0:inputPerMillion"] = "0",
            ["LeanAssist:prices:0:outputPerMillion"] = "0",
        });
        var after = await generator.GenerateAsync(request, CancellationToken.None);

        Assert.Single(server.Requests);
        Assert.NotEmpty(before.Candidates);
        Assert.All(before.Candidates, c => Assert.Equal("portfolio", c.Proposer));
        Assert.Contains(after.Candidates, c => c is { Proposer: "llm", Tactic: "exact Nat.succ_pos x" });
        Assert.Equal("portfolio", after.Candidates[0].Proposer);
        Assert.Equal(1, after.Candidates.Count(c => c.Proposer == "llm"));
        var options = host.Services.GetRequiredService<IOptionsMonitor<LlmOptions>>().CurrentValue;
        Assert.Equal(2.5m, options.Budget.DailyUsd);
        Assert.Equal("llama3.1", options.Prices.Single().Model);
    }

    [Fact]
    public async Task LlmFailure_LeavesThePortfolioAnswering_AndTheFailureInTheBatch()
    {
        await using var server = await LocalLlmServer.StartAsync();
        server.DefaultReply = LlmReply.Error(401);
        using var host = BuildHost();
        ApplyClientSettings(host, new(StringComparer.OrdinalIgnoreCase)
        {
            ["LeanAssist:provider"] = "anthropic",
            ["LeanAssist:baseUrl"] = server.AnthropicBaseUrl.AbsoluteUri,
            ["LeanAssist:llmCache:directory"] = _directory.Path,
        });
        host.Services.GetRequiredService<ApiKeyStore>().SetKey(LlmProviderKind.Anthropic, "test-wrong-anthropic-key-not-real");

        var batch = await host.Services.GetRequiredService<CandidateGenerator>()
            .GenerateAsync(new ProposalRequest { Goal = "p q : Prop\nhp : p\nhq : q\n⊢ p ∧ q" }, CancellationToken.None);

        Assert.NotEmpty(batch.Candidates);
        var failure = Assert.Single(batch.Failures);
        Assert.Equal(ProposalFailureKind.Unauthorized, failure.Failure!.Kind);
    }

    [Fact]
    public void InvalidEditorSettings_AreRefused_WithoutEchoingAKeyPastedAsAVariableName()
    {
        using var host = BuildHost();
        var provider = host.Services.GetRequiredService<ClientSettingsProvider>();
        provider.Replace(new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
        {
            ["LeanAssist:provider"] = "anthropic",
            ["LeanAssist:temperature"] = "1.5",
            ["LeanAssist:apiKeyEnvironmentVariable"] = FakeApiKeys.Anthropic("pastedKeyByMistake000000000"),
            ["LeanAssist:baseUrl"] = "ftp://example",
        }, notify: false);

        var problems = host.Services.GetServices<ISettingsValidation>().SelectMany(v => v.Validate()).ToArray();

        Assert.Contains(problems, p => p.Contains("leanAssist.temperature", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("leanAssist.baseUrl", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("NAME of an environment variable", StringComparison.Ordinal));
        Assert.DoesNotContain(problems, p => p.Contains("pastedKeyByMistake", StringComparison.Ordinal));
    }

    [Fact]
    public async Task DoctorCheck_ReportsProviderModelBaseUrlAndKeyPresence_NeverTheKey()
    {
        using var host = BuildHost();
        var check = host.Services.GetServices<IDoctorCheck>().OfType<LlmSettingsCheck>().Single();
        var off = await check.RunAsync(new DoctorContext(_directory.Path), CancellationToken.None);
        Assert.Contains("Provider: none", Assert.Single(off).Message, StringComparison.Ordinal);

        ApplyClientSettings(host, new(StringComparer.OrdinalIgnoreCase)
        {
            ["LeanAssist:provider"] = "gemini",
            ["LeanAssist:apiKeyEnvironmentVariable"] = "LEANASSIST_TEST_UNSET_VARIABLE_41",
        });
        var missing = await check.RunAsync(new DoctorContext(_directory.Path), CancellationToken.None);
        Assert.Contains(missing, f => f.Message.Contains("gemini-2.5-flash", StringComparison.Ordinal) && f.Message.Contains("generativelanguage.googleapis.com", StringComparison.Ordinal));
        var keyFinding = Assert.Single(missing, f => f.Status == DoctorStatus.Missing);
        Assert.Contains("LEANASSIST_TEST_UNSET_VARIABLE_41", keyFinding.Fix, StringComparison.Ordinal);

        const string secret = "test-gemini-key-doctor-must-not-print";
        host.Services.GetRequiredService<ApiKeyStore>().SetKey(LlmProviderKind.Gemini, secret);
        var present = await check.RunAsync(new DoctorContext(_directory.Path), CancellationToken.None);
        Assert.Contains(present, f => f.Message.Contains("API key present", StringComparison.Ordinal));
        Assert.DoesNotContain(present, f => $"{f.Message} {f.Fix}".Contains(secret, StringComparison.Ordinal));
    }

    public void Dispose() => _directory.Dispose();
}
