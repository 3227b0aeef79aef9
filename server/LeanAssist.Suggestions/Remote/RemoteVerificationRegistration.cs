using LeanAssist.Lean.Sessions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace LeanAssist.Suggestions.Remote;

public static class RemoteVerificationRegistration
{
    /// <summary>
    /// Registers the Kimina backend and makes <see cref="ILeanSessionPool"/> the router between it and
    /// <typeparamref name="TLocal"/> (registered already). Options binding and validation stay with the caller
    /// (the host binds every settings class the same way).
    /// </summary>
    public static IServiceCollection AddRemoteVerification<TLocal>(this IServiceCollection services)
        where TLocal : class, ILeanSessionPool
    {
        // Polly owns retries; HttpClient's own timeout stays out of the way (each request has its own deadline).
        services.AddHttpClient<KiminaHttpClient>(http => http.Timeout = Timeout.InfiniteTimeSpan);
        services.AddSingleton<KiminaApiKey>();
        services.AddSingleton<KiminaDispatcher>();
        services.AddSingleton<KiminaVerificationBackend>();
        services.AddSingleton(provider => new VerificationBackendRouter(
            provider.GetRequiredService<TLocal>(),
            provider.GetRequiredService<KiminaVerificationBackend>(),
            provider.GetRequiredService<IOptionsMonitor<RemoteVerificationOptions>>()));
        services.RemoveAll<ILeanSessionPool>();
        services.AddSingleton<ILeanSessionPool>(provider => provider.GetRequiredService<VerificationBackendRouter>());
        return services;
    }
}
