using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.IO.Pipelines;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.Logging;

namespace LeanAssist.Protocol.JsonRpc;

/// <summary>How a handler is scheduled relative to the messages that follow it.</summary>
public enum HandlerMode
{
    /// <summary>
    /// Runs on the read loop and finishes before the next request or notification is handled, so
    /// these handlers see messages in arrival order (document sync, lifecycle). While one runs, the
    /// loop still reads responses, so it may await an answer from the other side; it should be quick.
    /// </summary>
    Serial,

    /// <summary>Runs on the thread pool with its own cancellation token; many may run at once.</summary>
    Concurrent,
}

public enum ConnectionEnd
{
    /// <summary><see cref="JsonRpcConnection.Close"/> was called (for example on <c>exit</c>).</summary>
    Closed,

    /// <summary>The other side closed its stream between messages.</summary>
    EndOfStream,

    /// <summary>The other side closed its stream in the middle of a message.</summary>
    Truncated,
}

/// <summary>What the connection does with an incoming request or notification before dispatch.</summary>
public readonly record struct MessageAdmission(bool Admitted, int ErrorCode = 0, string? Reason = null)
{
    public static MessageAdmission Admit { get; } = new(true);

    public static MessageAdmission Reject(int code, string reason) => new(false, code, reason);
}

public sealed record RequestCompletion(string Method, MessageId Id, TimeSpan Elapsed, int? ErrorCode);

public sealed class JsonRpcConnectionOptions
{
    public const long DefaultMaxMessageBytes = 64L * 1024 * 1024;

    public long MaxMessageBytes { get; set; } = DefaultMaxMessageBytes;
}

/// <summary>Thrown to callers of outgoing requests when the connection ends before the answer.</summary>
public sealed class ConnectionClosedException(string message) : Exception(message);

/// <summary>
/// A JSON-RPC 2.0 peer over the LSP base protocol: reads frames, dispatches requests and
/// notifications to registered handlers, answers every request exactly once, sends requests and
/// notifications of its own, and implements <c>$/cancelRequest</c> in both directions.
/// </summary>
public sealed class JsonRpcConnection
{
    private const string CancelRequestMethod = "$/cancelRequest";

    private readonly FrameReader _frames;
    private readonly FrameWriter _writer;
    private readonly ILogger _logger;
    private readonly Dictionary<string, Registration> _handlers = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<MessageId, InFlightRequest> _inFlight = new();
    private readonly ConcurrentDictionary<long, PendingRequest> _pending = new();
    private readonly ConcurrentDictionary<Task, byte> _running = new();
    private readonly CancellationTokenSource _closing = new();
    private readonly Queue<Task<Frame>> _held = new();
    private Task<Frame>? _readAhead;
    private long _nextRequestId;
    private int _outputBroken;
    private int _started;

    public JsonRpcConnection(PipeReader input, PipeWriter output, JsonRpcConnectionOptions options, ILogger<JsonRpcConnection> logger)
    {
        _frames = new FrameReader(input, options.MaxMessageBytes);
        _writer = new FrameWriter(output);
        _logger = logger;
    }

    /// <summary>Decides, before dispatch, whether a message is handled (the LSP lifecycle rules live here).</summary>
    public Func<string, bool, MessageAdmission>? Admission { get; set; }

    /// <summary>Raised after each request was answered.</summary>
    public event Action<RequestCompletion>? RequestCompleted;

    /// <summary>Raised when a handler throws something other than cancellation or <see cref="JsonRpcException"/>.</summary>
    public event Action<string, Exception>? HandlerFaulted;

    /// <summary>Cancelled when the connection ends; handlers and background work can link to it.</summary>
    public CancellationToken Closing => _closing.Token;

    /// <summary>Number of requests currently being handled concurrently.</summary>
    public int InFlightRequestCount => _inFlight.Count;

