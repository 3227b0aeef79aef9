using LeanAssist.Protocol.JsonRpc;
using LeanAssist.Protocol.Lsp;
using LeanAssist.Server.Configuration;
using LeanAssist.Server.Documents;

namespace LeanAssist.Server.LanguageServer;

/// <summary>
/// The composition root of the language server: every handler it serves, grouped, and the
/// capabilities it announces (kept side by side so they cannot drift apart).
/// </summary>
/// <remarks>
/// Scheduling (see <see cref="HandlerMode"/>):
/// - Serial, on the read loop, in arrival order: lifecycle, document sync and configuration
///   notifications. They only update state (a new immutable snapshot, new settings) and never wait
///   on the client, so a request read after an edit always sees that edit.
/// - Concurrent, on the thread pool: every request that reads state (code actions, hover,
///   commands). They work on snapshots and can be cancelled with <c>$/cancelRequest</c>.
/// </remarks>
public sealed class LeanAssistServer(
    LanguageServerEndpoint endpoint,
    LifecycleHandler lifecycle,
    TextDocumentSyncHandler documentSync,
    ConfigurationHandler configuration)
{
    public static ServerCapabilities Capabilities { get; } = new(
        PositionEncoding: "utf-16",
        TextDocumentSync: new TextDocumentSyncOptions(OpenClose: true, Change: TextDocumentSyncKind.Incremental));

    public void RegisterHandlers()
    {
        var lsp = LspJsonContext.Default;

        // Lifecycle (initialize, initialized, shutdown; exit and $/setTrace are the endpoint's own).
        endpoint.OnInitialize((parameters, cancellationToken) => lifecycle.InitializeAsync(parameters, Capabilities, cancellationToken));
        endpoint.OnInitialized(lifecycle.InitializedAsync);
        endpoint.OnShutdown(lifecycle.ShutdownAsync);

        // Document synchronization: serial, applied in order.
        endpoint.AddNotificationHandler(LspMethods.DidOpen, lsp.DidOpenTextDocumentParams, documentSync.DidOpen, HandlerMode.Serial);
        endpoint.AddNotificationHandler(LspMethods.DidChange, lsp.DidChangeTextDocumentParams, documentSync.DidChange, HandlerMode.Serial);
        endpoint.AddNotificationHandler(LspMethods.DidClose, lsp.DidCloseTextDocumentParams, documentSync.DidClose, HandlerMode.Serial);

        // Configuration: serial; a pull from the client happens in the background.
        endpoint.AddNotificationHandler(LspMethods.WorkspaceDidChangeConfiguration, lsp.DidChangeConfigurationParams, configuration.DidChangeConfiguration, HandlerMode.Serial);
    }
}
