using System.IO.Pipelines;
using System.Text;
using BenchmarkDotNet.Attributes;
using LeanAssist.Protocol.JsonRpc;
using LeanAssist.Testing.Lsp;

namespace LeanAssist.Benchmarks.Scenarios;

/// <summary>
/// JSON-RPC framing throughput: reading LSP frames off a pipe, and classifying their bodies, for a stream
/// of typical code-action requests. <see cref="Bytes"/> per operation gives MB/s.
/// </summary>
[MemoryDiagnoser]
public class FramingBenchmarks
{
    public const int Frames = 1000;

    private byte[] _stream = [];
    private ReadOnlyMemory<byte>[] _bodies = [];

    public static int Bytes { get; private set; }

    [GlobalSetup]
    public void Setup()
    {
        var body = Encoding.UTF8.GetBytes("""{"jsonrpc":"2.0","id":1234,"method":"textDocument/codeAction","params":{"textDocument":{"uri":"file:///home/user/project/Mathlib/Algebra/Group/Basic.lean"},"range":{"start":{"line":120,"character":4},"end":{"line":120,"character":9}},"context":{"diagnostics":[],"triggerKind":2}}}""");
        var frame = LspTestClient.Frame(body);
        _stream = Enumerable.Repeat(frame, Frames).SelectMany(f => f).ToArray();
        _bodies = Enumerable.Repeat((ReadOnlyMemory<byte>)body, Frames).ToArray();
        Bytes = _stream.Length;
    }

    [Benchmark(Description = "read 1000 frames from a pipe")]
    public async Task<int> ReadFrames()
    {
        var reader = new FrameReader(PipeReader.Create(new MemoryStream(_stream)), JsonRpcConnectionOptions.DefaultMaxMessageBytes);
        var count = 0;
        while ((await reader.ReadAsync(CancellationToken.None).ConfigureAwait(false)).Kind == FrameKind.Message)
        {
            count++;
        }

        return count;
    }

    [Benchmark(Description = "classify 1000 bodies")]
    public int ParseMessages()
    {
        var requests = 0;
        foreach (var body in _bodies)
        {
            var message = IncomingMessage.Parse(body, out var document);
            document?.Dispose();
            requests += message is RequestMessage ? 1 : 0;
        }

        return requests;
    }
}
