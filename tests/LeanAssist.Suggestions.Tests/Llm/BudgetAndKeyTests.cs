using System.Diagnostics.Metrics;
using System.Text;
using System.Text.Json;
using LeanAssist.Lean.Telemetry;
using LeanAssist.Suggestions.Candidates;
using LeanAssist.Suggestions.Llm;
using LeanAssist.Suggestions.Llm.Keys;
using LeanAssist.Suggestions.Llm.Status;
using LeanAssist.Testing;
using LeanAssist.Testing.Llm;
using Microsoft.Data.Sqlite;
using Serilog;
using Serilog.Extensions.Logging;

namespace LeanAssist.Suggestions.Tests.Llm;

public sealed class BudgetAndKeyTests
{
    private static ProposalRequest Request(string goal) => new() { Goal = goal, MaxCandidates = 3 };

    [Fact]
    public async Task DailyCap_StopsLlmCalls_UntilTheNextLocalDay_AndTheStatusSaysSo()
    {
        await using var rig = await LlmRig.StartAsync(manualTime: true);
        // $0.15/M input, $0.60/M output: 1M input + 1M output = $0.75 per call.
        rig.Use(LlmProviderKind.OpenAI, o => o.Budget.DailyUsd = 1.0m);
        rig.Server.DefaultReply = LlmReply.Success("```lean\nsimp\n```", new ScriptedUsage(1_000_000, 1_000_000));

        var first = await rig.Proposer.ProposeAsync(Request("⊢ 1 = 1"), CancellationToken.None);
        var second = await rig.Proposer.ProposeAsync(Request("⊢ 2 = 2"), CancellationToken.None);
        var third = await rig.Proposer.ProposeAsync(Request("⊢ 3 = 3"), CancellationToken.None);

        Assert.Null(first.Failure);
        Assert.Null(second.Failure); // $0.75 < $1: allowed; it crosses the cap.
        Assert.Equal(ProposalFailureKind.BudgetExhausted, third.Failure!.Kind);
        Assert.Equal(2, rig.Server.Requests.Count);
        var status = rig.Status.Current;
        Assert.Equal(LlmState.BudgetReached, status.State);
        Assert.True(status.Budget.CapReached);
        Assert.Equal(1.5m, status.Budget.SpentTodayUsd);
        Assert.Contains("daily LLM budget reached", status.Budget.Reason, StringComparison.Ordinal);
        Assert.Contains("daily LLM budget reached", status.Summary, StringComparison.Ordinal);

        // A cached answer costs nothing, so it is still served.
        var cached = await rig.Proposer.ProposeAsync(Request("⊢ 1 = 1"), CancellationToken.None);
        Assert.True(cached.Usage.FromCache);

        // The spend survives a restart on the same day ...
        rig.Restart();
        Assert.Equal(1.5m, rig.Budget.Status.SpentTodayUsd);
        Assert.Equal(ProposalFailureKind.BudgetExhausted, (await rig.Proposer.ProposeAsync(Request("⊢ 4 = 4"), CancellationToken.None)).Failure!.Kind);

        // ... and a new day starts from zero.
        rig.ManualTime.Advance(TimeSpan.FromDays(1));
        var tomorrow = await rig.Proposer.ProposeAsync(Request("⊢ 5 = 5"), CancellationToken.None);
        Assert.Null(tomorrow.Failure);
        Assert.Equal(0.75m, rig.Budget.Status.SpentTodayUsd);
    }

    [Fact]
    public async Task RequestsPerMinuteCap_RefusesTheExtraRequest_AndAllowsItAMinuteLater()
    {
        await using var rig = await LlmRig.StartAsync(manualTime: true);
        rig.Use(LlmProviderKind.Gemini, o => o.Budget.RequestsPerMinute = 2);

        Assert.Null((await rig.Proposer.ProposeAsync(Request("⊢ 1 = 1"), CancellationToken.None)).Failure);
        rig.ManualTime.Advance(TimeSpan.FromSeconds(20));
        Assert.Null((await rig.Proposer.ProposeAsync(Request("⊢ 2 = 2"), CancellationToken.None)).Failure);
        var refused = await rig.Proposer.ProposeAsync(Request("⊢ 3 = 3"), CancellationToken.None);

        Assert.Equal(ProposalFailureKind.BudgetExhausted, refused.Failure!.Kind);
        Assert.Contains("rate cap", refused.Failure.Message, StringComparison.Ordinal);
        Assert.Equal(2, rig.Budget.Status.RequestsLastMinute);
        Assert.Equal(2, rig.Server.Requests.Count);

        rig.ManualTime.Advance(TimeSpan.FromSeconds(40));
        Assert.Null((await rig.Proposer.ProposeAsync(Request("⊢ 3 = 3"), CancellationToken.None)).Failure);
        Assert.Equal(3, rig.Budget.Status.RequestsToday);
    }

