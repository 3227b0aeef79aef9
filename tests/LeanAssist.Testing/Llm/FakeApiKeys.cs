namespace LeanAssist.Testing.Llm;

/// <summary>
/// Key-shaped values for the few tests that need a provider's key shape (redaction of key-shaped text, a key
/// pasted into a name setting). They are joined at run time so that no literal in the repository looks like a
/// real key to a secret scanner or to a reader; every other test uses a plainly fake value instead.
/// </summary>
public static class FakeApiKeys
{
    /// <summary>An Anthropic-shaped key (<c>sk-ant-api03-…</c>) ending in <paramref name="body"/>.</summary>
    public static string Anthropic(string body) => string.Concat("sk", "-ant-api03-", body);

    /// <summary>A Google-shaped key (<c>AIza…</c>) ending in <paramref name="body"/>.</summary>
    public static string Google(string body) => string.Concat("AI", "za", body);
}
