using LeanAssist.Server.Configuration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Serilog.Extensions.Logging;

namespace LeanAssist.Server.Hosting;

/// <summary>Builds the host every verb runs in: configuration, Serilog, and <see cref="ServiceRegistration.AddLeanAssist"/>.</summary>
public static class LeanAssistHost
{
    /// <param name="verb">Names the log file ("lsp", "prove", ...).</param>
    /// <param name="settings">Configuration from the command line (keys like <c>LeanAssist:Server:LogFile</c>).</param>
    /// <param name="transport">The LSP transport, or null for verbs that do not serve LSP.</param>
    /// <param name="configureServices">Lets tests replace services (test doubles for Lean and LLMs).</param>
    public static IHost Build(
        string verb,
        IEnumerable<KeyValuePair<string, string?>> settings,
        LanguageServerTransport? transport,
        Action<IServiceCollection>? configureServices = null)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings
        {
            ContentRootPath = AppContext.BaseDirectory,
            EnvironmentName = Environments.Production,
        });

        // Later sources win: environment, then the command line, then the editor's settings. The editor
        // sends every setting; ClientSettingsProvider drops null and empty ones, so only settings with a
        // value outrank the command line (docs/extension.md, "Where settings come from").
        var clientSettings = new ClientSettingsProvider();
        builder.Configuration
            .AddEnvironmentVariables("LEANASSIST_")
            .AddInMemoryCollection(settings)
            .Add(clientSettings);

        var serverOptions = new LanguageServerOptions();
        builder.Configuration.GetSection(LanguageServerOptions.Section).Bind(serverOptions);
        var serilog = Logging.Create(serverOptions, verb);
        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(serverOptions.LogLevel);
        builder.Logging.AddProvider(new SerilogLoggerProvider(serilog, dispose: true));

        builder.Services.AddLeanAssist(clientSettings, transport);
        configureServices?.Invoke(builder.Services);
        return builder.Build();
    }

    /// <summary>
    /// Runs the language server until <c>exit</c> or end of input. Returns the exit code LSP specifies,
    /// or 2 when the server could not start (invalid options).
    /// </summary>
    public static async Task<int> RunLanguageServerAsync(IHost host, CancellationToken cancellationToken = default)
    {
        // RunAsync disposes the host's services; keep what is read afterwards.
        var exitCode = host.Services.GetRequiredService<ServerExitCode>();
        try
        {
            await host.RunAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OptionsValidationException e)
        {
            await Console.Error.WriteLineAsync($"leanassist: invalid options: {string.Join(" ", e.Failures)}").ConfigureAwait(false);
            return 2;
        }

        return exitCode.Value;
    }
}
