using System.Buffers;
using System.Globalization;
using System.IO.Pipelines;
using System.Text;

namespace LeanAssist.Protocol.JsonRpc;

public enum FrameKind
{
    /// <summary>A complete body of the declared length.</summary>
    Message,

    /// <summary>A header block that could not be understood; skipped.</summary>
    MalformedHeader,

    /// <summary>A body in a charset other than UTF-8; skipped.</summary>
    UnsupportedEncoding,

    /// <summary>A declared length above the limit; the body is skipped without being buffered.</summary>
    TooLarge,

    /// <summary>The stream ended cleanly between messages.</summary>
    EndOfStream,

    /// <summary>The stream ended in the middle of a message.</summary>
    TruncatedAtEndOfStream,
}

public readonly record struct Frame(FrameKind Kind, ReadOnlyMemory<byte> Body = default, string? Error = null);

/// <summary>
/// Reads LSP base-protocol frames (<c>Content-Length: N\r\n\r\n</c> + N bytes of UTF-8 JSON) from a pipe.
/// Never throws on bad input: every problem is a <see cref="Frame"/> the caller answers, after which
/// reading resumes at the next plausible header.
/// </summary>
public sealed class FrameReader(PipeReader reader, long maxMessageBytes, int maxHeaderBytes = 8 * 1024)
{
    private static ReadOnlySpan<byte> HeaderTerminator => "\r\n\r\n"u8;
    private static ReadOnlySpan<byte> ContentLengthName => "content-length"u8;

    private long _bytesToSkip;

    public long MaxMessageBytes { get; } = maxMessageBytes;

    public async ValueTask<Frame> ReadAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var result = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            var buffer = result.Buffer;

            if (_bytesToSkip > 0)
            {
                var skipped = Math.Min(_bytesToSkip, buffer.Length);
                _bytesToSkip -= skipped;
                buffer = buffer.Slice(skipped);
                if (_bytesToSkip > 0)
                {
                    reader.AdvanceTo(buffer.End);
                    if (result.IsCompleted)
                    {
                        return new Frame(FrameKind.TruncatedAtEndOfStream, Error: "The stream ended inside an oversized message that was being skipped.");
                    }

                    continue;
                }
            }

            if (TryReadFrame(ref buffer, out var frame))
            {
                reader.AdvanceTo(buffer.Start);
                return frame;
            }

            if (result.IsCompleted)
            {
                var leftover = SkipLineBreaks(buffer);
                reader.AdvanceTo(buffer.End);
                return leftover.IsEmpty
                    ? new Frame(FrameKind.EndOfStream)
                    : new Frame(FrameKind.TruncatedAtEndOfStream, Error: $"The stream ended in the middle of a message ({leftover.Length} bytes unread).");
            }

            reader.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    /// <summary>On success, <paramref name="buffer"/> starts right after what was consumed.</summary>
    private bool TryReadFrame(ref ReadOnlySequence<byte> buffer, out Frame frame)
    {
        frame = default;

        // Tolerate stray line breaks between messages.
        var start = SkipLineBreaks(buffer);
        var sequenceReader = new SequenceReader<byte>(start);
        if (!sequenceReader.TryReadTo(out ReadOnlySequence<byte> headerBlock, HeaderTerminator, advancePastDelimiter: true))
        {
            if (start.Length <= maxHeaderBytes)
            {
                return false;
            }

            var resync = FindNextContentLength(start, from: 1);
            var consumed = resync >= 0 ? resync : start.Length - (ContentLengthName.Length - 1);
            buffer = start.Slice(consumed);
            frame = new Frame(FrameKind.MalformedHeader, Error: $"No end of headers (\\r\\n\\r\\n) within {maxHeaderBytes} bytes; skipped {consumed} bytes.");
            return true;
        }

        var afterHeaders = start.Slice(sequenceReader.Position);
        if (!TryParseHeaders(headerBlock, out var contentLength, out var charsetProblem, out var headerError, out var resyncFrom))
        {
            // Garbage glued before a real header (a stray line, a body sent without headers): resume at
            // the Content-Length after it. A well-formed but wrong block (bad value, conflict) is skipped whole.
            var resync = resyncFrom >= 0 ? FindNextContentLength(start, from: resyncFrom) : -1;
            if (resync >= 0 && resync < headerBlock.Length)
            {
                buffer = start.Slice(resync);
                frame = new Frame(FrameKind.MalformedHeader, Error: $"{headerError} Skipped {resync} bytes up to the next Content-Length header.");
            }
            else
            {
                buffer = afterHeaders;
                frame = new Frame(FrameKind.MalformedHeader, Error: headerError);
            }

            return true;
        }

        if (contentLength > MaxMessageBytes)
        {
            buffer = afterHeaders;
            _bytesToSkip = contentLength;
            frame = new Frame(FrameKind.TooLarge, Error: $"Message of {contentLength} bytes exceeds the limit of {MaxMessageBytes} bytes; it was skipped. (The limit is set with --max-message-size.)");
            return true;
        }

        if (afterHeaders.Length < contentLength)
        {
            return false;
        }

        var body = afterHeaders.Slice(0, contentLength);
        buffer = afterHeaders.Slice(contentLength);
        frame = charsetProblem is null
            ? new Frame(FrameKind.Message, body.ToArray())
            : new Frame(FrameKind.UnsupportedEncoding, Error: charsetProblem);
        return true;
    }

