using LeanAssist.Protocol.Lsp;
using LeanAssist.Server.LanguageServer;
using LeanAssist.Suggestions.Llm;
using LeanAssist.Suggestions.Llm.Keys;
using LeanAssist.Suggestions.Remote;
using Microsoft.Extensions.Logging;

namespace LeanAssist.Server.ApiKeys;

/// <summary>
/// <c>leanAssist/setApiKey</c>: a key from VS Code's SecretStorage, kept in memory only (the store never
/// writes it anywhere); null forgets it.
/// </summary>
public sealed class ApiKeyHandler(ApiKeyStore keys, KiminaApiKey kiminaKey, LanguageServerEndpoint endpoint, ILogger<ApiKeyHandler> logger)
{
    public async ValueTask SetAsync(SetApiKeyParams parameters, CancellationToken cancellationToken)
    {
        if (string.Equals(parameters.Provider, KiminaApiKey.ProviderName, StringComparison.OrdinalIgnoreCase))
        {
            // Remote verification's key (docs/remote.md), not an LLM provider's.
            kiminaKey.SetFromEditor(parameters.Key);
            return;
        }

        LlmProviderKind? provider = parameters.Provider.ToLowerInvariant() switch
        {
            "openai" => LlmProviderKind.OpenAI,
            "anthropic" => LlmProviderKind.Anthropic,
            "gemini" => LlmProviderKind.Gemini,
            _ => null,
        };
        if (provider is not { } kind)
        {
            logger.LogWarning("An API key for an unknown provider was ignored.");
            await endpoint.Client.ShowMessageAsync(MessageType.Warning, $"LeanAssist: no provider is called \"{parameters.Provider}\" (openai, anthropic, gemini, kimina); the key was not used.").ConfigureAwait(false);
            return;
        }

        keys.SetKey(kind, string.IsNullOrWhiteSpace(parameters.Key) ? null : parameters.Key);
    }
}
