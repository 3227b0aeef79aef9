using System.IO.Pipelines;
using LeanAssist.Protocol.JsonRpc;
using LeanAssist.Testing.Lsp;
using Microsoft.Extensions.Logging.Abstractions;

namespace LeanAssist.Protocol.Tests;

/// <summary>A <see cref="JsonRpcConnection"/> over in-memory pipes with a test client on the other end.</summary>
internal sealed class ConnectionHarness : IAsyncDisposable
{
    private readonly Pipe _toServer = new();
    private readonly Pipe _toClient = new();
    private Task<ConnectionEnd>? _run;

    public ConnectionHarness(long maxMessageBytes = JsonRpcConnectionOptions.DefaultMaxMessageBytes)
    {
        Connection = new JsonRpcConnection(_toServer.Reader, _toClient.Writer, new JsonRpcConnectionOptions { MaxMessageBytes = maxMessageBytes }, NullLogger<JsonRpcConnection>.Instance);
        Client = new LspTestClient(_toClient.Reader.AsStream(), _toServer.Writer.AsStream());
    }

    public JsonRpcConnection Connection { get; }

    public LspTestClient Client { get; }

    public Task<ConnectionEnd> Run => _run ?? throw new InvalidOperationException("Not started.");

    public ConnectionHarness Start()
    {
        _run = Connection.RunAsync();
        return this;
    }

    public ValueTask CloseClientOutputAsync() => _toServer.Writer.CompleteAsync();

    public async ValueTask DisposeAsync()
    {
        await _toServer.Writer.CompleteAsync();
        if (_run is not null)
        {
            await _run.WaitAsync(TimeSpan.FromSeconds(10));
        }

        await Client.DisposeAsync();
    }
}
