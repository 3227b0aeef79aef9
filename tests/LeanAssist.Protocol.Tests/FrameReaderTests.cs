using System.IO.Pipelines;
using System.Text;
using LeanAssist.Protocol.JsonRpc;

namespace LeanAssist.Protocol.Tests;

public sealed class FrameReaderTests
{
    private static byte[] Frame(string body, string? extraHeaders = null) =>
        Encoding.UTF8.GetBytes($"Content-Length: {Encoding.UTF8.GetByteCount(body)}\r\n{extraHeaders}\r\n{body}");

    private static async Task<List<Frame>> ReadAllAsync(byte[] input, long maxMessageBytes = 1 << 20, int chunkSize = int.MaxValue)
    {
        var pipe = new Pipe();
        var writer = Task.Run(async () =>
        {
            for (var offset = 0; offset < input.Length; offset += chunkSize)
            {
                await pipe.Writer.WriteAsync(input.AsMemory(offset, Math.Min(chunkSize, input.Length - offset)));
            }

            await pipe.Writer.CompleteAsync();
        });

        var reader = new FrameReader(pipe.Reader, maxMessageBytes);
        var frames = new List<Frame>();
        while (true)
        {
            var frame = await reader.ReadAsync(CancellationToken.None).AsTask().WaitAsync(TimeSpan.FromSeconds(20));
            frames.Add(frame);
            if (frame.Kind is FrameKind.EndOfStream or FrameKind.TruncatedAtEndOfStream)
            {
                break;
            }
        }

        await writer;
        return frames;
    }

    private static string Body(Frame frame) => Encoding.UTF8.GetString(frame.Body.Span);

    [Fact]
    public async Task Reads_consecutive_frames_then_end_of_stream()
    {
        var frames = await ReadAllAsync([.. Frame("{\"a\":1}"), .. Frame("{\"b\":\"⊢ ℕ 😀\"}")]);

        Assert.Equal([FrameKind.Message, FrameKind.Message, FrameKind.EndOfStream], frames.Select(f => f.Kind));
        Assert.Equal("{\"a\":1}", Body(frames[0]));
        Assert.Equal("{\"b\":\"⊢ ℕ 😀\"}", Body(frames[1]));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(7)]
    [InlineData(64)]
    public async Task Frames_split_across_arbitrary_reads_are_reassembled(int chunkSize)
    {
        var body = "{\"text\":\"" + new string('x', 300) + "∀ x, x = x\"}";
        var frames = await ReadAllAsync([.. Frame(body), .. Frame(body, "Content-Type: application/vscode-jsonrpc; charset=utf-8\r\n")], chunkSize: chunkSize);

        Assert.Equal(3, frames.Count);
        Assert.All(frames.Take(2), f => Assert.Equal(body, Body(f)));
    }

    [Theory]
    [InlineData("Content-Type: application/vscode-jsonrpc; charset=utf-8\r\n")]
    [InlineData("Content-Type: application/vscode-jsonrpc; charset=utf8\r\n")]
    [InlineData("content-type: application/vscode-jsonrpc\r\n")]
    [InlineData("X-Custom: anything\r\n")]
    public async Task Tolerates_content_type_and_unknown_headers(string header)
    {
        var frames = await ReadAllAsync(Frame("{}", header));

        Assert.Equal(FrameKind.Message, frames[0].Kind);
        Assert.Equal("{}", Body(frames[0]));
    }

    [Fact]
    public async Task Header_names_are_case_insensitive_and_header_order_is_free()
    {
        var frames = await ReadAllAsync(Encoding.ASCII.GetBytes("Content-Type: application/vscode-jsonrpc\r\ncontent-length: 2\r\n\r\n{}"));

        Assert.Equal(FrameKind.Message, frames[0].Kind);
    }

    [Fact]
    public async Task Other_charsets_are_rejected_and_the_body_skipped()
    {
        var frames = await ReadAllAsync([.. Frame("{}", "Content-Type: application/vscode-jsonrpc; charset=latin1\r\n"), .. Frame("{\"next\":1}")]);

        Assert.Equal(FrameKind.UnsupportedEncoding, frames[0].Kind);
        Assert.Contains("latin1", frames[0].Error);
        Assert.Equal("{\"next\":1}", Body(frames[1]));
    }

