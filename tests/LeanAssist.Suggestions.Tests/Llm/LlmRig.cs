using LeanAssist.Lean.Telemetry;
using LeanAssist.Suggestions.Llm;
using LeanAssist.Suggestions.Llm.Budget;
using LeanAssist.Suggestions.Llm.Caching;
using LeanAssist.Suggestions.Llm.Keys;
using LeanAssist.Suggestions.Llm.Providers;
using LeanAssist.Suggestions.Llm.Resilience;
using LeanAssist.Suggestions.Llm.Status;
using LeanAssist.Testing;
using LeanAssist.Testing.Llm;
using LeanAssist.Testing.Options;
using LeanAssist.Testing.Time;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace LeanAssist.Suggestions.Tests.Llm;

/// <summary>Environment variables for a test, without touching the process's own.</summary>
internal sealed class FakeEnvironmentVariables : IEnvironmentVariables
{
    public Dictionary<string, string> Values { get; } = new(StringComparer.Ordinal);

    public string? Get(string name) => Values.GetValueOrDefault(name);
}

/// <summary>Real typed clients over one HttpClient (production resolves them from IHttpClientFactory).</summary>
internal sealed class DirectLlmChatClientFactory(HttpClient http) : ILlmChatClientFactory
{
    public ILlmChatClient Create(LlmProviderKind provider) => provider switch
    {
        LlmProviderKind.OpenAI => new OpenAiChatClient(http),
        LlmProviderKind.Anthropic => new AnthropicMessagesClient(http),
        LlmProviderKind.Gemini => new GeminiGenerateContentClient(http),
        _ => throw new ArgumentOutOfRangeException(nameof(provider)),
    };
}

/// <summary>
/// The real LLM stack (proposer, clients, pipelines, cache, budget, keys, statistics, status) pointed at a
/// <see cref="LocalLlmServer"/>, with a temporary cache directory and a clock the test controls.
/// </summary>
internal sealed class LlmRig : IAsyncDisposable
{
    public const string TestKey = "test-key-LeanAssistSecret-not-real";

    private readonly HttpClient _http = new() { Timeout = Timeout.InfiniteTimeSpan };

    private LlmRig(LocalLlmServer server, TimeProvider time, ILoggerFactory loggerFactory, TemporaryDirectory directory)
    {
        Server = server;
        Time = time;
        Directory = directory;
        Environment.Values["OPENAI_API_KEY"] = TestKey;
        Environment.Values["ANTHROPIC_API_KEY"] = TestKey;
        Environment.Values["GEMINI_API_KEY"] = TestKey;
        Options = new MutableOptionsMonitor<LlmOptions>(Configure(LlmProviderKind.OpenAI));
        _loggerFactory = loggerFactory;
        Build();
    }

    private readonly ILoggerFactory _loggerFactory;

    public LocalLlmServer Server { get; }

    public TimeProvider Time { get; }

    public ManualTimeProvider ManualTime => (ManualTimeProvider)Time;

    public TemporaryDirectory Directory { get; }

    public FakeEnvironmentVariables Environment { get; } = new();

    public MutableOptionsMonitor<LlmOptions> Options { get; }

    public ApiKeyStore Keys { get; private set; } = null!;

    public LlmBudget Budget { get; private set; } = null!;

    public LlmResponseCache Cache { get; private set; } = null!;

    public LlmResiliencePipelines Pipelines { get; private set; } = null!;

    public LlmStatistics Statistics { get; private set; } = null!;

    /// <summary>This rig's own meter, so parallel tests never see each other's measurements.</summary>
    public LeanAssistMeter Meter { get; } = new(new System.Diagnostics.Metrics.Meter(LeanAssistMeter.Name));

    public LlmTacticProposer Proposer { get; private set; } = null!;

    public LlmStatusReporter Status { get; private set; } = null!;

    /// <summary>Replaces every service with a new instance (nothing kept in memory), as a server restart would; settings and disk stay.</summary>
    public void Restart()
    {
        Cache.Dispose();
        Budget.Dispose();
        Build();
    }

    private void Build()
    {
        Keys = new ApiKeyStore(Options, Environment, _loggerFactory.CreateLogger<ApiKeyStore>());
        Budget = new LlmBudget(Options, Time, _loggerFactory.CreateLogger<LlmBudget>());
        Cache = new LlmResponseCache(Options, Time, _loggerFactory.CreateLogger<LlmResponseCache>(), Meter);
        Pipelines = new LlmResiliencePipelines(Time, _loggerFactory.CreateLogger<LlmResiliencePipelines>());
        Statistics = new LlmStatistics(Time, Meter);
        Proposer = new LlmTacticProposer(Options, new DirectLlmChatClientFactory(_http), Keys, Budget, Cache, Pipelines, Statistics, Time, _loggerFactory.CreateLogger<LlmTacticProposer>());
        Status = new LlmStatusReporter(Options, Keys, Budget, Statistics, Cache, Pipelines, Time);
    }

    /// <param name="manualTime">A <see cref="ManualTimeProvider"/> (timeouts and backoff fire only when advanced) instead of the real clock.</param>
    public static async Task<LlmRig> StartAsync(bool manualTime = false, ILoggerFactory? loggerFactory = null, TemporaryDirectory? directory = null)
    {
        var server = await LocalLlmServer.StartAsync();
        return new LlmRig(server, manualTime ? new ManualTimeProvider() : TimeProvider.System, loggerFactory ?? NullLoggerFactory.Instance, directory ?? new TemporaryDirectory());
    }

    /// <summary>Settings for <paramref name="provider"/> at the local server, with the test cache directory.</summary>
    public LlmOptions Configure(LlmProviderKind provider, Action<LlmOptions>? adjust = null)
    {
        var options = new LlmOptions
        {
            Provider = provider,
            BaseUrl = provider switch
            {
                LlmProviderKind.OpenAI => Server.OpenAiBaseUrl.AbsoluteUri,
                LlmProviderKind.Anthropic => Server.AnthropicBaseUrl.AbsoluteUri,
                LlmProviderKind.Gemini => Server.GeminiBaseUrl.AbsoluteUri,
                _ => null,
            },
            Model = provider switch
            {
                LlmProviderKind.OpenAI => "gpt-4o-mini",
                LlmProviderKind.Anthropic => "claude-sonnet-4-5",
                LlmProviderKind.Gemini => "gemini-2.5-flash",
                _ => null,
            },
            TimeoutMs = 10_000,
            LlmCache = new LlmCacheOptions { Directory = Directory.Combine("cache") },
        };
        adjust?.Invoke(options);
        return options;
    }

    public void Use(LlmProviderKind provider, Action<LlmOptions>? adjust = null) => Options.Set(Configure(provider, adjust));

    public async ValueTask DisposeAsync()
    {
        Cache.Dispose();
        Budget.Dispose();
        _http.Dispose();
        await Server.DisposeAsync();
        Directory.Dispose();
    }
}
