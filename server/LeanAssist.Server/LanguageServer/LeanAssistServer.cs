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
/// </remarks>
public sealed class LeanAssistServer(
    LanguageServerEndpoint endpoint,
    LifecycleHandler lifecycle,
    TextDocumentSyncHandler documentSync,
    ConfigurationHandler configuration,
    CodeActionHandler codeActions,
    HoverHandler hover,
    CommandHandler commands,
    ApiKeyHandler apiKeys,
    MetricsService metrics,
    StatusPublisher status)
{
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
            status.Start();
        });
        endpoint.OnShutdown(lifecycle.ShutdownAsync);

        // Document synchronization: serial, applied in order.
        endpoint.AddNotificationHandler(LspMethods.DidOpen, lsp.DidOpenTextDocumentParams, documentSync.DidOpen, HandlerMode.Serial);
        endpoint.AddNotificationHandler(LspMethods.DidChange, lsp.DidChangeTextDocumentParams, documentSync.DidChange, HandlerMode.Serial);
        endpoint.AddNotificationHandler(LspMethods.DidClose, lsp.DidCloseTextDocumentParams, documentSync.DidClose, HandlerMode.Serial);

        // Configuration and keys: serial; they change what later requests use.
        endpoint.AddNotificationHandler(LspMethods.WorkspaceDidChangeConfiguration, lsp.DidChangeConfigurationParams, configuration.DidChangeConfiguration, HandlerMode.Serial);
        endpoint.AddNotificationHandler(LeanAssistMethods.SetApiKey, leanAssist.SetApiKeyParams, apiKeys.SetAsync, HandlerMode.Serial);

        // Features: concurrent; answered from snapshots and what is already known.
        endpoint.AddRequestHandler(LspMethods.CodeAction, lsp.CodeActionParams, lsp.CodeActionArray, codeActions.HandleAsync);
        endpoint.AddRequestHandler(LspMethods.Hover, lsp.HoverParams, lsp.Hover, hover.HandleAsync);
        endpoint.AddRequestHandler(LspMethods.WorkspaceExecuteCommand, lsp.ExecuteCommandParams, lsp.NullableJsonElement, commands.ExecuteAsync);
        endpoint.AddRequestHandler(LeanAssistMethods.Metrics, leanAssist.MetricsSnapshot, _ => ValueTask.FromResult(metrics.Snapshot()));
    }
}
