namespace LeanAssist.Suggestions.Llm;

/// <summary>Each provider's public endpoint, default model, key variable and metric name.</summary>
public static class LlmProviderDefaults
{
    public static Uri BaseUrl(LlmProviderKind provider) => provider switch
    {
        LlmProviderKind.OpenAI => new Uri("https://api.openai.com/v1/"),
        LlmProviderKind.Anthropic => new Uri("https://api.anthropic.com/"),
        LlmProviderKind.Gemini => new Uri("https://generativelanguage.googleapis.com/v1beta/"),
        _ => throw new ArgumentOutOfRangeException(nameof(provider), provider, "No endpoint without a provider."),
    };

    public static string Model(LlmProviderKind provider) => provider switch
    {
        LlmProviderKind.OpenAI => "gpt-4o-mini",
        LlmProviderKind.Anthropic => "claude-sonnet-4-5",
        LlmProviderKind.Gemini => "gemini-2.5-flash",
        _ => "",
    };

    public static string? ApiKeyVariable(LlmProviderKind provider) => provider switch
    {
        LlmProviderKind.OpenAI => "OPENAI_API_KEY",
        LlmProviderKind.Anthropic => "ANTHROPIC_API_KEY",
        LlmProviderKind.Gemini => "GEMINI_API_KEY",
        _ => null,
    };

    /// <summary>The lower-case name used in settings, cache keys and logs ("openai").</summary>
    public static string SettingName(LlmProviderKind provider) => provider switch
    {
        LlmProviderKind.OpenAI => "openai",
        LlmProviderKind.Anthropic => "anthropic",
        LlmProviderKind.Gemini => "gemini",
        _ => "none",
    };

    /// <summary>The OpenTelemetry <c>gen_ai.provider.name</c> value.</summary>
    public static string TelemetryName(LlmProviderKind provider) => provider switch
    {
        LlmProviderKind.OpenAI => "openai",
        LlmProviderKind.Anthropic => "anthropic",
        LlmProviderKind.Gemini => "gcp.gemini",
        _ => "none",
    };
}

/// <summary>The settings in effect for one request, with defaults filled in.</summary>
public sealed record LlmEndpoint(LlmProviderKind Provider, string Model, Uri BaseUrl)
{
    /// <summary>
    /// The effective endpoint for <paramref name="options"/>. The base URL always ends with '/', so that relative
    /// paths ("chat/completions") append to it instead of replacing its last segment.
    /// </summary>
    public static LlmEndpoint From(LlmOptions options)
    {
        var model = string.IsNullOrWhiteSpace(options.Model) ? LlmProviderDefaults.Model(options.Provider) : options.Model.Trim();
        var baseUrl = string.IsNullOrWhiteSpace(options.BaseUrl) ? LlmProviderDefaults.BaseUrl(options.Provider) : new Uri(options.BaseUrl.Trim());
        if (!baseUrl.AbsoluteUri.EndsWith('/'))
        {
            baseUrl = new Uri(baseUrl.AbsoluteUri + "/");
        }

        return new LlmEndpoint(options.Provider, model, baseUrl);
    }

    /// <summary>True when the endpoint is the provider's public one (which always needs a key).</summary>
    public bool IsPublicEndpoint => Provider != LlmProviderKind.None
        && Uri.Compare(BaseUrl, LlmProviderDefaults.BaseUrl(Provider), UriComponents.SchemeAndServer, UriFormat.Unescaped, StringComparison.OrdinalIgnoreCase) == 0;

    /// <summary>
    /// Whether a request may go without a key: only OpenAI-compatible servers that are not OpenAI itself
    /// (Ollama, vLLM, llama.cpp, LM Studio usually run without one).
    /// </summary>
    public bool RequiresApiKey => Provider != LlmProviderKind.OpenAI || IsPublicEndpoint;

    public override string ToString() => $"{LlmProviderDefaults.SettingName(Provider)} {Model} at {BaseUrl}";
}
