using System.Reflection;
using LeanAssist.Protocol.Lsp;
using LeanAssist.Server.Configuration;
using LeanAssist.Server.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace LeanAssist.Server.LanguageServer;

/// <summary><c>initialize</c>, <c>initialized</c>, <c>shutdown</c>: what this server adds to the lifecycle the endpoint runs.</summary>
public sealed class LifecycleHandler(
    LanguageServerEndpoint endpoint,
    SettingsService settings,
    ParentProcessWatcher parentWatcher,
    IServiceProvider services)
{
    public static string Version { get; } =
        typeof(LifecycleHandler).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";

    public async ValueTask<InitializeResult> InitializeAsync(InitializeParams parameters, ServerCapabilities capabilities, CancellationToken cancellationToken)
    {
        if (parameters.ProcessId is { } processId and > 0)
        {
            parentWatcher.Watch(processId, endpoint.Connection.Close);
        }

        // Settings handed over at start save a round trip; later changes are pulled.
        if (parameters.InitializationOptions is { ValueKind: System.Text.Json.JsonValueKind.Object } options
            && options.TryGetProperty("settings", out var section))
        {
            await settings.ApplyAsync(section).ConfigureAwait(false);
        }

        return new InitializeResult(capabilities, new ServerInfo("leanassist", Version));
    }

    public ValueTask InitializedAsync(CancellationToken cancellationToken)
    {
        // Serial handler: client round trips go to the background.
        settings.RequestRefresh();
        if (endpoint.Client.SupportsDynamicConfigurationRegistration)
        {
            _ = Task.Run(async () =>
            {
                try
                {
                    await endpoint.Client.RegisterCapabilityAsync(
                        [new Registration("leanassist-configuration", LspMethods.WorkspaceDidChangeConfiguration)],
                        endpoint.Closing).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    await endpoint.Client.LogMessageAsync(MessageType.Warning, $"LeanAssist: could not subscribe to settings changes: {e.Message}").ConfigureAwait(false);
                }
            });
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>Stops background work and the Lean processes before <c>exit</c> (a client may never send it).</summary>
    public async ValueTask ShutdownAsync(CancellationToken cancellationToken)
    {
        // Resolved here, not injected: they are built after initialize (see LeanAssistServer).
        services.GetRequiredService<Editor.EditorSuggestions>().Dispose();
        await services.GetRequiredService<Lean.Sessions.ILeanSessionPool>().DisposeAsync().ConfigureAwait(false);
    }
}
