using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using LeanAssist.Protocol.JsonRpc;
using Microsoft.Extensions.Logging;

namespace LeanAssist.Protocol.Lsp;

public enum LifecycleState
{
    /// <summary>Waiting for <c>initialize</c>: other requests get ServerNotInitialized.</summary>
    Uninitialized,

    /// <summary>Between <c>initialize</c> and <c>shutdown</c>: everything is served.</summary>
    Running,

    /// <summary>After <c>shutdown</c>: requests get InvalidRequest; only <c>exit</c> is handled.</summary>
    ShutDown,
}

/// <summary>
/// The LSP server side of a connection: lifecycle (<c>initialize</c>, <c>initialized</c>,
/// <c>shutdown</c>, <c>exit</c> and their rules), tracing, progress cancellation, and registration of
/// feature handlers. Knows nothing about what the features do.
/// </summary>
public sealed class LanguageServerEndpoint
{
    private readonly JsonRpcConnection _connection;
    private readonly ILogger _logger;
    private Func<InitializeParams, CancellationToken, ValueTask<InitializeResult>>? _initialize;
    private Func<CancellationToken, ValueTask>? _initialized;
    private Func<CancellationToken, ValueTask>? _shutdown;
    private volatile LifecycleState _state = LifecycleState.Uninitialized;
    private volatile TraceLevel _trace = TraceLevel.Off;
    private int? _exitCode;

    public LanguageServerEndpoint(JsonRpcConnection connection, ILogger<LanguageServerEndpoint> logger)
    {
        _connection = connection;
        _logger = logger;
        Client = new LanguageClient(connection, () => ClientCapabilities, () => _trace);
        connection.Admission = Admit;
        connection.RequestCompleted += OnRequestCompleted;
        connection.HandlerFaulted += OnHandlerFaulted;

        var json = LspJsonContext.Default;
        connection.AddRequestHandler(LspMethods.Initialize, json.InitializeParams, json.InitializeResult, InitializeAsync, HandlerMode.Serial);
        connection.AddNotificationHandler(LspMethods.Initialized, InitializedAsync, HandlerMode.Serial);
        connection.AddRequestHandler(LspMethods.Shutdown, json.NullableJsonElement, ShutdownAsync, HandlerMode.Serial);
        connection.AddNotificationHandler(LspMethods.Exit, Exit, HandlerMode.Serial);
        connection.AddNotificationHandler(LspMethods.SetTrace, json.SetTraceParams, SetTrace, HandlerMode.Serial);
        connection.AddNotificationHandler(LspMethods.WorkDoneProgressCancel, json.WorkDoneProgressCancelParams, CancelProgress, HandlerMode.Serial);
    }

    public LanguageClient Client { get; }

    public WorkDoneProgressRegistry Progress { get; } = new();

    public LifecycleState State => _state;

    public TraceLevel Trace => _trace;

    /// <summary>What the client said in <c>initialize</c> (null before).</summary>
    public InitializeParams? InitializeParams { get; private set; }

    /// <summary>The client's capabilities as read from <c>initialize</c> (none before; unreadable members count as absent).</summary>
    public ClientCapabilities ClientCapabilities { get; private set; } = new();

    /// <summary>Cancelled when the connection ends.</summary>
    public CancellationToken Closing => _connection.Closing;

    /// <summary>The JSON-RPC connection underneath (to close it, or observe requests).</summary>
    public JsonRpcConnection Connection => _connection;

    /// <summary>Builds the <c>initialize</c> answer (server capabilities).</summary>
    public void OnInitialize(Func<InitializeParams, CancellationToken, ValueTask<InitializeResult>> handler) => _initialize = handler;

    /// <summary>Runs on <c>initialized</c>, serially: keep it quick (start slow work in the background).</summary>
    public void OnInitialized(Func<CancellationToken, ValueTask> handler) => _initialized = handler;

    /// <summary>Runs on <c>shutdown</c> before it is answered (stop background work here).</summary>
    public void OnShutdown(Func<CancellationToken, ValueTask> handler) => _shutdown = handler;

    public void AddRequestHandler<TParams, TResult>(string method, JsonTypeInfo<TParams> paramsType, JsonTypeInfo<TResult> resultType,
        Func<TParams, CancellationToken, ValueTask<TResult>> handler, HandlerMode mode = HandlerMode.Concurrent) =>
        _connection.AddRequestHandler(method, paramsType, resultType, handler, mode);

    /// <summary>A request whose parameters, if any, are ignored.</summary>
    public void AddRequestHandler<TResult>(string method, JsonTypeInfo<TResult> resultType,
        Func<CancellationToken, ValueTask<TResult>> handler, HandlerMode mode = HandlerMode.Concurrent) =>
        _connection.AddRequestHandler(method, resultType, handler, mode);

    public void AddNotificationHandler<TParams>(string method, JsonTypeInfo<TParams> paramsType,
        Func<TParams, CancellationToken, ValueTask> handler, HandlerMode mode = HandlerMode.Serial) =>
        _connection.AddNotificationHandler(method, paramsType, handler, mode);