    private static ReadOnlySequence<byte> SkipLineBreaks(ReadOnlySequence<byte> buffer)
    {
        var sequenceReader = new SequenceReader<byte>(buffer);
        sequenceReader.AdvancePastAny((byte)'\r', (byte)'\n');
        return buffer.Slice(sequenceReader.Position);
    }

    /// <param name="resyncFrom">Where to look for a later header when the block is garbage, or -1 to skip it whole.</param>
    private static bool TryParseHeaders(ReadOnlySequence<byte> block, out long contentLength, out string? charsetProblem, out string error, out long resyncFrom)
    {
        contentLength = -1;
        charsetProblem = null;
        error = string.Empty;
        resyncFrom = -1;

        var bytes = block.IsSingleSegment ? block.FirstSpan : block.ToArray();
        var lineOffset = 0;
        foreach (var rawLine in SplitLines(bytes))
        {
            var line = rawLine;
            var colon = line.IndexOf((byte)':');
            if (colon <= 0 || !IsToken(line[..colon]))
            {
                error = $"Malformed header line \"{Printable(line)}\".";
                resyncFrom = lineOffset + 1;
                return false;
            }

            lineOffset += line.Length + 2;

            var name = line[..colon];
            var value = Encoding.ASCII.GetString(line[(colon + 1)..]).Trim();
            if (Ascii.EqualsIgnoreCase(name, ContentLengthName))
            {
                if (value.Length == 0 || value.Length > 18 || !value.All(char.IsAsciiDigit)
                    || !long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed))
                {
                    error = $"Invalid Content-Length \"{Printable(line[(colon + 1)..])}\".";
                    return false;
                }

                if (contentLength >= 0 && contentLength != parsed)
                {
                    error = "Conflicting Content-Length headers.";
                    return false;
                }

                contentLength = parsed;
            }
            else if (Ascii.EqualsIgnoreCase(name, "content-type"u8))
            {
                charsetProblem = CheckCharset(value);
            }

            // Other headers are allowed by the base protocol and ignored.
        }

        if (contentLength < 0)
        {
            error = "Missing Content-Length header.";
            resyncFrom = 1;
            return false;
        }

        return true;
    }

    private static string? CheckCharset(string contentType)
    {
        foreach (var parameter in contentType.Split(';').Skip(1))
        {
            var pair = parameter.Split('=', 2);
            if (pair.Length == 2 && pair[0].Trim().Equals("charset", StringComparison.OrdinalIgnoreCase))
            {
                var charset = pair[1].Trim().Trim('"');
                // "utf8" is accepted for backwards compatibility, as the LSP specification says.
                if (!charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase) && !charset.Equals("utf8", StringComparison.OrdinalIgnoreCase))
                {
                    return $"Unsupported charset \"{charset}\": only utf-8 is supported.";
                }
            }
        }

        return null;
    }

    private static List<byte[]> SplitLines(ReadOnlySpan<byte> bytes)
    {
        var lines = new List<byte[]>();
        while (!bytes.IsEmpty)
        {
            var end = bytes.IndexOf("\r\n"u8);
            var line = end < 0 ? bytes : bytes[..end];
            lines.Add(line.ToArray());
            bytes = end < 0 ? [] : bytes[(end + 2)..];
        }

        return lines;
    }

    private static bool IsToken(ReadOnlySpan<byte> name)
    {
        foreach (var b in name)
        {
            // RFC 9110 token: visible ASCII except delimiters.
            if (b <= 32 || b >= 127 || "\"(),/:;<=>?@[\\]{}"u8.Contains(b))
            {
                return false;
            }
        }

        return true;
    }

    private static string Printable(ReadOnlySpan<byte> bytes)
    {
        var text = Encoding.UTF8.GetString(bytes.Length > 60 ? bytes[..60] : bytes);
        var builder = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            builder.Append(char.IsControl(c) ? '?' : c);
        }

        return bytes.Length > 60 ? builder.Append('…').ToString() : builder.ToString();
    }

    /// <summary>Offset of the next "Content-Length" (any case) at or after <paramref name="from"/>, or -1.</summary>
    private static long FindNextContentLength(ReadOnlySequence<byte> buffer, long from)
    {
        var bytes = buffer.Length > int.MaxValue ? buffer.Slice(0, int.MaxValue).ToArray() : buffer.ToArray();
        for (var i = (int)Math.Min(from, bytes.Length); i + ContentLengthName.Length <= bytes.Length; i++)
        {
            if (Ascii.EqualsIgnoreCase(bytes.AsSpan(i, ContentLengthName.Length), ContentLengthName))
            {
                return i;
            }
        }

        return -1;
    }
}