    public void AddRequestHandler<TParams, TResult>(
        string method,
        JsonTypeInfo<TParams> paramsType,
        JsonTypeInfo<TResult> resultType,
        Func<TParams, CancellationToken, ValueTask<TResult>> handler,
        HandlerMode mode = HandlerMode.Concurrent)
    {
        Register(new Registration(method, mode, IsRequest: true, parameters =>
        {
            var value = DeserializeParams(method, parameters, paramsType);
            return async cancellationToken =>
            {
                var result = await handler(value, cancellationToken).ConfigureAwait(false);
                return writer => JsonSerializer.Serialize(writer, result, resultType);
            };
        }));
    }

    public void AddRequestHandler<TResult>(
        string method,
        JsonTypeInfo<TResult> resultType,
        Func<CancellationToken, ValueTask<TResult>> handler,
        HandlerMode mode = HandlerMode.Concurrent)
    {
        Register(new Registration(method, mode, IsRequest: true, _ => async cancellationToken =>
        {
            var result = await handler(cancellationToken).ConfigureAwait(false);
            return writer => JsonSerializer.Serialize(writer, result, resultType);
        }));
    }

    public void AddNotificationHandler<TParams>(
        string method,
        JsonTypeInfo<TParams> paramsType,
        Func<TParams, CancellationToken, ValueTask> handler,
        HandlerMode mode = HandlerMode.Serial)
    {
        Register(new Registration(method, mode, IsRequest: false, parameters =>
        {
            var value = DeserializeParams(method, parameters, paramsType);
            return async cancellationToken =>
            {
                await handler(value, cancellationToken).ConfigureAwait(false);
                return static _ => { };
            };
        }));
    }

    public void AddNotificationHandler(string method, Func<CancellationToken, ValueTask> handler, HandlerMode mode = HandlerMode.Serial)
    {
        Register(new Registration(method, mode, IsRequest: false, _ => async cancellationToken =>
        {
            await handler(cancellationToken).ConfigureAwait(false);
            return static _ => { };
        }));
    }

    /// <summary>Stops reading after the current message; in-flight handlers are cancelled.</summary>
    public void Close() => _closing.Cancel();

