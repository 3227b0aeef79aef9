using LeanAssist.Lean.Telemetry;
using LeanAssist.Protocol.JsonRpc;
using LeanAssist.Protocol.Lsp;
using LeanAssist.Server.ApiKeys;
using LeanAssist.Server.CodeActions;
using LeanAssist.Server.Commands;
using LeanAssist.Server.Configuration;
using LeanAssist.Server.Documents;
using LeanAssist.Server.Hover;
using LeanAssist.Server.Status;
using LeanAssist.Server.Telemetry;
using Microsoft.Extensions.DependencyInjection;

namespace LeanAssist.Server.LanguageServer;

/// <summary>
/// The composition root of the language server: every handler it serves, grouped, and the
/// capabilities it announces (kept side by side so they cannot drift apart).
/// </summary>
/// <remarks>
/// Scheduling (see <see cref="HandlerMode"/>):
/// - Serial, on the read loop, in arrival order: lifecycle, document sync, configuration and API-key
///   notifications. They only update state (a new immutable snapshot, new settings, a key in memory)
///   and hand slow work to the background, so a request read after an edit always sees that edit.
/// - Concurrent, on the thread pool: every request that reads state (code actions, hover, commands,
///   metrics). They work on snapshots and can be cancelled with <c>$/cancelRequest</c>.
/// Start-up: building the feature services (caches on disk, HTTP clients, the Lean pool) is most of the
/// server's start, so they are built after <c>initialize</c> is answered, in <c>initialized</c> (which
/// clients send before any document), not before the first answer.
/// </remarks>
public sealed class LeanAssistServer(
    LanguageServerEndpoint endpoint,
    LifecycleHandler lifecycle,
    TextDocumentSyncHandler documentSync,
    ConfigurationHandler configuration,
    LeanAssistMeter meter,
    MetricsCollector metrics,
    IServiceProvider services)
{
    /// <summary>
    /// Listening from the first message on: a measurement made before the collector exists is lost,
    /// so the collector (cheap: one <see cref="System.Diagnostics.Metrics.MeterListener"/>) is built
    /// with the server, not with the first <c>leanAssist/metrics</c> request. Held only for that.
    /// </summary>
    private readonly MetricsCollector _listening = metrics;

    public static ServerCapabilities Capabilities { get; } = new(
        PositionEncoding: "utf-16",
        TextDocumentSync: new TextDocumentSyncOptions(OpenClose: true, Change: TextDocumentSyncKind.Incremental),
        CodeActionProvider: new CodeActionOptions([CodeActionKinds.QuickFix]),
        HoverProvider: true,
        ExecuteCommandProvider: new ExecuteCommandOptions(LeanAssistCommands.All));

    public void RegisterHandlers()
    {
        var lsp = LspJsonContext.Default;
        var leanAssist = LeanAssistJsonContext.Default;

        // Lifecycle (initialize, initialized, shutdown; exit and $/setTrace are the endpoint's own).
        endpoint.OnInitialize((parameters, cancellationToken) => lifecycle.InitializeAsync(parameters, Capabilities, cancellationToken));
        endpoint.OnInitialized(async cancellationToken =>
        {
            await lifecycle.InitializedAsync(cancellationToken).ConfigureAwait(false);
            // Builds the editor state it reports on too, so that state follows every document from its didOpen on.
            Feature<StatusPublisher>().Start();
        });
        endpoint.OnShutdown(lifecycle.ShutdownAsync);

        // Document synchronization: serial, applied in order.
        endpoint.AddNotificationHandler(LspMethods.DidOpen, lsp.DidOpenTextDocumentParams, documentSync.DidOpen, HandlerMode.Serial);
        endpoint.AddNotificationHandler(LspMethods.DidChange, lsp.DidChangeTextDocumentParams, documentSync.DidChange, HandlerMode.Serial);
        endpoint.AddNotificationHandler(LspMethods.DidClose, lsp.DidCloseTextDocumentParams, documentSync.DidClose, HandlerMode.Serial);

        // Configuration and keys: serial; they change what later requests use.
        endpoint.AddNotificationHandler(LspMethods.WorkspaceDidChangeConfiguration, lsp.DidChangeConfigurationParams, configuration.DidChangeConfiguration, HandlerMode.Serial);
        endpoint.AddNotificationHandler(LeanAssistMethods.SetApiKey, leanAssist.SetApiKeyParams, (p, ct) => Feature<ApiKeyHandler>().SetAsync(p, ct), HandlerMode.Serial);

        // Features: concurrent; answered from snapshots and what is already known.
        endpoint.AddRequestHandler(LspMethods.CodeAction, lsp.CodeActionParams, lsp.CodeActionArray, (p, ct) => Feature<CodeActionHandler>().HandleAsync(p, ct));
        endpoint.AddRequestHandler(LspMethods.Hover, lsp.HoverParams, lsp.Hover, (p, ct) => Feature<HoverHandler>().HandleAsync(p, ct));
        endpoint.AddRequestHandler(LspMethods.WorkspaceExecuteCommand, lsp.ExecuteCommandParams, lsp.NullableJsonElement, (p, ct) => Feature<CommandHandler>().ExecuteAsync(p, ct));
        endpoint.AddRequestHandler(LeanAssistMethods.Metrics, leanAssist.MetricsSnapshot, _ => ValueTask.FromResult(Feature<MetricsService>().Snapshot()));

        // Every answered request is counted (no feature service needed for that).
        var requests = meter.Meter.CreateCounter<long>(LeanAssistMeter.Instruments.LspRequests, description: "LSP requests answered, by method.");
        endpoint.Connection.RequestCompleted += completion => requests.Add(1, new KeyValuePair<string, object?>("lsp.method", completion.Method));
    }

    /// <summary>A feature service, built on first use (see remarks).</summary>
    private T Feature<T>()
        where T : notnull => services.GetRequiredService<T>();
}
