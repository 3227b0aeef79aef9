using System.Text.Json.Nodes;
using LeanAssist.Protocol.JsonRpc;
using LeanAssist.Protocol.Lsp;
using Microsoft.Extensions.Logging.Abstractions;

namespace LeanAssist.Protocol.Tests;

public sealed class LanguageServerEndpointTests
{
    private static int ErrorCode(JsonObject response) => response["error"]!["code"]!.GetValue<int>();

    private static (ConnectionHarness Harness, LanguageServerEndpoint Endpoint, Task<int> Exit) Start(Action<LanguageServerEndpoint>? configure = null)
    {
        var harness = new ConnectionHarness();
        var endpoint = new LanguageServerEndpoint(harness.Connection, NullLogger<LanguageServerEndpoint>.Instance);
        endpoint.OnInitialize((_, _) => ValueTask.FromResult(new InitializeResult(new ServerCapabilities(HoverProvider: true), new ServerInfo("test"))));
        endpoint.AddRequestHandler(LspMethods.Hover, LspJsonContext.Default.HoverParams, LspJsonContext.Default.Hover,
            (_, _) => ValueTask.FromResult(new Hover(MarkupContent.Markdown("hello"))));
        configure?.Invoke(endpoint);
        var exit = endpoint.RunAsync();
        return (harness, endpoint, exit);
    }

    private static JsonObject HoverArgs() => new()
    {
        ["textDocument"] = new JsonObject { ["uri"] = "file:///a.lean" },
        ["position"] = new JsonObject { ["line"] = 0, ["character"] = 0 },
    };

    [Fact]
    public async Task Requests_before_initialize_get_ServerNotInitialized()
    {
        var (harness, endpoint, _) = Start();
        await using var _ = harness;

        var response = await harness.Client.RequestAsync(LspMethods.Hover, HoverArgs());

        Assert.Equal(ErrorCodes.ServerNotInitialized, ErrorCode(response));
        Assert.Equal(LifecycleState.Uninitialized, endpoint.State);
    }

    [Fact]
    public async Task Notifications_before_initialize_are_dropped()
    {
        var seen = 0;
        var (harness, _, _) = Start(e => e.AddNotificationHandler(LspMethods.DidClose, LspJsonContext.Default.DidCloseTextDocumentParams, (_, _) =>
        {
            seen++;
            return ValueTask.CompletedTask;
        }));
        await using var _ = harness;

        await harness.Client.NotifyAsync(LspMethods.DidClose, new JsonObject { ["textDocument"] = new JsonObject { ["uri"] = "file:///a.lean" } });
        await harness.Client.InitializeAsync();
        await harness.Client.NotifyAsync(LspMethods.DidClose, new JsonObject { ["textDocument"] = new JsonObject { ["uri"] = "file:///a.lean" } });
        await harness.Client.RequestAsync(LspMethods.Hover, HoverArgs());

        Assert.Equal(1, seen);
    }

    [Fact]
    public async Task Initialize_then_features_work_and_a_second_initialize_is_InvalidRequest()
    {
        var (harness, endpoint, _) = Start();
        await using var _ = harness;

        var result = await harness.Client.InitializeAsync();
        var hover = await harness.Client.RequestResultAsync(LspMethods.Hover, HoverArgs());
        var again = await harness.Client.RequestAsync(LspMethods.Initialize, new JsonObject { ["capabilities"] = new JsonObject() });

        Assert.True(result["capabilities"]!["hoverProvider"]!.GetValue<bool>());
        Assert.Equal("test", result["serverInfo"]!["name"]!.GetValue<string>());
        Assert.Equal("hello", hover!["contents"]!["value"]!.GetValue<string>());
        Assert.Equal(ErrorCodes.InvalidRequest, ErrorCode(again));
        Assert.Equal(LifecycleState.Running, endpoint.State);
        Assert.Equal("LspTestClient", endpoint.InitializeParams!.ClientInfo!.Name);
    }

    [Fact]
    public async Task Initialize_with_wrong_parameter_types_is_InvalidParams_and_can_be_retried()
    {
        var (harness, endpoint, _) = Start();
        await using var _ = harness;

        var bad = await harness.Client.RequestAsync(LspMethods.Initialize, new JsonObject { ["processId"] = "not a number", ["capabilities"] = new JsonObject() });
        await harness.Client.InitializeAsync();

        Assert.Equal(ErrorCodes.InvalidParams, ErrorCode(bad));
        Assert.Equal(LifecycleState.Running, endpoint.State);
    }

