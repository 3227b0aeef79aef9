using System.Text.RegularExpressions;

namespace LeanAssist.Suggestions.Llm.Keys;

/// <summary>
/// Removes API keys from text before it is logged, cached, counted or shown: the keys LeanAssist holds, and
/// anything shaped like a provider key (providers echo keys, or parts of them, in their error messages).
/// </summary>
public static partial class SecretRedactor
{
    public const string Placeholder = "[REDACTED]";

    /// <summary>Shorter secrets are not searched for as plain text: they would match ordinary words.</summary>
    private const int MinimumSecretLength = 8;

    /// <summary>Replaces every occurrence of <paramref name="secrets"/> and every key-shaped token in <paramref name="text"/>.</summary>
    public static string Redact(string text, IEnumerable<string> secrets)
    {
        ArgumentNullException.ThrowIfNull(text);
        var redacted = text;
        foreach (var secret in secrets)
        {
            if (secret.Length >= MinimumSecretLength)
            {
                redacted = redacted.Replace(secret, Placeholder, StringComparison.Ordinal);
            }
        }

        return KeyShaped().Replace(redacted, Placeholder);
    }

    /// <summary>True when <paramref name="text"/> looks like a provider key rather than a name (a key pasted into a name setting).</summary>
    public static bool LooksLikeKey(string text) =>
        text.Length > 64 || KeyShaped().IsMatch(text);

    /// <summary>
    /// OpenAI (<c>sk-</c>, <c>sk-proj-</c>, masked <c>sk-abc***wxyz</c>), Anthropic (<c>sk-ant-</c>) and Google
    /// (<c>AIza</c>) key shapes, and bearer tokens in echoed headers.
    /// </summary>
    [GeneratedRegex(@"sk-[A-Za-z0-9_\-\*]{6,}|AIza[0-9A-Za-z_\-]{20,}|(?<=Bearer\s)[A-Za-z0-9_\-\.=]{8,}", RegexOptions.CultureInvariant)]
    private static partial Regex KeyShaped();
}