    [Theory]
    [InlineData("Content-Length: abc\r\n\r\n", "Invalid Content-Length")]
    [InlineData("Content-Length: -5\r\n\r\n", "Invalid Content-Length")]
    [InlineData("Content-Length: 99999999999999999999999\r\n\r\n", "Invalid Content-Length")]
    [InlineData("Content-Type: application/json\r\n\r\n", "Missing Content-Length")]
    [InlineData("Content-Length: 2\r\nContent-Length: 3\r\n\r\n", "Conflicting Content-Length")]
    [InlineData("this is not a header\r\n\r\n", "Malformed header line")]
    public async Task Malformed_headers_are_reported_and_reading_resumes(string badHeader, string expectedError)
    {
        var frames = await ReadAllAsync([.. Encoding.ASCII.GetBytes(badHeader), .. Frame("{\"ok\":true}")]);

        Assert.Equal(FrameKind.MalformedHeader, frames[0].Kind);
        Assert.Contains(expectedError, frames[0].Error);
        Assert.Equal(FrameKind.Message, frames[1].Kind);
        Assert.Equal("{\"ok\":true}", Body(frames[1]));
    }

    [Fact]
    public async Task Garbage_glued_before_a_header_is_skipped_up_to_the_next_content_length()
    {
        var frames = await ReadAllAsync([.. Encoding.UTF8.GetBytes("{\"raw\": \"json without headers\"}"), .. Frame("{\"ok\":true}")]);

        Assert.Equal(FrameKind.MalformedHeader, frames[0].Kind);
        Assert.Equal("{\"ok\":true}", Body(frames[1]));
    }

    [Fact]
    public async Task A_header_block_without_end_is_abandoned_after_the_header_limit()
    {
        var frames = await ReadAllAsync([.. Encoding.ASCII.GetBytes(new string('z', 20_000)), .. Frame("{\"ok\":1}")]);

        Assert.Equal(FrameKind.MalformedHeader, frames[0].Kind);
        Assert.Contains(frames, f => f.Kind == FrameKind.Message && Body(f) == "{\"ok\":1}");
    }

    [Fact]
    public async Task Oversized_frames_are_skipped_without_losing_the_next_one()
    {
        var big = new string('a', 50_000);
        var frames = await ReadAllAsync([.. Frame($"\"{big}\""), .. Frame("{\"after\":1}")], maxMessageBytes: 10_000, chunkSize: 4096);

        Assert.Equal(FrameKind.TooLarge, frames[0].Kind);
        Assert.Contains("exceeds the limit of 10000 bytes", frames[0].Error);
        Assert.Equal("{\"after\":1}", Body(frames[1]));
    }

    [Fact]
    public async Task Stray_line_breaks_between_frames_are_tolerated()
    {
        var frames = await ReadAllAsync([.. Frame("{}"), .. "\r\n\r\n"u8.ToArray(), .. Frame("{}")]);

        Assert.Equal([FrameKind.Message, FrameKind.Message, FrameKind.EndOfStream], frames.Select(f => f.Kind));
    }

    [Theory]
    [InlineData("Content-Length: 10\r\n\r\n{\"a\":")]
    [InlineData("Content-Length: 10\r\n")]
    [InlineData("Content-Len")]
    public async Task End_of_stream_mid_message_is_reported_as_truncated(string partial)
    {
        var frames = await ReadAllAsync(Encoding.ASCII.GetBytes(partial));

        Assert.Single(frames);
        Assert.Equal(FrameKind.TruncatedAtEndOfStream, frames[0].Kind);
    }

    [Fact]
    public async Task Empty_input_is_a_clean_end()
    {
        var frames = await ReadAllAsync([]);

        Assert.Equal(FrameKind.EndOfStream, Assert.Single(frames).Kind);
    }
}
