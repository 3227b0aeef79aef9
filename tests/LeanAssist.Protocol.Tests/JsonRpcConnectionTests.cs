using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using LeanAssist.Protocol.JsonRpc;
using LeanAssist.Testing.Lsp;

namespace LeanAssist.Protocol.Tests;

public sealed class JsonRpcConnectionTests
{
    private static readonly TestJsonContext Json = TestJsonContext.Default;

    private static JsonObject EchoArgs(string text = "hi", int count = 2) => new() { ["text"] = text, ["count"] = count };

    private static int ErrorCode(JsonObject response) => response["error"]!["code"]!.GetValue<int>();

    private static ConnectionHarness WithEcho(HandlerMode mode = HandlerMode.Concurrent)
    {
        var harness = new ConnectionHarness();
        harness.Connection.AddRequestHandler("test/echo", Json.EchoParams, Json.EchoResult,
            (p, _) => ValueTask.FromResult(new EchoResult(string.Concat(Enumerable.Repeat(p.Text, p.Count)))), mode);
        return harness;
    }

    [Fact]
    public async Task Request_gets_its_result_with_the_same_id()
    {
        await using var harness = WithEcho().Start();

        var response = await harness.Client.RequestAsync("test/echo", EchoArgs("⊢", 3), id: "req-1");

        Assert.Equal("req-1", response["id"]!.GetValue<string>());
        Assert.Equal("⊢⊢⊢", response["result"]!["echo"]!.GetValue<string>());
        Assert.Equal("2.0", response["jsonrpc"]!.GetValue<string>());
    }

    [Fact]
    public async Task Integer_ids_are_answered_as_integers()
    {
        await using var harness = WithEcho().Start();

        await harness.Client.SendAsync(new JsonObject { ["jsonrpc"] = "2.0", ["id"] = 41, ["method"] = "test/echo", ["params"] = EchoArgs() });
        var response = await harness.Client.WaitForAsync(m => m["id"] is JsonValue v && v.TryGetValue<int>(out var n) && n == 41);

        Assert.Equal("hihi", response["result"]!["echo"]!.GetValue<string>());
    }

    [Fact]
    public async Task Unknown_method_is_MethodNotFound()
    {
        await using var harness = WithEcho().Start();

        var response = await harness.Client.RequestAsync("test/missing");

        Assert.Equal(ErrorCodes.MethodNotFound, ErrorCode(response));
    }