    [Fact]
    public async Task After_shutdown_requests_are_InvalidRequest_and_exit_ends_with_code_0()
    {
        var shutdownRan = false;
        var (harness, endpoint, exit) = Start(e => e.OnShutdown(_ =>
        {
            shutdownRan = true;
            return ValueTask.CompletedTask;
        }));
        await using var _ = harness;
        await harness.Client.InitializeAsync();

        var shutdown = await harness.Client.RequestAsync(LspMethods.Shutdown);
        var after = await harness.Client.RequestAsync(LspMethods.Hover, HoverArgs());
        await harness.Client.NotifyAsync(LspMethods.Exit);

        Assert.True(shutdown.ContainsKey("result"));
        Assert.Null(shutdown["result"]);
        Assert.True(shutdownRan);
        Assert.Equal(ErrorCodes.InvalidRequest, ErrorCode(after));
        Assert.Equal(0, await exit.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(LifecycleState.ShutDown, endpoint.State);
    }

    [Fact]
    public async Task Exit_without_shutdown_ends_with_code_1()
    {
        var (harness, _, exit) = Start();
        await using var _ = harness;
        await harness.Client.InitializeAsync();

        await harness.Client.NotifyAsync(LspMethods.Exit);

        Assert.Equal(1, await exit.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task Exit_before_initialize_ends_with_code_1()
    {
        var (harness, _, exit) = Start();
        await using var _ = harness;

        await harness.Client.NotifyAsync(LspMethods.Exit);

        Assert.Equal(1, await exit.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task End_of_input_without_shutdown_ends_with_code_1_and_after_shutdown_with_0()
    {
        var (first, _, firstExit) = Start();
        await first.Client.InitializeAsync();
        await first.CloseClientOutputAsync();
        Assert.Equal(1, await firstExit.WaitAsync(TimeSpan.FromSeconds(10)));
        await first.DisposeAsync();

        var (second, _, secondExit) = Start();
        await second.Client.InitializeAsync();
        await second.Client.RequestAsync(LspMethods.Shutdown);
        await second.CloseClientOutputAsync();
        Assert.Equal(0, await secondExit.WaitAsync(TimeSpan.FromSeconds(10)));
        await second.DisposeAsync();
    }

    [Fact]
    public async Task SetTrace_turns_on_logTrace_for_handled_requests()
    {
        var (harness, endpoint, _) = Start();
        await using var _ = harness;
        await harness.Client.InitializeAsync();

        await harness.Client.RequestAsync(LspMethods.Hover, HoverArgs());
        await harness.Client.NotifyAsync(LspMethods.SetTrace, new JsonObject { ["value"] = "verbose" });
        await harness.Client.RequestAsync(LspMethods.Hover, HoverArgs(), id: "traced");
        var trace = await harness.Client.WaitForNotificationAsync(LspMethods.LogTrace);

        Assert.Equal(TraceLevel.Verbose, endpoint.Trace);
        Assert.Contains("textDocument/hover", trace["params"]!["message"]!.GetValue<string>());
        Assert.Contains("\"traced\"", trace["params"]!["message"]!.GetValue<string>());
        Assert.NotNull(trace["params"]!["verbose"]);
        Assert.Single(harness.Client.Notifications(LspMethods.LogTrace));
    }

    [Fact]
    public async Task A_failing_handler_is_reported_to_the_user_with_logMessage()
    {
        var (harness, _, _) = Start(e => e.AddRequestHandler(LspMethods.CodeAction, LspJsonContext.Default.CodeActionParams, LspJsonContext.Default.CodeActionArray,
            (_, _) => throw new InvalidOperationException("no luck")));
        await using var _ = harness;
        await harness.Client.InitializeAsync();

        var response = await harness.Client.RequestAsync(LspMethods.CodeAction, new JsonObject
        {
            ["textDocument"] = new JsonObject { ["uri"] = "file:///a.lean" },
            ["range"] = new JsonObject { ["start"] = new JsonObject { ["line"] = 0, ["character"] = 0 }, ["end"] = new JsonObject { ["line"] = 0, ["character"] = 0 } },
            ["context"] = new JsonObject { ["diagnostics"] = new JsonArray() },
        });
        var log = await harness.Client.WaitForNotificationAsync(LspMethods.WindowLogMessage);

        Assert.Equal(ErrorCodes.InternalError, ErrorCode(response));
        Assert.Equal((int)MessageType.Error, log["params"]!["type"]!.GetValue<int>());
        Assert.Contains("no luck", log["params"]!["message"]!.GetValue<string>());
    }
}
