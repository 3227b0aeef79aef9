using LeanAssist.Suggestions.Llm.Keys;
using LeanAssist.Suggestions.Remote;
using LeanAssist.Testing.Options;
using Microsoft.Extensions.Logging.Abstractions;

namespace LeanAssist.Testing.Kimina;

/// <summary>The real Kimina backend (HTTP client, dispatcher, backend) pointed at Kimina test doubles on 127.0.0.1.</summary>
public sealed class KiminaBackendHarness : IAsyncDisposable
{
    private readonly HttpClient _http = new() { Timeout = Timeout.InfiniteTimeSpan };

    public KiminaBackendHarness(IReadOnlyList<KiminaServerDouble> servers, Action<KiminaOptions>? configure = null, IReadOnlyDictionary<string, string>? environment = null)
    {
        Servers = servers;
        var options = new RemoteVerificationOptions
        {
            Verification = { Backend = VerificationBackend.Kimina },
            Kimina = { Urls = servers.Select(s => s.BaseAddress.AbsoluteUri).ToList(), TimeoutSeconds = 5 },
        };
        configure?.Invoke(options.Kimina);
        Options = new MutableOptionsMonitor<RemoteVerificationOptions>(options);
        ApiKey = new KiminaApiKey(Options, new DictionaryEnvironment(environment ?? new Dictionary<string, string>()), NullLogger<KiminaApiKey>.Instance);
        Dispatcher = new KiminaDispatcher(new KiminaHttpClient(_http), Options, ApiKey, TimeProvider.System, NullLogger<KiminaDispatcher>.Instance);
        Backend = new KiminaVerificationBackend(Dispatcher, Options, NullLogger<KiminaVerificationBackend>.Instance);
    }

    public IReadOnlyList<KiminaServerDouble> Servers { get; }

    public MutableOptionsMonitor<RemoteVerificationOptions> Options { get; }

    public KiminaApiKey ApiKey { get; }

    public KiminaDispatcher Dispatcher { get; }

    public KiminaVerificationBackend Backend { get; }

    public static async Task<(KiminaBackendHarness Harness, KiminaServerDouble[] Servers)> StartAsync(int servers, int repls = 4, Action<KiminaOptions>? configure = null)
    {
        var doubles = new KiminaServerDouble[servers];
        for (var i = 0; i < servers; i++)
        {
            doubles[i] = await KiminaServerDouble.StartAsync(repls).ConfigureAwait(false);
        }

        return (new KiminaBackendHarness(doubles, configure), doubles);
    }

    public async ValueTask DisposeAsync()
    {
        await Backend.DisposeAsync().ConfigureAwait(false);
        _http.Dispose();
        foreach (var server in Servers)
        {
            await server.DisposeAsync().ConfigureAwait(false);
        }
    }

    private sealed class DictionaryEnvironment(IReadOnlyDictionary<string, string> values) : IEnvironmentVariables
    {
        public string? Get(string name) => values.GetValueOrDefault(name);
    }
}