    [Theory]
    [InlineData("""{"text": 5, "count": 1}""")]
    [InlineData("""{"text": "a"}""")]
    [InlineData("""{"text": null, "count": 1}""")]
    [InlineData("""[1, 2]""")]
    public async Task Wrong_parameter_types_are_InvalidParams(string parameters)
    {
        await using var harness = WithEcho().Start();

        var response = await harness.Client.RequestAsync("test/echo", JsonNode.Parse(parameters));

        Assert.Equal(ErrorCodes.InvalidParams, ErrorCode(response));
        Assert.Contains("test/echo", response["error"]!["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task Missing_params_are_InvalidParams()
    {
        await using var harness = WithEcho().Start();

        var response = await harness.Client.RequestAsync("test/echo");

        Assert.Equal(ErrorCodes.InvalidParams, ErrorCode(response));
    }

    [Fact]
    public async Task A_throwing_handler_becomes_InternalError_and_the_connection_keeps_serving()
    {
        var harness = WithEcho();
        var faults = new ConcurrentQueue<string>();
        harness.Connection.HandlerFaulted += (method, _) => faults.Enqueue(method);
        harness.Connection.AddRequestHandler("test/boom", Json.Int32, _ => throw new InvalidOperationException("kaboom"));
        await using var _ = harness.Start();

        var failed = await harness.Client.RequestAsync("test/boom");
        var next = await harness.Client.RequestAsync("test/echo", EchoArgs());

        Assert.Equal(ErrorCodes.InternalError, ErrorCode(failed));
        Assert.Contains("kaboom", failed["error"]!["message"]!.GetValue<string>());
        Assert.Equal("hihi", next["result"]!["echo"]!.GetValue<string>());
        Assert.Equal(["test/boom"], faults);
    }

    [Fact]
    public async Task A_JsonRpcException_sets_the_error_code_for_example_ContentModified()
    {
        var harness = new ConnectionHarness();
        harness.Connection.AddRequestHandler<int>("test/stale", Json.Int32, _ => throw new JsonRpcException(ErrorCodes.ContentModified, "document changed"));
        await using var _ = harness.Start();

        var response = await harness.Client.RequestAsync("test/stale");

        Assert.Equal(ErrorCodes.ContentModified, ErrorCode(response));
    }

    [Fact]
    public async Task CancelRequest_cancels_the_handler_token_and_the_request_still_gets_RequestCancelled()
    {
        var harness = new ConnectionHarness();
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        harness.Connection.AddRequestHandler("test/slow", Json.Int32, async cancellationToken =>
        {
            started.SetResult();
            await Task.Delay(Timeout.Infinite, cancellationToken);
            return 1;
        });
        await using var _ = harness.Start();

        var pending = harness.Client.StartRequest("test/slow", id: "slow-1");
        await started.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await harness.Client.CancelAsync("slow-1");
        var response = await pending.Response.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(ErrorCodes.RequestCancelled, ErrorCode(response));
        Assert.Equal(0, harness.Connection.InFlightRequestCount);
    }

    [Fact]
    public async Task Cancelling_an_unknown_or_finished_request_is_harmless()
    {
        await using var harness = WithEcho().Start();

        await harness.Client.CancelAsync("never-sent");
        await harness.Client.NotifyAsync("$/cancelRequest", new JsonObject { ["wrong"] = true });
        var response = await harness.Client.RequestAsync("test/echo", EchoArgs());

        Assert.NotNull(response["result"]);
    }

    [Fact]
    public async Task Concurrent_requests_run_at_the_same_time()
    {
        var harness = new ConnectionHarness();
        var firstRunning = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var secondDone = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        harness.Connection.AddRequestHandler("test/first", Json.Int32, async ct =>
        {
            firstRunning.SetResult();
            // Finishes only after the second request finished: impossible if requests were serialized.
            await secondDone.Task.WaitAsync(ct);
            return 1;
        });
        harness.Connection.AddRequestHandler("test/second", Json.Int32, _ =>
        {
            secondDone.SetResult();
            return ValueTask.FromResult(2);
        });
        await using var _ = harness.Start();

        var first = harness.Client.StartRequest("test/first");
        await firstRunning.Task.WaitAsync(TimeSpan.FromSeconds(10));
        var second = await harness.Client.RequestAsync("test/second");
        var firstResponse = await first.Response.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(2, second["result"]!.GetValue<int>());
        Assert.Equal(1, firstResponse["result"]!.GetValue<int>());
    }

    [Fact]
    public async Task Serial_notifications_are_applied_in_order_before_later_requests()
    {
        var harness = new ConnectionHarness();
        var applied = new List<int>();
        harness.Connection.AddNotificationHandler("test/apply", Json.EchoParams, async (p, _) =>
        {
            // Yielding inside must not let the next message overtake this one.
            await Task.Yield();
            applied.Add(p.Count);
        }, HandlerMode.Serial);
        harness.Connection.AddRequestHandler("test/count", Json.Int32, _ => ValueTask.FromResult(applied.Count));
        await using var _ = harness.Start();

        for (var i = 0; i < 500; i++)
        {
            await harness.Client.NotifyAsync("test/apply", EchoArgs("n", i));
        }

        var count = await harness.Client.RequestAsync("test/count");

        Assert.Equal(500, count["result"]!.GetValue<int>());
        Assert.Equal(Enumerable.Range(0, 500), applied);
    }

    [Fact]
    public async Task Notification_errors_are_never_answered()
    {
        var harness = WithEcho();
        harness.Connection.AddNotificationHandler("test/note", Json.EchoParams, (_, _) => throw new InvalidOperationException("bad"));
        await using var _ = harness.Start();

        await harness.Client.NotifyAsync("test/note", EchoArgs());
        await harness.Client.NotifyAsync("test/note", new JsonObject { ["text"] = 1 });
        await harness.Client.NotifyAsync("unknown/notification");
        var marker = await harness.Client.RequestAsync("test/echo", EchoArgs(), id: "marker");

        Assert.Equal("marker", marker["id"]!.GetValue<string>());
        Assert.Single(harness.Client.Received);
    }

    [Fact]
    public async Task A_second_request_with_an_id_in_flight_is_rejected()
    {
        var harness = new ConnectionHarness();
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        harness.Connection.AddRequestHandler("test/hold", Json.Int32, async ct =>
        {
            await release.Task.WaitAsync(ct);
            return 1;
        });
        await using var _ = harness.Start();

        JsonObject Hold() => new() { ["jsonrpc"] = "2.0", ["id"] = "same", ["method"] = "test/hold" };
        await harness.Client.SendAsync(Hold());
        await harness.Client.SendAsync(Hold());
        var rejection = await harness.Client.WaitForAsync(m => m["error"] is not null);
        release.SetResult();
        var answer = await harness.Client.WaitForAsync(m => m["result"] is not null);

        Assert.Equal(ErrorCodes.InvalidRequest, ErrorCode(rejection));
        Assert.Equal("same", rejection["id"]!.GetValue<string>());
        Assert.Equal(1, answer["result"]!.GetValue<int>());
    }

    [Fact]
    public async Task Outgoing_requests_get_the_client_answer()
    {
        await using var harness = new ConnectionHarness().Start();
        harness.Client.ServerRequestHandler = request => new JsonObject { ["echo"] = request["params"]!["text"]!.GetValue<string>() + "!" };

        var result = await harness.Connection.SendRequestAsync("client/echo", new EchoParams("ping", 1), Json.EchoParams, Json.EchoResult, CancellationToken.None)
            .WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal("ping!", result.Echo);
    }

    [Fact]
    public async Task Outgoing_request_errors_surface_as_RemoteRequestException()
    {
        await using var harness = new ConnectionHarness().Start();
        harness.Client.ServerRequestHandler = _ => throw new InvalidOperationException("client says no");

        var error = await Assert.ThrowsAsync<RemoteRequestException>(() =>
            harness.Connection.SendRequestAsync("client/echo", new EchoParams("x", 1), Json.EchoParams, Json.EchoResult, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10)));

        Assert.Contains("client says no", error.Message);
    }

    [Fact]
    public async Task Cancelling_an_outgoing_request_sends_cancelRequest()
    {
        await using var harness = new ConnectionHarness().Start();
        harness.Client.AnswerServerRequests = false;
        using var cancellation = new CancellationTokenSource();
        var sent = harness.Client.WaitForAsync(m => m["method"]?.GetValue<string>() == "client/never");

        var request = harness.Connection.SendRequestAsync("client/never", new EchoParams("x", 1), Json.EchoParams, Json.EchoResult, cancellation.Token);
        var message = await sent;
        cancellation.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => request.WaitAsync(TimeSpan.FromSeconds(10)));
        var cancel = await harness.Client.WaitForNotificationAsync("$/cancelRequest");
        Assert.Equal(message["id"]!.GetValue<long>(), cancel["params"]!["id"]!.GetValue<long>());
    }

    [Fact]
    public async Task Outgoing_requests_fail_when_the_connection_ends()
    {
        var harness = new ConnectionHarness().Start();
        harness.Client.AnswerServerRequests = false;

        var request = harness.Connection.SendRequestAsync("client/unanswered", new EchoParams("x", 1), Json.EchoParams, Json.EchoResult, CancellationToken.None);
        await harness.CloseClientOutputAsync();

        await Assert.ThrowsAnyAsync<Exception>(() => request.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(ConnectionEnd.EndOfStream, await harness.Run.WaitAsync(TimeSpan.FromSeconds(10)));
        await harness.DisposeAsync();
    }

    [Fact]
    public async Task A_serial_handler_can_await_the_client_and_later_messages_still_wait_for_it()
    {
        var harness = new ConnectionHarness();
        var order = new List<string>();
        JsonRpcConnection connection = harness.Connection;
        connection.AddNotificationHandler("test/serial", async ct =>
        {
            var answer = await connection.SendRequestAsync("client/echo", new EchoParams("x", 1), Json.EchoParams, Json.EchoResult, ct);
            order.Add("serial got " + answer.Echo);
        }, HandlerMode.Serial);
        connection.AddNotificationHandler("test/after", _ =>
        {
            order.Add("after");
            return ValueTask.CompletedTask;
        }, HandlerMode.Serial);
        connection.AddRequestHandler("test/order", Json.EchoResult, _ => ValueTask.FromResult(new EchoResult(string.Join(",", order))));
        await using var _ = harness.Start();
        harness.Client.AnswerServerRequests = false;

        await harness.Client.NotifyAsync("test/serial");
        await harness.Client.NotifyAsync("test/after");
        var request = await harness.Client.WaitForAsync(m => m["method"]?.GetValue<string>() == "client/echo");
        await harness.Client.SendAsync(new JsonObject { ["jsonrpc"] = "2.0", ["id"] = request["id"]!.DeepClone(), ["result"] = new JsonObject { ["echo"] = "pong" } });
        var result = await harness.Client.RequestAsync("test/order");

        Assert.Equal("serial got pong,after", result["result"]!["echo"]!.GetValue<string>());
    }

    [Fact]
    public async Task Malformed_frames_each_get_an_error_and_the_connection_keeps_serving()
    {
        await using var harness = WithEcho().Start();
        byte[][] bad =
        [
            "Content-Length: zz\r\n\r\n"u8.ToArray(),
            LspTestClient.Frame("{not json"u8.ToArray()),
            LspTestClient.Frame("""{"jsonrpc":"2.0","hello":true}"""u8.ToArray()),
            LspTestClient.Frame("""[{"jsonrpc":"2.0","id":1,"method":"test/echo"}]"""u8.ToArray()),
        ];
        foreach (var frame in bad)
        {
            await harness.Client.SendRawAsync(frame);
        }

        var ok = await harness.Client.RequestAsync("test/echo", EchoArgs(), id: "after");
        var errors = harness.Client.Received.Where(m => m["error"] is not null).Select(ErrorCode).ToArray();

        Assert.Equal([ErrorCodes.ParseError, ErrorCodes.ParseError, ErrorCodes.InvalidRequest, ErrorCodes.InvalidRequest], errors);
        Assert.All(harness.Client.Received.Where(m => m["error"] is not null), m => Assert.Null(m["id"]));
        Assert.Equal("hihi", ok["result"]!["echo"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_frame_over_the_limit_is_refused_and_skipped()
    {
        var harness = new ConnectionHarness(maxMessageBytes: 4096);
        harness.Connection.AddRequestHandler("test/echo", Json.EchoParams, Json.EchoResult, (p, _) => ValueTask.FromResult(new EchoResult(p.Text)));
        await using var _ = harness.Start();

        var huge = new JsonObject { ["jsonrpc"] = "2.0", ["id"] = "huge", ["method"] = "test/echo", ["params"] = EchoArgs(new string('x', 100_000), 1) };
        await harness.Client.SendAsync(huge);
        var after = await harness.Client.RequestAsync("test/echo", EchoArgs("small", 1));

        var refusal = harness.Client.Received.First(m => m["error"] is not null);
        Assert.Equal(ErrorCodes.InvalidRequest, ErrorCode(refusal));
        Assert.Contains("exceeds the limit", refusal["error"]!["message"]!.GetValue<string>());
        Assert.Equal("small", after["result"]!["echo"]!.GetValue<string>());
    }

    [Fact]
    public async Task End_of_input_mid_message_ends_the_connection_cleanly()
    {
        var harness = WithEcho().Start();

        await harness.Client.SendRawAsync("Content-Length: 100\r\n\r\n{\"jsonrpc\""u8.ToArray());
        await harness.CloseClientOutputAsync();

        Assert.Equal(ConnectionEnd.Truncated, await harness.Run.WaitAsync(TimeSpan.FromSeconds(10)));
        await harness.DisposeAsync();
    }

    [Fact]
    public async Task Close_cancels_in_flight_handlers_and_ends_the_run()
    {
        var harness = new ConnectionHarness();
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        harness.Connection.AddRequestHandler("test/forever", Json.Int32, async ct =>
        {
            started.SetResult();
            await Task.Delay(Timeout.Infinite, ct);
            return 0;
        });
        harness.Start();
        var pending = harness.Client.StartRequest("test/forever");
        await started.Task.WaitAsync(TimeSpan.FromSeconds(10));

        harness.Connection.Close();

        Assert.Equal(ConnectionEnd.Closed, await harness.Run.WaitAsync(TimeSpan.FromSeconds(10)));
        var response = await pending.Response.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(ErrorCodes.RequestCancelled, ErrorCode(response));
        await harness.DisposeAsync();
    }

    [Fact]
    public async Task Request_completion_is_reported_with_the_error_code()
    {
        var harness = WithEcho();
        var completions = new ConcurrentQueue<RequestCompletion>();
        harness.Connection.RequestCompleted += completions.Enqueue;
        await using var _ = harness.Start();

        await harness.Client.RequestAsync("test/echo", EchoArgs(), id: "a");
        await harness.Client.RequestAsync("test/echo", new JsonObject(), id: "b");

        var a = Assert.Single(completions);
        Assert.Equal("test/echo", a.Method);
        Assert.Null(a.ErrorCode);
    }
}
