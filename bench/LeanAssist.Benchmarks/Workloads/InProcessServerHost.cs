using System.IO.Pipelines;
using LeanAssist.Server.Hosting;
using LeanAssist.Testing;
using LeanAssist.Testing.Lsp;
using Microsoft.Extensions.Hosting;

namespace LeanAssist.Benchmarks.Workloads;

/// <summary>The real language server in this process over in-memory pipes (what "in process" numbers measure).</summary>
public sealed class InProcessServerHost : IAsyncDisposable
{
    private readonly Pipe _toServer = new();
    private readonly Pipe _toClient = new();
    private readonly IHost _host;
    private readonly Task<int> _run;

    public InProcessServerHost(IEnumerable<KeyValuePair<string, string?>> settings, string caches)
    {
        var all = new Dictionary<string, string?>
        {
            ["LeanAssist:Server:LogFile"] = "none",
            ["LeanAssist:Server:LogToStderr"] = "false",
            ["LeanAssist:Server:MetricsDirectory"] = "none",
        };
        foreach (var (key, value) in IsolatedCaches.Settings(caches).Concat(settings))
        {
            all[key] = value;
        }

        _host = LeanAssistHost.Build("bench", all, new LanguageServerTransport(_toServer.Reader, _toClient.Writer));
        _run = LeanAssistHost.RunLanguageServerAsync(_host);
        Client = new LspTestClient(_toClient.Reader.AsStream(), _toServer.Writer.AsStream());
    }

    public LspTestClient Client { get; }

    public async ValueTask DisposeAsync()
    {
        await _toServer.Writer.CompleteAsync().ConfigureAwait(false);
        try
        {
            await _run.WaitAsync(TimeSpan.FromSeconds(20)).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            await _host.StopAsync().ConfigureAwait(false);
        }

        await Client.DisposeAsync().ConfigureAwait(false);
        _host.Dispose();
    }
}