    /// <summary>
    /// Serves until <c>exit</c> or the end of the input. Returns the process exit code the
    /// specification asks for: 0 after <c>shutdown</c>, 1 otherwise.
    /// </summary>
    public async Task<int> RunAsync(CancellationToken cancellationToken = default)
    {
        var end = await _connection.RunAsync(cancellationToken).ConfigureAwait(false);
        var code = _exitCode ?? (_state == LifecycleState.ShutDown ? 0 : 1);
        _logger.LogInformation("Connection ended ({End}); exit code {Code}.", end, code);
        return code;
    }

    private MessageAdmission Admit(string method, bool isRequest)
    {
        switch (_state)
        {
            case LifecycleState.Uninitialized:
                if (method == LspMethods.Initialize || method == LspMethods.Exit)
                {
                    return MessageAdmission.Admit;
                }

                return isRequest
                    ? MessageAdmission.Reject(ErrorCodes.ServerNotInitialized, $"Server not initialized: '{method}' arrived before 'initialize'.")
                    : MessageAdmission.Reject(0, "before initialize");
            case LifecycleState.Running:
                return method == LspMethods.Initialize
                    ? MessageAdmission.Reject(ErrorCodes.InvalidRequest, "Invalid request: 'initialize' may only be sent once.")
                    : MessageAdmission.Admit;
            default:
                if (method == LspMethods.Exit)
                {
                    return MessageAdmission.Admit;
                }

                return isRequest
                    ? MessageAdmission.Reject(ErrorCodes.InvalidRequest, $"Invalid request: the server is shutting down; '{method}' is not served.")
                    : MessageAdmission.Reject(0, "after shutdown");
        }
    }

    private async ValueTask<InitializeResult> InitializeAsync(InitializeParams parameters, CancellationToken cancellationToken)
    {
        InitializeParams = parameters;
        var capabilities = ClientCapabilitiesReader.Read(parameters.Capabilities);
        ClientCapabilities = capabilities.Capabilities;
        if (capabilities.Unreadable.Count > 0)
        {
            _logger.LogWarning("Client capabilities that could not be read count as absent: {Unreadable}", string.Join("; ", capabilities.Unreadable));
        }

        _trace = ParseTrace(parameters.Trace);
        var result = _initialize is null
            ? new InitializeResult(new ServerCapabilities())
            : await _initialize(parameters, cancellationToken).ConfigureAwait(false);
        _state = LifecycleState.Running;
        _logger.LogInformation("Initialized by {Client} {Version} (process {ProcessId}).",
            parameters.ClientInfo?.Name ?? "an unnamed client", parameters.ClientInfo?.Version ?? string.Empty, parameters.ProcessId);
        return result;
    }

    private ValueTask InitializedAsync(CancellationToken cancellationToken) =>
        _initialized?.Invoke(cancellationToken) ?? ValueTask.CompletedTask;

    private async ValueTask<JsonElement?> ShutdownAsync(CancellationToken cancellationToken)
    {
        _state = LifecycleState.ShutDown;
        _logger.LogInformation("Shutdown requested.");
        if (_shutdown is not null)
        {
            await _shutdown(cancellationToken).ConfigureAwait(false);
        }

        return null;
    }

    private ValueTask Exit(CancellationToken cancellationToken)
    {
        _exitCode = _state == LifecycleState.ShutDown ? 0 : 1;
        _logger.LogInformation("Exit requested; exit code {Code}.", _exitCode);
        _connection.Close();
        return ValueTask.CompletedTask;
    }

    private ValueTask SetTrace(SetTraceParams parameters, CancellationToken cancellationToken)
    {
        _trace = ParseTrace(parameters.Value);
        return ValueTask.CompletedTask;
    }

    private ValueTask CancelProgress(WorkDoneProgressCancelParams parameters, CancellationToken cancellationToken)
    {
        if (!Progress.Cancel(parameters.Token))
        {
            _logger.LogDebug("Cancel for unknown progress {Token}.", parameters.Token);
        }

        return ValueTask.CompletedTask;
    }

    private void OnRequestCompleted(RequestCompletion completion)
    {
        if (_trace == TraceLevel.Off)
        {
            return;
        }

        var outcome = completion.ErrorCode is { } code ? $"failed with {code}" : "succeeded";
        _ = Client.LogTraceAsync(
            $"'{completion.Method}' ({completion.Id}) {outcome} in {completion.Elapsed.TotalMilliseconds:F1} ms",
            () => $"in flight: {_connection.InFlightRequestCount}");
    }

    private void OnHandlerFaulted(string method, Exception exception)
    {
        if (_state != LifecycleState.Uninitialized)
        {
            _ = Client.LogMessageAsync(MessageType.Error, $"LeanAssist: internal error while handling '{method}': {exception.Message} (details in the server log)");
        }
    }

    private static TraceLevel ParseTrace(string? value) => value switch
    {
        "messages" => TraceLevel.Messages,
        "verbose" => TraceLevel.Verbose,
        _ => TraceLevel.Off,
    };
}
