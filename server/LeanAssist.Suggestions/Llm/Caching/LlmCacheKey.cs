using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using LeanAssist.Suggestions.Llm.Providers;

namespace LeanAssist.Suggestions.Llm.Caching;

/// <summary>
/// The identity of an LLM request for caching: provider, endpoint, model, the full prompt and the sampling
/// settings, hashed (SHA-256, hex). The key never holds the API key, and holds no readable prompt text.
/// </summary>
public static class LlmCacheKey
{
    /// <summary>Bump when the meaning of a cached answer changes (prompt format, parsing of usage).</summary>
    public const int FormatVersion = 1;

    public static string Compute(LlmCompletionRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var builder = new StringBuilder();
        // Length-prefixed fields, so no choice of text can make two different requests collide.
        Append(builder, FormatVersion.ToString(CultureInfo.InvariantCulture));
        Append(builder, LlmProviderDefaults.SettingName(request.Endpoint.Provider));
        Append(builder, request.Endpoint.BaseUrl.AbsoluteUri);
        Append(builder, request.Endpoint.Model);
        Append(builder, request.Temperature.ToString("R", CultureInfo.InvariantCulture));
        Append(builder, request.MaxOutputTokens.ToString(CultureInfo.InvariantCulture));
        Append(builder, request.Prompt.System);
        Append(builder, request.Prompt.User);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(builder.ToString())));
    }

    private static void Append(StringBuilder builder, string field) =>
        builder.Append(field.Length.ToString(CultureInfo.InvariantCulture)).Append(':').Append(field).Append('\n');
}
