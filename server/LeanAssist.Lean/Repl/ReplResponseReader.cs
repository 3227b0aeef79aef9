using System.Buffers;
using System.IO.Pipelines;

namespace LeanAssist.Lean.Repl;

/// <summary>
/// Reads the REPL's answers from its stdout: each answer is one or more non-empty lines (pretty-printed
/// JSON) ended by a blank line. Blank lines before an answer are skipped; "\r\n" is accepted.
/// </summary>
public sealed class ReplResponseReader(Stream output, long maxResponseBytes)
{
    private readonly PipeReader _reader = PipeReader.Create(output, new StreamPipeReaderOptions(bufferSize: 64 * 1024));

    /// <summary>
    /// The next answer's bytes (its lines joined by "\n"). Throws <see cref="ReplFailureException"/> with
    /// <see cref="ReplFailureKind.Exited"/> when the output ends first, or <see cref="ReplFailureKind.ResponseTooLarge"/>
    /// past <c>maxResponseBytes</c> (the rest is not read: the stream cannot be trusted after that).
    /// </summary>
    public async Task<ReadOnlyMemory<byte>> ReadResponseAsync(CancellationToken cancellationToken)
    {
        var response = new ArrayBufferWriter<byte>(4096);
        while (true)
        {
            var result = await _reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            var buffer = result.Buffer;
            while (TryReadLine(ref buffer, out var line))
            {
                if (line.Length == 0)
                {
                    if (response.WrittenCount > 0)
                    {
                        _reader.AdvanceTo(buffer.Start);
                        return response.WrittenMemory;
                    }

                    continue;
                }

                if (response.WrittenCount > 0)
                {
                    response.Write("\n"u8);
                }

                foreach (var segment in line)
                {
                    response.Write(segment.Span);
                }

                CheckSize(response.WrittenCount);
            }

            CheckSize(response.WrittenCount + buffer.Length);
            if (result.IsCompleted)
            {
                _reader.AdvanceTo(buffer.End);
                throw new ReplFailureException(ReplFailureKind.Exited, response.WrittenCount + buffer.Length == 0
                    ? "The REPL closed its output before answering."
                    : $"The REPL closed its output in the middle of an answer ({response.WrittenCount + buffer.Length} bytes read).");
            }

            _reader.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    private void CheckSize(long bytes)
    {
        if (bytes > maxResponseBytes)
        {
            throw new ReplFailureException(ReplFailureKind.ResponseTooLarge,
                $"The REPL's answer is larger than the limit of {maxResponseBytes / (1024 * 1024)} MB (leanAssist.repl.maxResponseMegabytes).");
        }
    }

    /// <summary>One line without its "\n" (and without a "\r" before it).</summary>
    private static bool TryReadLine(ref ReadOnlySequence<byte> buffer, out ReadOnlySequence<byte> line)
    {
        var newline = buffer.PositionOf((byte)'\n');
        if (newline is not { } position)
        {
            line = default;
            return false;
        }

        line = buffer.Slice(0, position);
        buffer = buffer.Slice(buffer.GetPosition(1, position));
        if (line.Length > 0)
        {
            var last = line.Slice(line.Length - 1);
            if (last.FirstSpan[0] == (byte)'\r')
            {
                line = line.Slice(0, line.Length - 1);
            }
        }

        // A line of spaces is blank too (the REPL's own reader trims lines).
        if (IsWhitespace(line))
        {
            line = default;
        }

        return true;
    }

    private static bool IsWhitespace(ReadOnlySequence<byte> line)
    {
        if (line.Length > 64)
        {
            return false;
        }

        foreach (var segment in line)
        {
            foreach (var b in segment.Span)
            {
                if (b is not ((byte)' ' or (byte)'\t' or (byte)'\r'))
                {
                    return false;
                }
            }
        }

        return true;
    }
}
