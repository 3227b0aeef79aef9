using Xunit;

namespace LeanAssist.Testing;

/// <summary>Where tests find the repository and the shared data beside it.</summary>
public static class RepositoryPaths
{
    private static readonly Lazy<string> Root = new(() =>
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "LeanAssist.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"LeanAssist.sln not found above {AppContext.BaseDirectory}.");
    });

    /// <summary>The repository root (the folder holding LeanAssist.sln).</summary>
    public static string RepositoryRoot => Root.Value;

    /// <summary>
    /// The recorded Lean REPL transcripts: <c>LEANASSIST_TRANSCRIPTS</c> if set, else
    /// <c>../shared/lean-repl-transcripts</c> beside the repository. They are read from there, never copied.
    /// </summary>
    public static string TranscriptsDirectory =>
        Environment.GetEnvironmentVariable("LEANASSIST_TRANSCRIPTS") is { Length: > 0 } overridden
            ? Path.GetFullPath(overridden)
            : Path.GetFullPath(Path.Combine(RepositoryRoot, "..", "shared", "lean-repl-transcripts"));

    public static bool TranscriptsAvailable => Directory.Exists(TranscriptsDirectory);

    /// <summary>
    /// Messages recorded from real LSP clients: <c>LEANASSIST_LSP_CLIENTS</c> if set, else
    /// <c>../shared/lsp-clients</c> beside the repository. Read from there, never copied.
    /// </summary>
    public static string LspClientsDirectory =>
        Environment.GetEnvironmentVariable("LEANASSIST_LSP_CLIENTS") is { Length: > 0 } overridden
            ? Path.GetFullPath(overridden)
            : Path.GetFullPath(Path.Combine(RepositoryRoot, "..", "shared", "lsp-clients"));

    /// <summary>A recorded client message by file name; the test fails with where it looked when it is missing.</summary>
    public static string LspClientMessage(string fileName)
    {
        var path = Path.Combine(LspClientsDirectory, fileName);
        Assert.True(File.Exists(path), $"The recorded client message {path} is missing (set LEANASSIST_LSP_CLIENTS to the folder of ../shared/lsp-clients).");
        return File.ReadAllText(path);
    }

    public static string TranscriptsAbsentMessage =>
        $"Skipped: the recorded Lean REPL transcripts were not found at {TranscriptsDirectory} (set LEANASSIST_TRANSCRIPTS to their folder).";
}

/// <summary>A fact that needs the shared transcripts; skipped with a clear message when they are absent.</summary>
public sealed class TranscriptFactAttribute : FactAttribute
{
    public TranscriptFactAttribute()
    {
        if (!RepositoryPaths.TranscriptsAvailable)
        {
            Skip = RepositoryPaths.TranscriptsAbsentMessage;
        }
    }
}

/// <summary>A theory that needs the shared transcripts; skipped with a clear message when they are absent.</summary>
public sealed class TranscriptTheoryAttribute : TheoryAttribute
{
    public TranscriptTheoryAttribute()
    {
        if (!RepositoryPaths.TranscriptsAvailable)
        {
            Skip = RepositoryPaths.TranscriptsAbsentMessage;
        }
    }
}
