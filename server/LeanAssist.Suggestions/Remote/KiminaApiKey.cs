using LeanAssist.Suggestions.Llm.Keys;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace LeanAssist.Suggestions.Remote;

/// <summary>
/// The Kimina API key (Kimina's <c>LEAN_SERVER_API_KEY</c>, sent as <c>Authorization: Bearer</c>): the one the editor
/// handed over from VS Code's SecretStorage (<c>leanAssist/setApiKey</c> with provider "kimina"), else the
/// environment variable named by <c>leanAssist.kimina.apiKeyEnvironmentVariable</c> (default KIMINA_API_KEY).
/// Held in memory only; servers without a key need none.
/// </summary>
public sealed class KiminaApiKey(IOptionsMonitor<RemoteVerificationOptions> options, IEnvironmentVariables environment, ILogger<KiminaApiKey> logger)
{
    /// <summary>The provider name the editor uses for this key.</summary>
    public const string ProviderName = "kimina";

    private volatile string? _editorKey;

    /// <summary>Sets (or, with null or blank, clears) the key from the editor.</summary>
    public void SetFromEditor(string? key)
    {
        _editorKey = string.IsNullOrWhiteSpace(key) ? null : key.Trim();
        logger.LogInformation(_editorKey is null ? "The editor cleared the Kimina API key." : "The editor set the Kimina API key.");
    }

    public ApiKeyLookup Find()
    {
        if (_editorKey is { } editorKey)
        {
            return new ApiKeyLookup(editorKey, ApiKeySource.Editor, null);
        }

        var variable = options.CurrentValue.Kimina.EffectiveApiKeyVariable;
        var value = SecretRedactor.LooksLikeKey(variable) ? null : environment.Get(variable)?.Trim();
        return string.IsNullOrEmpty(value)
            ? new ApiKeyLookup(null, ApiKeySource.None, variable)
            : new ApiKeyLookup(value, variable == KiminaOptions.DefaultApiKeyVariable ? ApiKeySource.DefaultVariable : ApiKeySource.ConfiguredVariable, variable);
    }
}
