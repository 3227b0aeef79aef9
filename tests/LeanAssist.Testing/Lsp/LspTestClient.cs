using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace LeanAssist.Testing.Lsp;

/// <summary>
/// A minimal LSP client for tests. Its framing is written independently of the server's, so the
/// server's framing is checked against a second implementation. It records every message it
/// receives; tests wait for a specific message with a timeout (never a fixed sleep).
/// </summary>
public sealed class LspTestClient : IAsyncDisposable
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(20);

    private readonly Stream _fromServer;
    private readonly Stream _toServer;
    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private readonly ConcurrentDictionary<string, TaskCompletionSource<JsonObject>> _pending = new();
    private readonly List<JsonObject> _received = [];
    private readonly Lock _receivedGate = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _readLoop;
    private readonly TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private event Action? MessageArrived;
    private long _nextId;

    public LspTestClient(Stream fromServer, Stream toServer)
    {
        _fromServer = fromServer;
        _toServer = toServer;
        _readLoop = Task.Run(ReadLoopAsync);
    }

    /// <summary>Answers server-to-client requests (<c>workspace/configuration</c>, progress creation...). Default: null result.</summary>
    public Func<JsonObject, JsonNode?> ServerRequestHandler { get; set; } = _ => null;

    /// <summary>When false, requests from the server are recorded but left unanswered.</summary>
    public bool AnswerServerRequests { get; set; } = true;

    /// <summary>Completes when the server closes its output.</summary>
    public Task Closed => _closed.Task;

    /// <summary>Every message received so far, in order.</summary>
    public IReadOnlyList<JsonObject> Received
    {
        get
        {
            lock (_receivedGate)
            {
                return _received.ToArray();
            }
        }
    }

    public IEnumerable<JsonObject> Notifications(string method) =>
        Received.Where(m => m["method"]?.GetValue<string>() == method && m["id"] is null);

    /// <summary>Sends a request and returns the whole response message (with "result" or "error").</summary>
    public async Task<JsonObject> RequestAsync(string method, JsonNode? parameters = null, TimeSpan? timeout = null, string? id = null)
    {
        var requestId = id ?? $"t{Interlocked.Increment(ref _nextId)}";
        var completion = StartRequest(method, parameters, requestId);
        await completion.SendTask.ConfigureAwait(false);
        return await completion.Response.WaitAsync(timeout ?? DefaultTimeout).ConfigureAwait(false);
    }

    /// <summary>Sends a request without waiting: returns its id and the response task.</summary>
    public PendingRequest StartRequest(string method, JsonNode? parameters = null, string? id = null)
    {
        var requestId = id ?? $"t{Interlocked.Increment(ref _nextId)}";
        var completion = new TaskCompletionSource<JsonObject>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[requestId] = completion;
        var message = new JsonObject { ["jsonrpc"] = "2.0", ["id"] = requestId, ["method"] = method };
        if (parameters is not null)
        {
            message["params"] = parameters;
        }

        return new PendingRequest(requestId, completion.Task, SendAsync(message));
    }

    public Task CancelAsync(string id) =>
        NotifyAsync("$/cancelRequest", new JsonObject { ["id"] = id });

    /// <summary>The result of a response, failing the test with the server's error if there is one.</summary>
    public async Task<JsonNode?> RequestResultAsync(string method, JsonNode? parameters = null, TimeSpan? timeout = null)
    {
        var response = await RequestAsync(method, parameters, timeout).ConfigureAwait(false);
        if (response["error"] is { } error)
        {
            throw new InvalidOperationException($"'{method}' failed: {error.ToJsonString()}");
        }

        return response["result"];
    }

    public Task NotifyAsync(string method, JsonNode? parameters = null)
    {
        var message = new JsonObject { ["jsonrpc"] = "2.0", ["method"] = method };
        if (parameters is not null)
        {
            message["params"] = parameters;
        }

        return SendAsync(message);
    }

    public Task SendAsync(JsonObject message) => SendRawAsync(Frame(Encoding.UTF8.GetBytes(message.ToJsonString())));

    public static byte[] Frame(byte[] body) =>
        [.. Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"Content-Length: {body.Length}\r\n\r\n")), .. body];

    public async Task SendRawAsync(ReadOnlyMemory<byte> bytes)
    {
        await _writeGate.WaitAsync().ConfigureAwait(false);
        try
        {
            await _toServer.WriteAsync(bytes).ConfigureAwait(false);
            await _toServer.FlushAsync().ConfigureAwait(false);
        }
        finally
        {
            _writeGate.Release();
        }
    }

    /// <summary>Waits for a message (in the history or still to come) that satisfies <paramref name="predicate"/>.</summary>
    public async Task<JsonObject> WaitForAsync(Func<JsonObject, bool> predicate, TimeSpan? timeout = null, string? description = null)
    {
        var found = new TaskCompletionSource<JsonObject>(TaskCreationOptions.RunContinuationsAsynchronously);
        void Check()
        {
            var match = Received.FirstOrDefault(predicate);
            if (match is not null)
            {
                found.TrySetResult(match);
            }
        }

        MessageArrived += Check;
        try
        {
            Check();
            return await found.Task.WaitAsync(timeout ?? DefaultTimeout).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"No message matching {description ?? "the predicate"} within {(timeout ?? DefaultTimeout).TotalSeconds} s. Received: {string.Join(" | ", Received.TakeLast(10).Select(m => m.ToJsonString()))}");
        }
        finally
        {
            MessageArrived -= Check;
        }
    }

    public Task<JsonObject> WaitForNotificationAsync(string method, Func<JsonObject, bool>? predicate = null, TimeSpan? timeout = null) =>
        WaitForAsync(m => m["method"]?.GetValue<string>() == method && m["id"] is null && (predicate?.Invoke(m) ?? true), timeout, $"notification '{method}'");

    /// <summary>The standard start: <c>initialize</c> with the given capabilities, then <c>initialized</c>.</summary>
    public async Task<JsonObject> InitializeAsync(JsonObject? capabilities = null, JsonObject? initializationOptions = null, int? processId = null)
    {
        var parameters = new JsonObject
        {
            ["processId"] = processId,
            ["clientInfo"] = new JsonObject { ["name"] = "LspTestClient", ["version"] = "1" },
            ["rootUri"] = null,
            ["capabilities"] = capabilities ?? new JsonObject(),
        };
        if (initializationOptions is not null)
        {
            parameters["initializationOptions"] = initializationOptions;
        }

        var result = (JsonObject)(await RequestResultAsync("initialize", parameters).ConfigureAwait(false))!;
        await NotifyAsync("initialized", new JsonObject()).ConfigureAwait(false);
        return result;
    }

    public async Task ShutdownAndExitAsync()
    {
        await RequestResultAsync("shutdown").ConfigureAwait(false);
        await NotifyAsync("exit").ConfigureAwait(false);
    }

    private async Task ReadLoopAsync()
    {
        var buffer = new MemoryStream();
        var chunk = new byte[64 * 1024];
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var read = await _fromServer.ReadAsync(chunk, _stop.Token).ConfigureAwait(false);
                if (read == 0)
                {
                    break;
                }

                buffer.Write(chunk, 0, read);
                while (TryTakeFrame(buffer, out var body))
                {
                    Dispatch((JsonObject)JsonNode.Parse(body)!);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (IOException)
        {
        }
        finally
        {
            _closed.TrySetResult();
            foreach (var pending in _pending.Values)
            {
                pending.TrySetException(new IOException("The server closed the connection."));
            }
        }
    }

    private static bool TryTakeFrame(MemoryStream buffer, out byte[] body)
    {
        body = [];
        var data = buffer.GetBuffer().AsSpan(0, (int)buffer.Length);
        var headerEnd = data.IndexOf("\r\n\r\n"u8);
        if (headerEnd < 0)
        {
            return false;
        }

        var headers = Encoding.ASCII.GetString(data[..headerEnd]).Split("\r\n");
        var lengthHeader = headers.Single(h => h.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase));
        var length = int.Parse(lengthHeader["Content-Length:".Length..].Trim(), CultureInfo.InvariantCulture);
        var start = headerEnd + 4;
        if (data.Length - start < length)
        {
            return false;
        }

        body = data.Slice(start, length).ToArray();
        var rest = data[(start + length)..].ToArray();
        buffer.SetLength(0);
        buffer.Write(rest);
        return true;
    }

    private void Dispatch(JsonObject message)
    {
        lock (_receivedGate)
        {
            _received.Add(message);
        }

        var hasMethod = message["method"] is not null;
        var id = message["id"];
        if (!hasMethod && id is not null && id.GetValueKind() == JsonValueKind.String
            && _pending.TryRemove(id.GetValue<string>(), out var completion))
        {
            completion.TrySetResult(message);
        }
        else if (hasMethod && id is not null && AnswerServerRequests)
        {
            // A request from the server: answer it so the server is not left waiting.
            JsonNode? result;
            try
            {
                result = ServerRequestHandler(message);
            }
            catch (Exception e)
            {
                _ = SendAsync(new JsonObject
                {
                    ["jsonrpc"] = "2.0",
                    ["id"] = id.DeepClone(),
                    ["error"] = new JsonObject { ["code"] = -32603, ["message"] = e.Message },
                });
                MessageArrived?.Invoke();
                return;
            }

            _ = SendAsync(new JsonObject { ["jsonrpc"] = "2.0", ["id"] = id.DeepClone(), ["result"] = result });
        }

        MessageArrived?.Invoke();
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        try
        {
            await _readLoop.WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
        }

        _stop.Dispose();
    }

    public sealed record PendingRequest(string Id, Task<JsonObject> Response, Task SendTask);
}