    [Fact]
    public async Task KeyPrecedence_EditorThenConfiguredVariableThenDefaultVariable()
    {
        await using var rig = await LlmRig.StartAsync();
        rig.Environment.Values["OPENAI_API_KEY"] = "test-key-from-default-variable";
        rig.Environment.Values["MY_TEAM_KEY"] = "test-key-from-configured-variable";

        Assert.Equal(ApiKeySource.DefaultVariable, rig.Keys.Find(LlmProviderKind.OpenAI).Source);
        rig.Use(LlmProviderKind.OpenAI, o => o.ApiKeyEnvironmentVariable = "MY_TEAM_KEY");
        Assert.Equal("test-key-from-configured-variable", rig.Keys.Find(LlmProviderKind.OpenAI).Key);
        rig.Keys.SetKey(LlmProviderKind.OpenAI, "test-key-from-editor-secret-storage");
        Assert.Equal(ApiKeySource.Editor, rig.Keys.Find(LlmProviderKind.OpenAI).Source);

        await rig.Proposer.ProposeAsync(Request("⊢ 1 = 1"), CancellationToken.None);
        Assert.Equal("Bearer test-key-from-editor-secret-storage", rig.Server.Requests[0].Header("Authorization"));

        rig.Keys.SetKey(LlmProviderKind.OpenAI, null);
        Assert.Equal(ApiKeySource.ConfiguredVariable, rig.Keys.Find(LlmProviderKind.OpenAI).Source);
    }

    [Fact]
    public async Task MissingKey_IsAFailureTheStatusShows_AndNothingIsSent()
    {
        await using var rig = await LlmRig.StartAsync();
        rig.Environment.Values.Clear();
        rig.Use(LlmProviderKind.Anthropic);

        var proposal = await rig.Proposer.ProposeAsync(Request("⊢ 1 = 1"), CancellationToken.None);

        Assert.Equal(ProposalFailureKind.MissingApiKey, proposal.Failure!.Kind);
        Assert.Contains("ANTHROPIC_API_KEY", proposal.Failure.Message, StringComparison.Ordinal);
        Assert.Empty(rig.Server.Requests);
        Assert.Equal(LlmState.MissingKey, rig.Status.Current.State);
        Assert.False(rig.Status.Current.KeyPresent);
    }

    [Fact]
    public void Redaction_RemovesKnownKeysAndKeyShapedTokens()
    {
        var text = $"Incorrect API key provided: sk-proj-abc***wxyz; header was Bearer abcdefgh12345678; my-secret-value-123 and {FakeApiKeys.Google("SyA1234567890abcdefghijklmnop")}";
        var redacted = SecretRedactor.Redact(text, ["my-secret-value-123"]);

        Assert.DoesNotContain("sk-proj", redacted, StringComparison.Ordinal);
        Assert.DoesNotContain("abcdefgh12345678", redacted, StringComparison.Ordinal);
        Assert.DoesNotContain("my-secret-value-123", redacted, StringComparison.Ordinal);
        Assert.DoesNotContain("AIzaSy", redacted, StringComparison.Ordinal);
        Assert.Contains("Incorrect API key provided", redacted, StringComparison.Ordinal);
    }

