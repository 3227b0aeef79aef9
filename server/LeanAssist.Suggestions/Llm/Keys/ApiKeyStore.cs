using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace LeanAssist.Suggestions.Llm.Keys;

/// <summary>Reads environment variables; a seam so tests do not change the process environment.</summary>
public interface IEnvironmentVariables
{
    string? Get(string name);
}

/// <summary>The process's real environment.</summary>
public sealed class ProcessEnvironmentVariables : IEnvironmentVariables
{
    public string? Get(string name) => Environment.GetEnvironmentVariable(name);
}

/// <summary>Where the key in use came from (shown by the status and the doctor; the key itself never is).</summary>
public enum ApiKeySource
{
    None,

    /// <summary>Handed over by the editor (VS Code SecretStorage) with <see cref="ApiKeyStore.SetKey"/>.</summary>
    Editor,

    /// <summary>The variable named by <c>leanAssist.apiKeyEnvironmentVariable</c>.</summary>
    ConfiguredVariable,

    /// <summary>The provider's usual variable (OPENAI_API_KEY, ANTHROPIC_API_KEY, GEMINI_API_KEY).</summary>
    DefaultVariable,
}

/// <summary>A key lookup's answer. <see cref="Key"/> goes into one HTTP header and nowhere else.</summary>
/// <param name="VariableName">The environment variable read or expected (safe to show), if any.</param>
public sealed record ApiKeyLookup(string? Key, ApiKeySource Source, string? VariableName)
{
    public bool Present => Key is not null;

    /// <summary>Where the key came from or was looked for, for status and doctor (never the key).</summary>
    public string Describe() => Source switch
    {
        ApiKeySource.Editor => "set in the editor (secret storage)",
        ApiKeySource.ConfiguredVariable or ApiKeySource.DefaultVariable => $"from environment variable {VariableName}",
        _ => VariableName is null ? "no key" : $"not set (looked in environment variable {VariableName})",
    };
}

/// <summary>
/// Owns the API keys: those the editor hands over in memory (from VS Code's SecretStorage, through a custom LSP
/// notification) and those read from environment variables. Precedence: editor, then the variable named in
/// <c>leanAssist.apiKeyEnvironmentVariable</c>, then the provider's usual variable. Keys are held in memory only,
/// never written anywhere; <see cref="Redact"/> removes every key it has seen from text.
/// </summary>
public sealed class ApiKeyStore(IOptionsMonitor<LlmOptions> options, IEnvironmentVariables environment, ILogger<ApiKeyStore> logger)
{
    private readonly ConcurrentDictionary<LlmProviderKind, string> _editorKeys = new();

    // Every key value ever seen (also replaced or cleared ones), so text from an old request is still redacted.
    private readonly ConcurrentDictionary<string, byte> _knownSecrets = new(StringComparer.Ordinal);

    /// <summary>Raised when the editor set or cleared a key.</summary>
    public event Action<LlmProviderKind>? KeyChanged;

    /// <summary>Sets (or, with null or empty, clears) the key the editor holds for <paramref name="provider"/>.</summary>
    public void SetKey(LlmProviderKind provider, string? key)
    {
        if (provider == LlmProviderKind.None)
        {
            throw new ArgumentOutOfRangeException(nameof(provider), "Keys belong to a provider.");
        }

        if (string.IsNullOrWhiteSpace(key))
        {
            _editorKeys.TryRemove(provider, out _);
            logger.LogInformation("The editor cleared the {Provider} API key.", LlmProviderDefaults.SettingName(provider));
        }
        else
        {
            var trimmed = key.Trim();
            _knownSecrets.TryAdd(trimmed, 0);
            _editorKeys[provider] = trimmed;
            logger.LogInformation("The editor set the {Provider} API key.", LlmProviderDefaults.SettingName(provider));
        }

        KeyChanged?.Invoke(provider);
    }

    /// <summary>The key to use for <paramref name="provider"/> with the current settings.</summary>
    public ApiKeyLookup Find(LlmProviderKind provider)
    {
        if (provider == LlmProviderKind.None)
        {
            return new ApiKeyLookup(null, ApiKeySource.None, null);
        }

        if (_editorKeys.TryGetValue(provider, out var editorKey))
        {
            return new ApiKeyLookup(editorKey, ApiKeySource.Editor, null);
        }

        var configured = options.CurrentValue.ApiKeyEnvironmentVariable?.Trim();
        var usesConfigured = !string.IsNullOrEmpty(configured) && !SecretRedactor.LooksLikeKey(configured);
        var variable = usesConfigured ? configured! : LlmProviderDefaults.ApiKeyVariable(provider)!;
        var value = environment.Get(variable)?.Trim();
        if (string.IsNullOrEmpty(value))
        {
            return new ApiKeyLookup(null, ApiKeySource.None, variable);
        }

        _knownSecrets.TryAdd(value, 0);
        return new ApiKeyLookup(value, usesConfigured ? ApiKeySource.ConfiguredVariable : ApiKeySource.DefaultVariable, variable);
    }

    /// <summary>Removes every key this store has handed out or been given, and anything key-shaped, from <paramref name="text"/>.</summary>
    public string Redact(string text) => SecretRedactor.Redact(text, _knownSecrets.Keys);
}