    /// <summary>Reads and dispatches messages until the stream ends or <see cref="Close"/> is called.</summary>
    public async Task<ConnectionEnd> RunAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _started, 1) != 0)
        {
            throw new InvalidOperationException("The connection is already running.");
        }

        using var link = cancellationToken.Register(Close);
        var end = ConnectionEnd.Closed;
        try
        {
            while (!_closing.IsCancellationRequested)
            {
                Frame frame;
                try
                {
                    // Stdin reads ignore cancellation on some platforms: stop waiting on Close regardless.
                    frame = await NextFrameAsync().AsTask().WaitAsync(_closing.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (_closing.IsCancellationRequested)
                {
                    break;
                }
                catch (IOException e)
                {
                    _logger.LogWarning(e, "Input stream failed; ending the connection.");
                    end = ConnectionEnd.EndOfStream;
                    break;
                }

                switch (frame.Kind)
                {
                    case FrameKind.Message:
                        try
                        {
                            await HandleBodyAsync(frame.Body).ConfigureAwait(false);
                        }
                        catch (OperationCanceledException) when (_closing.IsCancellationRequested)
                        {
                            break;
                        }
                        catch (Exception e)
                        {
                            // One bad message must never end the connection (and with it the server).
                            // Requests were already answered where they failed (see DispatchRequestAsync).
                            _logger.LogError(e, "Handling a message failed; the connection goes on.");
                        }

                        break;
                    case FrameKind.MalformedHeader:
                    case FrameKind.UnsupportedEncoding:
                        _logger.LogWarning("Rejected a frame: {Reason}", frame.Error);
                        await SendErrorAsync(null, ErrorCodes.ParseError, $"Parse error: {frame.Error}").ConfigureAwait(false);
                        break;
                    case FrameKind.TooLarge:
                        _logger.LogWarning("Rejected a frame: {Reason}", frame.Error);
                        await SendErrorAsync(null, ErrorCodes.InvalidRequest, $"Invalid request: {frame.Error}").ConfigureAwait(false);
                        break;
                    case FrameKind.EndOfStream:
                        _logger.LogInformation("The other side closed the input stream.");
                        return end = ConnectionEnd.EndOfStream;
                    case FrameKind.TruncatedAtEndOfStream:
                        _logger.LogWarning("The input stream ended mid-message: {Reason}", frame.Error);
                        return end = ConnectionEnd.Truncated;
                }
            }

            return end;
        }
        finally
        {
            await ShutDownAsync(end).ConfigureAwait(false);
        }
    }

    public async Task<TResult> SendRequestAsync<TParams, TResult>(
        string method,
        TParams parameters,
        JsonTypeInfo<TParams> paramsType,
        JsonTypeInfo<TResult> resultType,
        CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var id = Interlocked.Increment(ref _nextRequestId);
        var pending = new PendingRequest<TResult>(method, resultType);
        _pending[id] = pending;

        // ShutDownAsync cancels _closing first and then fails what it finds in _pending. A request added
        // while that sweep runs may be missed by it, but then it sees _closing here. Whoever removes the
        // entry completes it, so it is failed exactly once and never left waiting forever.
        if (_closing.IsCancellationRequested)
        {
            if (_pending.TryRemove(id, out _))
            {
                pending.Fail(new ConnectionClosedException($"Cannot send '{method}': the connection has ended."));
            }

            return await pending.Task.ConfigureAwait(false);
        }

        try
        {
            await SendAsync(writer =>
            {
                writer.WriteNumber("id", id);
                writer.WriteString("method", method);
                writer.WritePropertyName("params");
                JsonSerializer.Serialize(writer, parameters, paramsType);
            }).ConfigureAwait(false);
        }
        catch
        {
            // Not sent (the parameters could not be serialized): nothing will ever answer it.
            _pending.TryRemove(id, out _);
            throw;
        }

        // Registered only after the request was written, so a $/cancelRequest can never reach the other
        // side before the request it cancels (it would be ignored there, and the request would run anyway).
        // A cancellation during the write runs the callback right here.
        using var registration = cancellationToken.Register(() =>
        {
            if (_pending.TryRemove(id, out _))
            {
                pending.Cancel(cancellationToken);
                _ = SendCancelAsync(id);
            }
        });

        return await pending.Task.ConfigureAwait(false);
    }

    public ValueTask SendNotificationAsync<TParams>(string method, TParams parameters, JsonTypeInfo<TParams> paramsType) =>
        SendAsync(writer =>
        {
            writer.WriteString("method", method);
            writer.WritePropertyName("params");
            JsonSerializer.Serialize(writer, parameters, paramsType);
        });

    private static TParams DeserializeParams<TParams>(string method, JsonElement? parameters, JsonTypeInfo<TParams> type)
    {
        TParams? value;
        try
        {
            value = parameters is { } element ? element.Deserialize(type) : default;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException or NotSupportedException)
        {
            throw new JsonRpcException(ErrorCodes.InvalidParams, $"Invalid params for '{method}': {e.Message}");
        }

        return value ?? throw new JsonRpcException(ErrorCodes.InvalidParams, $"Invalid params for '{method}': params are required.");
    }

    private void Register(Registration registration)
    {
        if (Volatile.Read(ref _started) != 0)
        {
            throw new InvalidOperationException("Handlers must be registered before the connection runs.");
        }

        if (!_handlers.TryAdd(registration.Method, registration))
        {
            throw new InvalidOperationException($"A handler for '{registration.Method}' is already registered.");
        }
    }

    private async ValueTask HandleBodyAsync(ReadOnlyMemory<byte> body)
    {
        var message = IncomingMessage.Parse(body, out var document);
        using (document)
        {
            switch (message)
            {
                case InvalidMessage invalid:
                    _logger.LogWarning("Rejected a message: {Reason}", invalid.Message);
                    await SendErrorAsync(invalid.Id, invalid.Code, invalid.Message).ConfigureAwait(false);
                    break;
                case ResponseMessage response:
                    CompletePending(response);
                    break;
                case NotificationMessage notification:
                    await DispatchNotificationAsync(notification).ConfigureAwait(false);
                    break;
                case RequestMessage request:
                    await DispatchRequestAsync(request).ConfigureAwait(false);
                    break;
            }
        }
    }

    private async ValueTask DispatchRequestAsync(RequestMessage request)
    {
        AcceptedRequest? accepted;
        RequestRefusal refusal;
        try
        {
            accepted = Accept(request, out refusal);
        }
        catch (Exception e)
        {
            // Admission or binding failed unexpectedly. Nothing has answered this request yet, and nothing
            // else will: answer it here, so the client is not left waiting, and go on reading.
            _logger.LogError(e, "Dispatching {Method} ({Id}) failed.", request.Method, request.Id);
            RaiseHandlerFaulted(request.Method, e);
            await SendErrorAsync(request.Id, ErrorCodes.InternalError, $"Internal error in '{request.Method}': {e.Message}").ConfigureAwait(false);
            return;
        }

        if (accepted is null)
        {
            await SendErrorAsync(request.Id, refusal.Code, refusal.Message).ConfigureAwait(false);
            return;
        }

        var (registration, invocation) = accepted;

        // From here on RunRequestAsync owns the answer (it never throws).
        if (registration.Mode == HandlerMode.Serial)
        {
            await RunSerialAsync(RunRequestAsync(request.Method, request.Id, invocation, _closing.Token, beforeAnswer: null)).ConfigureAwait(false);
            return;
        }

        var entry = new InFlightRequest(CancellationTokenSource.CreateLinkedTokenSource(_closing.Token));
        if (!_inFlight.TryAdd(request.Id, entry))
        {
            entry.Release();
            await SendErrorAsync(request.Id, ErrorCodes.InvalidRequest, $"Invalid request: id {request.Id} is already in use by a request in flight.").ConfigureAwait(false);
            return;
        }

        // The id leaves _inFlight before the answer is written: a client may reuse an id as soon as it has
        // the answer, and a $/cancelRequest that arrives later has nothing left to cancel.
        var id = request.Id;
        void Retire() => _inFlight.TryRemove(KeyValuePair.Create(id, entry));
        var method = request.Method;
        var token = entry.Token;
        Track(Task.Run(async () =>
        {
            try
            {
                await RunRequestAsync(method, id, invocation, token, Retire).ConfigureAwait(false);
            }
            finally
            {
                Retire();
                entry.Release();
            }
        }));
    }

    /// <summary>
    /// Decides whether a request is served: its handler and bound parameters, or null and the error it is
    /// answered with. Throws only on a bug (an admission check or a parameter binding that failed).
    /// </summary>
    private AcceptedRequest? Accept(RequestMessage request, out RequestRefusal refusal)
    {
        refusal = default;
        var admission = Admission?.Invoke(request.Method, true) ?? MessageAdmission.Admit;
        if (!admission.Admitted)
        {
            _logger.LogDebug("Refused request {Method} ({Id}): {Reason}", request.Method, request.Id, admission.Reason);
            refusal = new RequestRefusal(admission.ErrorCode, admission.Reason ?? "Refused.");
            return null;
        }

        if (!_handlers.TryGetValue(request.Method, out var found) || !found.IsRequest)
        {
            _logger.LogWarning("No handler for request {Method} ({Id}).", request.Method, request.Id);
            refusal = new RequestRefusal(ErrorCodes.MethodNotFound, $"Method not found: '{request.Method}'.");
            return null;
        }

        try
        {
            return new AcceptedRequest(found, found.Bind(request.Params));
        }
        catch (JsonRpcException e)
        {
            _logger.LogWarning("Rejected request {Method} ({Id}): {Reason}", request.Method, request.Id, e.Message);
            refusal = new RequestRefusal(e.Code, e.Message);
            return null;
        }
    }

    /// <summary>Runs a request's handler and answers it exactly once. Never throws.</summary>
    /// <param name="beforeAnswer">Runs once the answer is known, right before it is written.</param>
    private async Task RunRequestAsync(string method, MessageId id, Invocation invocation, CancellationToken cancellationToken, Action? beforeAnswer)
    {
        var started = Stopwatch.GetTimestamp();
        int? errorCode = null;
        ReadOnlyMemory<byte> answer;
        try
        {
            var writeResult = await invocation(cancellationToken).ConfigureAwait(false);
            answer = Serialize(writer =>
            {
                writer.WritePropertyName("id");
                id.WriteTo(writer);
                writer.WritePropertyName("result");
                writeResult(writer);
            });
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            errorCode = ErrorCodes.RequestCancelled;
            answer = SerializeError(id, ErrorCodes.RequestCancelled, $"'{method}' was cancelled.");
        }
        catch (JsonRpcException e)
        {
            errorCode = e.Code;
            answer = SerializeError(id, e.Code, e.Message);
        }
        catch (Exception e)
        {
            errorCode = ErrorCodes.InternalError;
            _logger.LogError(e, "Handler for {Method} ({Id}) failed.", method, id);
            RaiseHandlerFaulted(method, e);
            answer = SerializeError(id, ErrorCodes.InternalError, $"Internal error in '{method}': {e.Message}");
        }

        beforeAnswer?.Invoke();
        await WriteAsync(answer).ConfigureAwait(false);
        try
        {
            RequestCompleted?.Invoke(new RequestCompletion(method, id, Stopwatch.GetElapsedTime(started), errorCode));
        }
        catch (Exception e)
        {
            _logger.LogError(e, "A RequestCompleted observer failed for {Method} ({Id}).", method, id);
        }
    }

    private void RaiseHandlerFaulted(string method, Exception exception)
    {
        try
        {
            HandlerFaulted?.Invoke(method, exception);
        }
        catch (Exception e)
        {
            _logger.LogError(e, "A HandlerFaulted observer failed for {Method}.", method);
        }
    }

    private async ValueTask DispatchNotificationAsync(NotificationMessage notification)
    {
        if (notification.Method == CancelRequestMethod)
        {
            if (notification.Params is { } p && p.ValueKind == JsonValueKind.Object && p.TryGetProperty("id", out var idElement)
                && MessageId.TryRead(idElement, out var id))
            {
                // The request may finish and release its source at any moment, concurrently with this:
                // InFlightRequest.Cancel is a no-op once that happened.
                if (_inFlight.TryGetValue(id, out var request))
                {
                    _logger.LogDebug("Cancelling request {Id}.", id);
                    try
                    {
                        request.Cancel();
                    }
                    catch (AggregateException e)
                    {
                        // A handler's cancellation callback threw; the handler still answers on its own.
                        _logger.LogError(e, "Cancelling request {Id} ran a callback that failed.", id);
                    }
                }
            }
            else
            {
                _logger.LogWarning("Ignored a malformed $/cancelRequest.");
            }

            return;
        }

        var admission = Admission?.Invoke(notification.Method, false) ?? MessageAdmission.Admit;
        if (!admission.Admitted)
        {
            _logger.LogDebug("Dropped notification {Method}: {Reason}", notification.Method, admission.Reason);
            return;
        }

        if (!_handlers.TryGetValue(notification.Method, out var registration) || registration.IsRequest)
        {
            // "$/" notifications are optional by specification and may be ignored silently.
            if (notification.Method.StartsWith("$/", StringComparison.Ordinal))
            {
                _logger.LogDebug("Ignored optional notification {Method}.", notification.Method);
            }
            else
            {
                _logger.LogWarning("No handler for notification {Method}.", notification.Method);
            }

            return;
        }

        Invocation invocation;
        try
        {
            invocation = registration.Bind(notification.Params);
        }
        catch (JsonRpcException e)
        {
            // Notifications are never answered, not even with an error.
            _logger.LogWarning("Dropped notification {Method}: {Reason}", notification.Method, e.Message);
            return;
        }

        if (registration.Mode == HandlerMode.Serial)
        {
            await RunSerialAsync(RunNotificationAsync(notification.Method, invocation)).ConfigureAwait(false);
        }
        else
        {
            Track(Task.Run(() => RunNotificationAsync(notification.Method, invocation)));
        }
    }

    /// <summary>
    /// Waits for a serial handler. Meanwhile it keeps reading: responses are delivered at once (the
    /// handler may be awaiting one); every other message is held, in order, until the handler is done.
    /// </summary>
    private async Task RunSerialAsync(Task handler)
    {
        while (!handler.IsCompleted)
        {
            _readAhead ??= _frames.ReadAsync(_closing.Token).AsTask();
            if (await Task.WhenAny(handler, _readAhead).ConfigureAwait(false) == handler)
            {
                break;
            }

            var read = _readAhead;
            _readAhead = null;
            if (read.IsCompletedSuccessfully && TryDeliverResponse(read.Result))
            {
                continue;
            }

            _held.Enqueue(read);
            if (!read.IsCompletedSuccessfully || read.Result.Kind is FrameKind.EndOfStream or FrameKind.TruncatedAtEndOfStream)
            {
                // Nothing more can be read; the handler finishes on its own or is cancelled on close.
                break;
            }
        }

        await handler.ConfigureAwait(false);
    }

    private bool TryDeliverResponse(Frame frame)
    {
        if (frame.Kind != FrameKind.Message)
        {
            return false;
        }

        var message = IncomingMessage.Parse(frame.Body, out var document);
        using (document)
        {
            if (message is ResponseMessage response)
            {
                CompletePending(response);
                return true;
            }

            return false;
        }
    }

    private ValueTask<Frame> NextFrameAsync()
    {
        if (_held.TryDequeue(out var held))
        {
            return new ValueTask<Frame>(held);
        }

        if (_readAhead is { } pending)
        {
            _readAhead = null;
            return new ValueTask<Frame>(pending);
        }

        return _frames.ReadAsync(_closing.Token);
    }

    private async Task RunNotificationAsync(string method, Invocation invocation)
    {
        try
        {
            await invocation(_closing.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (_closing.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            _logger.LogError(e, "Handler for notification {Method} failed.", method);
            RaiseHandlerFaulted(method, e);
        }
    }

    private void CompletePending(ResponseMessage response)
    {
        if (response.Id is not { Number: { } number } || !_pending.TryRemove(number, out var pending))
        {
            if (response.Error is { } error && response.Id is null)
            {
                _logger.LogWarning("The other side reported an error: {Message} ({Code})", error.Message, error.Code);
            }
            else
            {
                _logger.LogWarning("Ignored a response to unknown request {Id}.", response.Id);
            }

            return;
        }

        try
        {
            pending.Complete(response.Result, response.Error);
        }
        catch (Exception e)
        {
            // Reading the answer is the caller's business; a failure there must not reach the read loop.
            pending.Fail(e);
        }
    }

    private void Track(Task task)
    {
        _running.TryAdd(task, 0);
        _ = task.ContinueWith(t => _running.TryRemove(t, out _), TaskScheduler.Default);
    }

    private async Task ShutDownAsync(ConnectionEnd end)
    {
        _closing.Cancel();

        // Remove-then-fail, one entry at a time: SendRequestAsync, racing this sweep, fails what it adds
        // after seeing _closing in the same way, and whoever removes an entry is the one that completes it.
        foreach (var id in _pending.Keys)
        {
            if (_pending.TryRemove(id, out var pending))
            {
                pending.Fail(new ConnectionClosedException($"The connection ended ({end}) before '{pending.Method}' was answered."));
            }
        }

        // Give cancelled handlers a moment to send their RequestCancelled answers.
        var running = _running.Keys.ToArray();
        if (running.Length > 0)
        {
            await Task.WhenAny(Task.WhenAll(running), Task.Delay(TimeSpan.FromSeconds(5))).ConfigureAwait(false);
        }

        try
        {
            await _writer.CompleteAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or InvalidOperationException or ObjectDisposedException)
        {
            _logger.LogDebug(e, "Completing the output failed.");
        }
    }

    private ValueTask SendCancelAsync(long id) =>
        SendAsync(writer =>
        {
            writer.WriteString("method", CancelRequestMethod);
            writer.WriteStartObject("params");
            writer.WriteNumber("id", id);
            writer.WriteEndObject();
        });

    private ValueTask SendErrorAsync(MessageId? id, int code, string message) => WriteAsync(SerializeError(id, code, message));

    private static ReadOnlyMemory<byte> SerializeError(MessageId? id, int code, string message) =>
        Serialize(writer =>
        {
            writer.WritePropertyName("id");
            if (id is { } value)
            {
                value.WriteTo(writer);
            }
            else
            {
                writer.WriteNullValue();
            }

            writer.WriteStartObject("error");
            writer.WriteNumber("code", code);
            writer.WriteString("message", message);
            writer.WriteEndObject();
        });

    private ValueTask SendAsync(Action<Utf8JsonWriter> writeMembers) => WriteAsync(Serialize(writeMembers));

    private static ReadOnlyMemory<byte> Serialize(Action<Utf8JsonWriter> writeMembers)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            writer.WriteStartObject();
            writer.WriteString("jsonrpc", "2.0");
            writeMembers(writer);
            writer.WriteEndObject();
        }

        return buffer.WrittenMemory;
    }

    private async ValueTask WriteAsync(ReadOnlyMemory<byte> body)
    {
        if (Volatile.Read(ref _outputBroken) != 0)
        {
            return;
        }

        try
        {
            await _writer.WriteAsync(body).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or InvalidOperationException or ObjectDisposedException)
        {
            if (Interlocked.Exchange(ref _outputBroken, 1) == 0)
            {
                _logger.LogWarning(e, "The output stream failed; ending the connection.");
            }

            Close();
        }
    }

    private delegate ValueTask<Action<Utf8JsonWriter>> Invocation(CancellationToken cancellationToken);

    private sealed record Registration(string Method, HandlerMode Mode, bool IsRequest, Func<JsonElement?, Invocation> Bind);

    private sealed record AcceptedRequest(Registration Registration, Invocation Invocation);

    private readonly record struct RequestRefusal(int Code, string Message);

    /// <summary>
    /// The cancellation source of a concurrent request, shared by the task that runs the request and the
    /// read loop that cancels it on <c>$/cancelRequest</c>. Reference-counted so that exactly one party
    /// disposes it, the last one to let go: a cancel that found the entry just as the request finished
    /// either cancels a live source or does nothing, and never meets a disposed one (which would throw).
    /// </summary>
    private sealed class InFlightRequest(CancellationTokenSource cancellation)
    {
        // The running request holds the first reference.
        private int _references = 1;

        /// <summary>Read once, when the request starts: reading it after disposal would throw.</summary>
        public CancellationToken Token { get; } = cancellation.Token;

        /// <summary>Cancels the request unless its source was already released.</summary>
        public void Cancel()
        {
            if (!TryAcquire())
            {
                return;
            }

            try
            {
                cancellation.Cancel();
            }
            finally
            {
                Release();
            }
        }

        public void Release()
        {
            if (Interlocked.Decrement(ref _references) == 0)
            {
                // Also unlinks it from the connection's Closing token, which outlives every request.
                cancellation.Dispose();
            }
        }

        private bool TryAcquire()
        {
            var current = Volatile.Read(ref _references);
            while (current > 0)
            {
                var seen = Interlocked.CompareExchange(ref _references, current + 1, current);
                if (seen == current)
                {
                    return true;
                }

                current = seen;
            }

            return false;
        }
    }

    private abstract class PendingRequest(string method)
    {
        public string Method { get; } = method;

        public abstract void Complete(JsonElement? result, ResponseError? error);

        public abstract void Fail(Exception exception);
    }

    private sealed class PendingRequest<TResult>(string method, JsonTypeInfo<TResult> resultType) : PendingRequest(method)
    {
        private readonly TaskCompletionSource<TResult> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task<TResult> Task => _completion.Task;

        public override void Complete(JsonElement? result, ResponseError? error)
        {
            if (error is not null)
            {
                _completion.TrySetException(new RemoteRequestException(Method, error));
                return;
            }

            try
            {
                _completion.TrySetResult(result is { ValueKind: not JsonValueKind.Null } element ? element.Deserialize(resultType)! : default!);
            }
            catch (Exception e) when (e is JsonException or InvalidOperationException or NotSupportedException)
            {
                _completion.TrySetException(new JsonRpcException(ErrorCodes.ParseError, $"The answer to '{Method}' could not be read: {e.Message}"));
            }
        }

        public override void Fail(Exception exception) => _completion.TrySetException(exception);

        public void Cancel(CancellationToken cancellationToken) => _completion.TrySetCanceled(cancellationToken);
    }
}