    /// <summary>
    /// Drives every path that writes something (success, cache, errors echoing the key, budget, status, metrics) with
    /// a real Serilog file log at the most verbose level, then greps every byte written for the key.
    /// </summary>
    [Fact]
    public async Task TheKeyIsNeverWritten_ToTheLogFile_TheCacheFiles_TheStatus_OrTheMetrics()
    {
        using var directory = new TemporaryDirectory();
        const string secret = "test-key-NeverWriteMe-not-real";
        var logFile = directory.Combine("logs", "leanassist.log");
        var serilog = new LoggerConfiguration().MinimumLevel.Verbose().WriteTo.File(logFile).CreateLogger();
        var metricText = new StringBuilder();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == LeanAssistMeter.Name)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<double>((i, v, tags, _) => Record(i, tags));
        listener.SetMeasurementEventCallback<long>((i, v, tags, _) => Record(i, tags));
        listener.Start();

        using (var loggerFactory = new SerilogLoggerFactory(serilog, dispose: true))
        {
            await using var rig = await LlmRig.StartAsync(loggerFactory: loggerFactory, directory: new TemporaryDirectory());
            rig.Use(LlmProviderKind.OpenAI, o => { o.LlmCache.Directory = directory.Combine("cache"); o.Budget.DailyUsd = 5m; });
            rig.Keys.SetKey(LlmProviderKind.OpenAI, secret);

            rig.Server.Enqueue(
                LlmReply.Success("```lean\nsimp\n```", new ScriptedUsage(100, 20)),
                // Some proxies echo the whole key back in an error.
                LlmReply.Raw(401, $$$"""{"error":{"message":"Invalid key {{{secret}}} for this org","type":"invalid_request_error"}}"""),
                LlmReply.Raw(400, $$$"""{"error":"bad request with api_key={{{secret}}}"}"""));
            await rig.Proposer.ProposeAsync(Request("⊢ 1 = 1"), CancellationToken.None);
            await rig.Proposer.ProposeAsync(Request("⊢ 1 = 1"), CancellationToken.None);
            var unauthorized = await rig.Proposer.ProposeAsync(Request("⊢ 2 = 2"), CancellationToken.None);
            var badRequest = await rig.Proposer.ProposeAsync(Request("⊢ 3 = 3"), CancellationToken.None);
            rig.Use(LlmProviderKind.Anthropic, o => o.LlmCache.Directory = directory.Combine("cache"));
            rig.Environment.Values.Clear();
            await rig.Proposer.ProposeAsync(Request("⊢ 4 = 4"), CancellationToken.None);

            Assert.Equal(ProposalFailureKind.Unauthorized, unauthorized.Failure!.Kind);
            Assert.Contains(SecretRedactor.Placeholder, unauthorized.Failure.Message, StringComparison.Ordinal);
            Assert.DoesNotContain(secret, badRequest.Failure!.Message, StringComparison.Ordinal);
            var status = JsonSerializer.Serialize(rig.Status.Current.ToString()) + rig.Status.Current;
            Assert.DoesNotContain(secret, status, StringComparison.Ordinal);
            Assert.Equal($"Bearer {secret}", rig.Server.Requests[0].Header("Authorization"));
        }

        SqliteConnection.ClearAllPools();
        var written = directory.AllFiles().ToArray();
        Assert.Contains(written, f => f.EndsWith(".log", StringComparison.Ordinal));
        Assert.Contains(written, f => f.EndsWith("llm-responses.db", StringComparison.Ordinal));
        Assert.Contains("LLM proposer failed", File.ReadAllText(logFile), StringComparison.Ordinal);
        foreach (var file in written)
        {
            var bytes = File.ReadAllBytes(file);
            Assert.False(Contains(bytes, Encoding.UTF8.GetBytes(secret)), $"{file} holds the key.");
            Assert.False(Contains(bytes, Encoding.Unicode.GetBytes(secret)), $"{file} holds the key (UTF-16).");
        }

        Assert.NotEqual(0, metricText.Length);
        Assert.DoesNotContain(secret, metricText.ToString(), StringComparison.Ordinal);

        void Record(Instrument instrument, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            lock (metricText)
            {
                metricText.Append(instrument.Name);
                foreach (var tag in tags)
                {
                    metricText.Append(' ').Append(tag.Key).Append('=').Append(tag.Value);
                }

                metricText.Append('\n');
            }
        }
    }

    private static bool Contains(byte[] haystack, byte[] needle) => haystack.AsSpan().IndexOf(needle) >= 0;
}
