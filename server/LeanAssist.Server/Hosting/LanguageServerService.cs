using LeanAssist.Protocol.Lsp;
using LeanAssist.Server.LanguageServer;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace LeanAssist.Server.Hosting;

/// <summary>The process exit code the language server asks for (set when the connection ends).</summary>
public sealed class ServerExitCode
{
    public int Value { get; set; } = 1;
}

/// <summary>Runs the LSP connection for the life of the host; stops the host when it ends.</summary>
public sealed class LanguageServerService(
    LeanAssistServer server,
    LanguageServerEndpoint endpoint,
    ParentProcessWatcher parentWatcher,
    IOptions<LanguageServerOptions> options,
    ServerExitCode exitCode,
    IHostApplicationLifetime lifetime,
    ILogger<LanguageServerService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        server.RegisterHandlers();
        if (options.Value.ClientProcessId is { } clientProcessId)
        {
            parentWatcher.Watch(clientProcessId, endpoint.Connection.Close);
        }

        try
        {
            exitCode.Value = await endpoint.RunAsync(stoppingToken).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            logger.LogCritical(e, "The language server failed.");
            exitCode.Value = 1;
        }
        finally
        {
            lifetime.StopApplication();
        }
    }
}
