namespace LeanAssist.Testing;

/// <summary>
/// Settings that point every LeanAssist cache (LLM answers and spend, verdicts, learning, Lean command
/// outcomes) at one folder, so a test host never shares state with another test or with the user's cache.
/// </summary>
public static class IsolatedCaches
{
    public static IEnumerable<KeyValuePair<string, string?>> Settings(string directory) =>
    [
        new("LeanAssist:llmCache:directory", Path.Combine(directory, "llm")),
        new("LeanAssist:verdictCache:directory", Path.Combine(directory, "verdicts")),
        new("LeanAssist:learning:directory", Path.Combine(directory, "learning")),
        new("LeanAssist:repl:outcomeCacheDirectory", Path.Combine(directory, "lean-outcomes")),
    ];
}
