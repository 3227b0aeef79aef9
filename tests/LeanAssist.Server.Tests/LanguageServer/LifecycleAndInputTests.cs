using System.Text;
using System.Text.Json.Nodes;
using LeanAssist.Protocol.JsonRpc;
using LeanAssist.Testing.Hosting;
using LeanAssist.Testing.Lsp;

namespace LeanAssist.Server.Tests.LanguageServer;

public sealed class LifecycleAndInputTests
{
    private static int ErrorCode(JsonObject response) => response["error"]!["code"]!.GetValue<int>();

    [Fact]
    public async Task Initialize_announces_incremental_sync_in_utf16_and_the_server_info()
    {
        await using var server = InProcessServer.Start();

        var result = await server.Client.InitializeAsync();

        Assert.Equal("utf-16", result["capabilities"]!["positionEncoding"]!.GetValue<string>());
        Assert.Equal(2, result["capabilities"]!["textDocumentSync"]!["change"]!.GetValue<int>());
        Assert.True(result["capabilities"]!["textDocumentSync"]!["openClose"]!.GetValue<bool>());
        Assert.Equal("leanassist", result["serverInfo"]!["name"]!.GetValue<string>());
    }

    [Fact]
    public async Task Full_lifecycle_exits_with_code_0()
    {
        await using var server = InProcessServer.Start();
        var early = await server.Client.RequestAsync("textDocument/hover", new JsonObject());
        await server.Client.InitializeAsync();

        await server.Client.ShutdownAndExitAsync();

        Assert.Equal(ErrorCodes.ServerNotInitialized, ErrorCode(early));
        Assert.Equal(0, await server.ExitCode.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task Client_disconnecting_mid_message_ends_the_server_with_code_1()
    {
        await using var server = InProcessServer.Start();
        await server.Client.InitializeAsync();

        await server.Client.SendRawAsync("Content-Length: 500\r\n\r\n{\"jsonrpc\":\"2.0\",\"id\":1,"u8.ToArray());
        await server.CloseInputAsync();

        Assert.Equal(1, await server.ExitCode.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task Bad_input_of_every_kind_gets_the_spec_answer_and_the_server_keeps_serving()
    {
        await using var server = InProcessServer.Start();
        var badInitialize = await server.Client.RequestAsync("initialize", new JsonObject { ["processId"] = "not a number", ["capabilities"] = new JsonObject() });
        await server.Client.InitializeAsync();

        var badFrames = new (byte[] Bytes, int Code)[]
        {
            ("Content-Length: twelve\r\n\r\n"u8.ToArray(), ErrorCodes.ParseError),
            (LspTestClient.Frame("not json"u8.ToArray()), ErrorCodes.ParseError),
            (LspTestClient.Frame("""{"jsonrpc":"2.0","result":1}"""u8.ToArray()), ErrorCodes.InvalidRequest),
            (Encoding.ASCII.GetBytes("Content-Length: 2\r\nContent-Type: application/vscode-jsonrpc; charset=utf-16\r\n\r\n{}"), ErrorCodes.ParseError),
        };
        foreach (var (bytes, _) in badFrames)
        {
            await server.Client.SendRawAsync(bytes);
        }

        var unknown = await server.Client.RequestAsync("leanAssist/noSuchMethod", new JsonObject());
        var again = await server.Client.RequestAsync("initialize", new JsonObject { ["capabilities"] = new JsonObject() });
        var nullIdErrors = server.Client.Received.Where(m => m["error"] is not null && m["id"] is null).Select(ErrorCode).ToArray();

        Assert.Equal(ErrorCodes.InvalidParams, ErrorCode(badInitialize));
        Assert.Equal(badFrames.Select(f => f.Code), nullIdErrors);
        Assert.Equal(ErrorCodes.MethodNotFound, ErrorCode(unknown));
        Assert.Equal(ErrorCodes.InvalidRequest, ErrorCode(again));

        await server.Client.ShutdownAndExitAsync();
        Assert.Equal(0, await server.ExitCode.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task A_100_MB_frame_is_refused_without_killing_the_server()
    {
        await using var server = InProcessServer.Start();
        await server.Client.InitializeAsync();

        const int size = 100 * 1024 * 1024;
        await server.Client.SendRawAsync(Encoding.ASCII.GetBytes($"Content-Length: {size}\r\n\r\n"));
        var chunk = new byte[1024 * 1024];
        Array.Fill(chunk, (byte)' ');
        for (var sent = 0; sent < size; sent += chunk.Length)
        {
            await server.Client.SendRawAsync(chunk);
        }

        var refusal = await server.Client.WaitForAsync(m => m["error"] is not null);
        var after = await server.Client.RequestAsync("shutdown");

        Assert.Equal(ErrorCodes.InvalidRequest, ErrorCode(refusal));
        Assert.Contains("104857600 bytes exceeds the limit of 67108864 bytes", refusal["error"]!["message"]!.GetValue<string>());
        Assert.True(after.ContainsKey("result"));
    }

    [Fact]
    public async Task The_message_size_limit_is_configurable()
    {
        await using var server = InProcessServer.Start([new("LeanAssist:Server:MaxMessageBytes", "2048")]);
        await server.Client.InitializeAsync();

        await server.Client.SendAsync(new JsonObject
        {
            ["jsonrpc"] = "2.0",
            ["method"] = "textDocument/didOpen",
            ["params"] = new JsonObject { ["padding"] = new string('p', 5000) },
        });
        var refusal = await server.Client.WaitForAsync(m => m["error"] is not null);

        Assert.Contains("limit of 2048 bytes", refusal["error"]!["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task An_invalid_size_limit_stops_the_server_at_start_with_code_2()
    {
        await using var server = InProcessServer.Start([new("LeanAssist:Server:MaxMessageBytes", "5")]);

        Assert.Equal(2, await server.ExitCode.WaitAsync(TimeSpan.FromSeconds(10)));
    }
}
