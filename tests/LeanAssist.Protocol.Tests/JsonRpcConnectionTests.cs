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

    /// <summary>
    /// Each request is answered at once or after a yield while its <c>$/cancelRequest</c> is in the
    /// pipe right behind it, so cancellation races the handler finishing and its bookkeeping being
    /// released. Cancelling a request whose resources were just released must be harmless. (Before the
    /// fix, the read loop died with ObjectDisposedException in about half the runs of 10,000 pairs.)
    /// With the cancel first, nothing is in flight to cancel: every request must get its result.
    /// </summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Thousands_of_request_and_cancel_pairs_each_get_exactly_one_answer_and_the_connection_keeps_serving(bool cancelAfterRequest)
    {
        const int Pairs = 20_000;
        var harness = new ConnectionHarness();
        harness.Connection.AddRequestHandler("test/ping", Json.Int32, _ => ValueTask.FromResult(1));
        harness.Connection.AddRequestHandler("test/yield", Json.Int32, async ct =>
        {
            await Task.Yield();
            ct.ThrowIfCancellationRequested();
            return 2;
        });

        // Ends only by cancellation: proves the cancels still reach their requests under this load.
        harness.Connection.AddRequestHandler("test/wait", Json.Int32, async ct =>
        {
            await Task.Delay(Timeout.Infinite, ct);
            return 3;
        });
        var faults = new ConcurrentQueue<Exception>();
        harness.Connection.HandlerFaulted += (_, e) => faults.Enqueue(e);
        await using var _ = harness.Start();

        async Task<JsonObject[]> SendAllAndCollectAsync()
        {
            var requests = new List<LspTestClient.PendingRequest>(Pairs);
            for (var i = 0; i < Pairs; i++)
            {
                var id = $"p{i}";
                var method = (i % 3) switch
                {
                    0 => "test/ping",
                    1 => "test/yield",
                    _ => cancelAfterRequest ? "test/wait" : "test/ping",
                };
                if (cancelAfterRequest)
                {
                    requests.Add(harness.Client.StartRequest(method, id: id));
                    await harness.Client.CancelAsync(id);
                }
                else
                {
                    await harness.Client.CancelAsync(id);
                    requests.Add(harness.Client.StartRequest(method, id: id));
                }
            }

            return await Task.WhenAll(requests.Select(r => r.Response));
        }

        // If the read loop dies, the pipe fills and sending blocks: watch the run too, so a crash fails
        // the test at once with its exception instead of waiting for the timeout.
        var work = SendAllAndCollectAsync();
        var first = await Task.WhenAny(work, harness.Run).WaitAsync(TimeSpan.FromSeconds(120));
        Assert.True(first == work, $"The connection ended while serving: {harness.Run.Status} {harness.Run.Exception}");
        var responses = await work;
        Assert.Empty(faults);
        for (var i = 0; i < Pairs; i++)
        {
            var response = responses[i];
            Assert.Equal($"p{i}", response["id"]!.GetValue<string>());
            if (cancelAfterRequest && i % 3 == 2)
            {
                Assert.Equal(ErrorCodes.RequestCancelled, ErrorCode(response));
            }
            else if (response["error"] is not null)
            {
                Assert.Equal(ErrorCodes.RequestCancelled, ErrorCode(response));
            }
            else
            {
                Assert.Contains(response["result"]!.GetValue<int>(), new[] { 1, 2 });
            }
        }

        if (!cancelAfterRequest)
        {
            // A cancel for an id not yet in flight is ignored, so nothing here may be cancelled.
            Assert.All(responses, r => Assert.Null(r["error"]));
        }

        // Still serving, and no request was answered twice.
        var after = await harness.Client.RequestAsync("test/ping", id: "after");
        Assert.Equal(1, after["result"]!.GetValue<int>());
        var answersPerId = harness.Client.Received.Where(m => m["method"] is null).GroupBy(m => m["id"]!.GetValue<string>()).ToArray();
        Assert.Equal(Pairs + 1, answersPerId.Length);
        Assert.All(answersPerId, g => Assert.Single(g));
    }

    [Fact]
    public async Task A_failure_while_dispatching_is_answered_with_InternalError_for_a_request_and_the_loop_goes_on()
    {
        var harness = WithEcho();
        var faults = new ConcurrentQueue<string>();
        harness.Connection.HandlerFaulted += (method, _) => faults.Enqueue(method);
        harness.Connection.AddNotificationHandler("test/note", _ => ValueTask.CompletedTask);

        // The admission check runs on the read loop before any handler: a bug there used to end the loop.
        harness.Connection.Admission = (method, _) => method.StartsWith("test/broken", StringComparison.Ordinal)
            ? throw new InvalidOperationException("admission bug")
            : MessageAdmission.Admit;
        await using var _ = harness.Start();

        var failed = await harness.Client.RequestAsync("test/broken-request", id: "broken");
        await harness.Client.NotifyAsync("test/broken-notification");
        var next = await harness.Client.RequestAsync("test/echo", EchoArgs(), id: "next");

        Assert.Equal(ErrorCodes.InternalError, ErrorCode(failed));
        Assert.Contains("admission bug", failed["error"]!["message"]!.GetValue<string>());
        Assert.Equal("hihi", next["result"]!["echo"]!.GetValue<string>());
        Assert.False(harness.Run.IsCompleted);
        Assert.Equal(["test/broken-request"], faults);

        // Exactly the two answers: the notification got none.
        Assert.Equal(["broken", "next"], harness.Client.Received.Select(m => m["id"]!.GetValue<string>()));
    }

    [Fact]
    public async Task An_id_can_be_reused_as_soon_as_its_answer_arrived()
    {
        var harness = WithEcho();

        // RequestCompleted is raised after the answer was written: by then the id must have left the
        // in-flight table, or a client that reuses ids at once is sometimes told the id is still in use.
        var inFlightWhenAnswered = new ConcurrentQueue<int>();
        using var reported = new SemaphoreSlim(0);
        harness.Connection.RequestCompleted += _ =>
        {
            inFlightWhenAnswered.Enqueue(harness.Connection.InFlightRequestCount);
            reported.Release();
        };
        await using var _ = harness.Start();

        for (var i = 0; i < 200; i++)
        {
            var response = await harness.Client.RequestAsync("test/echo", EchoArgs("r", 1), id: "reused");
            Assert.True(response["result"] is not null, response.ToJsonString());

            // The next request goes out only after this one was reported, so only this one can be counted.
            Assert.True(await reported.WaitAsync(TimeSpan.FromSeconds(10)), "the completion was not reported");
        }

        Assert.Equal(Enumerable.Repeat(0, 200), inFlightWhenAnswered);
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
    public async Task An_outgoing_request_with_a_cancelled_token_is_never_sent()
    {
        await using var harness = new ConnectionHarness().Start();
        using var cancellation = new CancellationTokenSource();
        cancellation.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            harness.Connection.SendRequestAsync("client/echo", new EchoParams("x", 1), Json.EchoParams, Json.EchoResult, cancellation.Token).WaitAsync(TimeSpan.FromSeconds(10)));
        await harness.Client.RequestAsync("unknown/marker", id: "marker");

        // Neither the request nor a $/cancelRequest for it (which would reach the client first) went out.
        Assert.Equal(["marker"], harness.Client.Received.Select(m => m["id"]?.ToString()));
    }

    [Fact]
    public async Task Outgoing_requests_racing_the_end_of_the_connection_all_fail_and_none_hangs()
    {
        var harness = new ConnectionHarness().Start();
        harness.Client.AnswerServerRequests = false;
        var connection = harness.Connection;

        var requests = Enumerable.Range(0, 2000).Select(i => Task.Run(() =>
            connection.SendRequestAsync("client/unanswered", new EchoParams("x", i), Json.EchoParams, Json.EchoResult, CancellationToken.None))).ToArray();
        connection.Close();

        // Each one fails, whether it was sent before the end, found by the shutdown sweep, or added after it.
        foreach (var request in requests)
        {
            await Assert.ThrowsAsync<ConnectionClosedException>(() => request.WaitAsync(TimeSpan.FromSeconds(20)));
        }

        Assert.Equal(ConnectionEnd.Closed, await harness.Run.WaitAsync(TimeSpan.FromSeconds(10)));
        await harness.DisposeAsync();
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
