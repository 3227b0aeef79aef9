using LeanAssist.Lean.Pool;
using LeanAssist.Lean.Sessions;
using LeanAssist.Lean.Toolchain;
using LeanAssist.Protocol.JsonRpc;
using LeanAssist.Protocol.Lsp;
using LeanAssist.Server.Configuration;
using LeanAssist.Server.Doctor;
using LeanAssist.Server.Documents;
using LeanAssist.Server.LanguageServer;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace LeanAssist.Server.Hosting;

/// <summary>Every service LeanAssist registers, in one place, grouped by layer.</summary>
public static class ServiceRegistration
{
    /// <summary>
    /// Registers LeanAssist. With a <paramref name="transport"/> it is a language server; without one
    /// (command-line verbs) only the layers below the protocol are registered.
    /// </summary>
    public static IServiceCollection AddLeanAssist(this IServiceCollection services, ClientSettingsProvider clientSettings, LanguageServerTransport? transport)
    {
        // ---- Process-level options and settings plumbing ----
        services.AddOptions<LanguageServerOptions>().BindConfiguration(LanguageServerOptions.Section).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<LanguageServerOptions>, LanguageServerOptionsValidation>());
        services.AddSingleton(clientSettings);
        services.AddSingleton(TimeProvider.System);

        // ---- Lean: settings, toolchain discovery, the warm REPL session pool, doctor checks ----
        services.AddValidatedSettings<ReplOptions, ReplOptionsValidation>(ReplOptions.Section);
        services.AddValidatedSettings<ToolchainOptions, ToolchainOptionsValidation>(ToolchainOptions.Section);
        services.AddSingleton(_ => new LeanToolchainLocator(ToolchainSearchEnvironment.FromProcess()));
        services.AddSingleton<IReplLaunchResolver, ReplLaunchResolver>();
        services.AddSingleton(provider => new LeanSessionPool(
            provider.GetRequiredService<IOptionsMonitor<ReplOptions>>(),
            provider.GetRequiredService<IReplLaunchResolver>(),
            provider.GetRequiredService<ILoggerFactory>()));
        services.AddSingleton<ILeanSessionPool>(provider => provider.GetRequiredService<LeanSessionPool>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IDoctorCheck, LeanToolchainDoctorCheck>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IDoctorCheck, LeanProjectDoctorCheck>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IDoctorCheck, LeanReplDoctorCheck>());

        if (transport is null)
        {
            return services;
        }

        // ---- Protocol: JSON-RPC connection and the LSP endpoint over the transport ----
        services.AddSingleton(transport);
        services.AddSingleton(provider => new JsonRpcConnection(
            transport.Input,
            transport.Output,
            new JsonRpcConnectionOptions { MaxMessageBytes = provider.GetRequiredService<IOptions<LanguageServerOptions>>().Value.MaxMessageBytes },
            provider.GetRequiredService<Microsoft.Extensions.Logging.ILogger<JsonRpcConnection>>()));
        services.AddSingleton<LanguageServerEndpoint>();

        // ---- Language server: composition root, handlers, and the state they hand work to ----
        services.AddSingleton<LeanAssistServer>();
        services.AddSingleton<ServerExitCode>();
        services.AddSingleton<ParentProcessWatcher>();
        services.AddSingleton<LifecycleHandler>();
        services.AddSingleton<DocumentStore>();
        services.AddSingleton<TextDocumentSyncHandler>();
        services.AddSingleton<SettingsService>();
        services.AddSingleton<ConfigurationHandler>();
        services.AddHostedService<LanguageServerService>();
        return services;
    }

    /// <summary>Registers an options type bound to a settings section, validated at start and on every settings change.</summary>
    public static IServiceCollection AddValidatedSettings<TOptions, TValidation>(this IServiceCollection services, string section)
        where TOptions : class
        where TValidation : class, IValidateOptions<TOptions>
    {
        services.AddOptions<TOptions>().BindConfiguration(section).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TOptions>, TValidation>());
        services.AddSingleton<ISettingsValidation, OptionsSettingsValidation<TOptions>>();
        return services;
    }
}
