using LeanAssist.Lean.Pool;
using LeanAssist.Lean.Sessions;
using LeanAssist.Lean.Telemetry;
using LeanAssist.Lean.Toolchain;
using LeanAssist.Protocol.JsonRpc;
using LeanAssist.Protocol.Lsp;
using LeanAssist.Server.Configuration;
using LeanAssist.Server.Doctor;
using LeanAssist.Server.ApiKeys;
using LeanAssist.Server.CodeActions;
using LeanAssist.Server.Commands;
using LeanAssist.Server.Documents;
using LeanAssist.Server.Editor;
using LeanAssist.Server.Hover;
using LeanAssist.Server.Status;
using LeanAssist.Server.Telemetry;
using LeanAssist.Server.LanguageServer;
using LeanAssist.Suggestions.Candidates;
using LeanAssist.Suggestions.Llm;
using LeanAssist.Suggestions.Llm.Budget;
using LeanAssist.Suggestions.Llm.Caching;
using LeanAssist.Suggestions.Llm.Keys;
using LeanAssist.Suggestions.Llm.Providers;
using LeanAssist.Suggestions.Llm.Resilience;
using LeanAssist.Suggestions.Llm.Status;
using LeanAssist.Suggestions.Learning;
using LeanAssist.Suggestions.Portfolio;
using LeanAssist.Suggestions.Search;
using LeanAssist.Suggestions.Remote;
using LeanAssist.Suggestions.Verification;
using LeanAssist.Server.Prove;
using LeanAssist.Server.Search;
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

        // ---- Telemetry: one meter per container (see LeanAssistMeter) ----
        services.AddMetrics();
        services.AddSingleton<LeanAssistMeter>();

        // ---- Lean: settings, toolchain discovery, the warm REPL session pool, doctor checks ----
        services.AddOptions<ReplOptions>().BindConfiguration(ReplOptions.Section).ValidatedAsSettings<ReplOptions, ReplOptionsValidation>(services);
        services.AddOptions<ToolchainOptions>().BindConfiguration(ToolchainOptions.Section).ValidatedAsSettings<ToolchainOptions, ToolchainOptionsValidation>(services);
        services.AddSingleton(_ => new LeanToolchainLocator(ToolchainSearchEnvironment.FromProcess()));
        services.AddSingleton<IReplLaunchResolver, ReplLaunchResolver>();
        services.AddSingleton(provider => new LeanSessionPool(
            provider.GetRequiredService<IOptionsMonitor<ReplOptions>>(),
            provider.GetRequiredService<IReplLaunchResolver>(),
            provider.GetRequiredService<ILoggerFactory>(),
            meter: provider.GetRequiredService<LeanAssistMeter>()));
        services.AddSingleton<ILeanSessionPool>(provider => provider.GetRequiredService<LeanSessionPool>());
        // leanAssist.verification.backend: ILeanSessionPool becomes the router between the local pool and Kimina servers.
        services.AddOptions<RemoteVerificationOptions>().BindConfiguration(RemoteVerificationOptions.Section).ValidatedAsSettings<RemoteVerificationOptions, RemoteVerificationOptionsValidation>(services);
        services.AddRemoteVerification<LeanSessionPool>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IDoctorCheck, LeanToolchainDoctorCheck>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IDoctorCheck, LeanProjectDoctorCheck>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IDoctorCheck, SandboxDoctorCheck>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IDoctorCheck, LeanReplDoctorCheck>());

        // ---- Candidates: built-in portfolio and LLM proposers (also for command-line verbs such as prove and doctor) ----
        services.AddOptions<LlmOptions>().BindConfiguration(LlmOptions.Section).ValidatedAsSettings<LlmOptions, LlmOptionsValidation>(services);
        services.AddSingleton<IEnvironmentVariables, ProcessEnvironmentVariables>();
        services.AddSingleton<ApiKeyStore>();
        services.AddSingleton<LlmBudget>();
        services.AddSingleton<LlmResponseCache>();
        services.AddSingleton<LlmResiliencePipelines>();
        services.AddSingleton<LlmStatistics>();
        services.AddSingleton<LlmStatusReporter>();
        // Polly owns timeouts and retries: HttpClient's own timeout and the factory's default handlers stay out of the way.
        services.AddHttpClient<OpenAiChatClient>(http => http.Timeout = Timeout.InfiniteTimeSpan);
        services.AddHttpClient<AnthropicMessagesClient>(http => http.Timeout = Timeout.InfiniteTimeSpan);
        services.AddHttpClient<GeminiGenerateContentClient>(http => http.Timeout = Timeout.InfiniteTimeSpan);
        services.AddSingleton<ILlmChatClientFactory, ServiceProviderLlmChatClientFactory>();
        services.AddSingleton<PortfolioProposer>();
        services.AddSingleton<LlmTacticProposer>();
        // Registration order is merge priority: the portfolio's candidates first at each rank.
        services.AddSingleton<ITacticProposer>(provider => provider.GetRequiredService<PortfolioProposer>());
        services.AddSingleton<ITacticProposer>(provider => provider.GetRequiredService<LlmTacticProposer>());
        services.AddSingleton<CandidateGenerator>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IDoctorCheck, LlmSettingsCheck>());

        // ---- Verification: safety policy, verdict cache, error learning, the suggestion pipeline, prove ----
        services.AddOptions<VerificationOptions>().BindConfiguration(VerificationOptions.Section).ValidatedAsSettings<VerificationOptions, VerificationOptionsValidation>(services);
        services.AddSingleton<VerdictCache>();
        // Follows leanAssist.learning.directory as it is at each use (settings may arrive after this is built).
        services.AddSingleton(provider => new TacticOutcomeLearning(
            provider.GetRequiredService<IOptionsMonitor<VerificationOptions>>(),
            provider.GetRequiredService<TimeProvider>(),
            provider.GetRequiredService<ILogger<TacticOutcomeLearning>>()));
        services.AddSingleton<SuggestionRunLog>();
        services.AddSingleton<SuggestionService>();
        services.AddOptions<ProofSearchOptions>().BindConfiguration(ProofSearchOptions.Section).ValidatedAsSettings<ProofSearchOptions, ProofSearchOptionsValidation>(services);
        services.AddSingleton<SearchResultCache>();
        services.AddSingleton<IScriptConfirmation, PoolScriptConfirmation>();
        services.AddSingleton<ProofSearchService>();
        services.AddSingleton<ProveSearches>();
        services.AddSingleton<ProveRunner>();

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

        // ---- Editor features: suggestion state per document, code actions, hover, commands, keys ----
        services.AddOptions<EditorOptions>().BindConfiguration(EditorOptions.Section).ValidatedAsSettings<EditorOptions, EditorOptionsValidation>(services);
        services.AddSingleton<EditorSuggestions>();
        services.AddSingleton<EditorProofSearch>();
        services.AddSingleton<SearchProofCommand>();
        services.AddSingleton<CodeActionHandler>();
        services.AddSingleton<HoverHandler>();
        services.AddSingleton<CommandHandler>();
        services.AddSingleton<ApiKeyHandler>();

        // ---- Telemetry for the editor: status notifications, metrics (request, command, files) ----
        services.AddSingleton<StatusPublisher>();
        services.AddSingleton<MetricsCollector>();
        services.AddSingleton<MetricsService>();
        services.AddHostedService<MetricsFileExporter>();
        services.AddHostedService<LanguageServerService>();
        return services;
    }

    /// <summary>
    /// Makes bound options settings: validated at start and on every settings change (invalid settings are
    /// refused as a whole, see SettingsService). The binding itself stays at the call site, on the concrete
    /// type, so the configuration-binding generator replaces reflection there.
    /// </summary>
    public static OptionsBuilder<TOptions> ValidatedAsSettings<TOptions, TValidation>(this OptionsBuilder<TOptions> options, IServiceCollection services)
        where TOptions : class
        where TValidation : class, IValidateOptions<TOptions>
    {
        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TOptions>, TValidation>());
        services.AddSingleton<ISettingsValidation, OptionsSettingsValidation<TOptions>>();
        return options;
    }
}
