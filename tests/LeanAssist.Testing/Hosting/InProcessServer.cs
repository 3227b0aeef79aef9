using System.IO.Pipelines;
using LeanAssist.Server.Hosting;
using LeanAssist.Testing.Lsp;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace LeanAssist.Testing.Hosting;

/// <summary>
/// The real language server (the same host as <c>leanassist lsp</c>) running in this process over
/// in-memory pipes, with a <see cref="LspTestClient"/> on the other end. Used by language-server tests and
/// for the benchmarks' in-process numbers.
/// </summary>
public sealed class InProcessServer : IAsyncDisposable
{
    private readonly Pipe _clientToServer = new();
    private readonly Pipe _serverToClient = new();
    private readonly TemporaryDirectory _caches = new();

    private InProcessServer(IEnumerable<KeyValuePair<string, string?>> settings, Action<IServiceCollection>? configureServices)
    {
        var defaults = new Dictionary<string, string?>
        {
            ["LeanAssist:Server:LogFile"] = "none",
            ["LeanAssist:Server:LogToStderr"] = "false",
            ["LeanAssist:Server:MetricsDirectory"] = "none",
        };
        foreach (var (key, value) in IsolatedCaches.Settings(_caches.Path))
        {
            defaults[key] = value;
        }

        foreach (var (key, value) in settings)
        {
            defaults[key] = value;
        }

        Host = LeanAssistHost.Build("lsp-test", defaults, new LanguageServerTransport(_clientToServer.Reader, _serverToClient.Writer), configureServices);
        ExitCode = LeanAssistHost.RunLanguageServerAsync(Host);
        Client = new LspTestClient(_serverToClient.Reader.AsStream(), _clientToServer.Writer.AsStream());
    }

    public IHost Host { get; }

    public LspTestClient Client { get; }

    /// <summary>Completes with the server's exit code when it stops.</summary>
    public Task<int> ExitCode { get; }

    public T GetService<T>()
        where T : notnull => Host.Services.GetRequiredService<T>();

    public static InProcessServer Start(IEnumerable<KeyValuePair<string, string?>>? settings = null, Action<IServiceCollection>? configureServices = null) =>
        new(settings ?? [], configureServices);

    /// <summary>Starts the server and completes the initialize handshake.</summary>
    public static async Task<InProcessServer> StartInitializedAsync(IEnumerable<KeyValuePair<string, string?>>? settings = null, System.Text.Json.Nodes.JsonObject? capabilities = null)
    {
        var server = Start(settings);
        await server.Client.InitializeAsync(capabilities).ConfigureAwait(false);
        return server;
    }

    /// <summary>Closes the client's side of the input (the editor went away).</summary>
    public ValueTask CloseInputAsync() => _clientToServer.Writer.CompleteAsync();

    public async ValueTask DisposeAsync()
    {
        await _clientToServer.Writer.CompleteAsync().ConfigureAwait(false);
        try
        {
            // 20 s, as the benchmarks (more REPL sessions to stop) always had.
            await ExitCode.WaitAsync(TimeSpan.FromSeconds(20)).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            await Host.StopAsync().ConfigureAwait(false);
        }

        await Client.DisposeAsync().ConfigureAwait(false);
        Host.Dispose();
        _caches.Dispose();
    }
}
