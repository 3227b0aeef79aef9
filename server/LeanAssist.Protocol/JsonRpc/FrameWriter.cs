using System.Buffers;
using System.Globalization;
using System.IO.Pipelines;
using System.Text;

namespace LeanAssist.Protocol.JsonRpc;

/// <summary>Writes whole frames; safe to call from many threads (frames never interleave).</summary>
public sealed class FrameWriter(PipeWriter writer)
{
    private readonly SemaphoreSlim _gate = new(1, 1);

    public async ValueTask WriteAsync(ReadOnlyMemory<byte> body)
    {
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            var header = string.Create(CultureInfo.InvariantCulture, $"Content-Length: {body.Length}\r\n\r\n");
            var span = writer.GetSpan(header.Length);
            var written = Encoding.ASCII.GetBytes(header, span);
            writer.Advance(written);
            writer.Write(body.Span);
            var flush = await writer.FlushAsync().ConfigureAwait(false);
            if (flush.IsCompleted || flush.IsCanceled)
            {
                throw new IOException("The output stream was closed by the other side.");
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    public async ValueTask CompleteAsync()
    {
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            await writer.CompleteAsync().ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }
}
