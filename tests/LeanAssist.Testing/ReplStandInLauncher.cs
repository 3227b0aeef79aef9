using System.Text;
using System.Text.Json;
using LeanAssist.Lean.Repl;

namespace LeanAssist.Testing;

/// <summary>
/// Starts the REPL stand-in (tests/LeanAssist.ReplStandIn, a test double for the Lean REPL) as a real
/// process over real pipes, the way the product starts <c>lake env repl</c>.
/// </summary>
public static class ReplStandInLauncher
{
    /// <summary>The stand-in's executable, copied beside the test assembly by the project reference.</summary>
    public static string ExecutablePath
    {
        get
        {
            var directory = AppContext.BaseDirectory;
            var apphost = Path.Combine(directory, OperatingSystem.IsWindows() ? "LeanAssist.ReplStandIn.exe" : "LeanAssist.ReplStandIn");
            if (File.Exists(apphost))
            {
                return apphost;
            }

            throw new InvalidOperationException($"The REPL stand-in was not found at {apphost}; build tests/LeanAssist.ReplStandIn.");
        }
    }

    /// <summary>A launch spec running the stand-in with <paramref name="arguments"/> in <paramref name="workingDirectory"/>.</summary>
    public static ReplLaunchSpec Spec(string workingDirectory, params string[] arguments) =>
        new(ExecutablePath, arguments, workingDirectory, $"REPL stand-in {string.Join(' ', arguments)}");

    /// <summary>The command line for <c>leanAssist.repl.command</c> / <c>--repl-command</c>, each word quoted.</summary>
    public static string CommandLine(params string[] arguments) =>
        string.Join(' ', new[] { ExecutablePath }.Concat(arguments).Select(Quote));

    /// <summary>Quotes a word for <see cref="CommandLineSplitter"/>.</summary>
    public static string Quote(string word) => "\"" + word.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";

    /// <summary>The transcript path (without extension) of a recorded transcript: set is "core" or "mathlib".</summary>
    public static string TranscriptPath(string set, string name) => Path.Combine(RepositoryPaths.TranscriptsDirectory, set, name);

    /// <summary>Every recorded transcript as (set, name), for theories.</summary>
    public static IEnumerable<object[]> AllTranscripts()
    {
        if (!RepositoryPaths.TranscriptsAvailable)
        {
            // xunit needs at least one row; the TranscriptTheory skips it with a clear message.
            yield return ["core", "absent"];
            yield break;
        }

        foreach (var set in new[] { "core", "mathlib" })
        {
            foreach (var file in Directory.EnumerateFiles(Path.Combine(RepositoryPaths.TranscriptsDirectory, set), "*.in").Order(StringComparer.Ordinal))
            {
                yield return [set, Path.GetFileNameWithoutExtension(file)];
            }
        }
    }
}

/// <summary>The stand-in's request log (one JSON line per event): what really reached "Lean".</summary>
public sealed class StandInLog(string path)
{
    public string Path { get; } = path;

    public IReadOnlyList<JsonElement> Entries
    {
        get
        {
            if (!File.Exists(Path))
            {
                return [];
            }

            using var stream = new FileStream(Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var reader = new StreamReader(stream, Encoding.UTF8);
            var text = reader.ReadToEnd();

            // Only complete lines: a line being appended right now is read next time.
            var complete = text[..(text.LastIndexOf('\n') + 1)];
            var entries = new List<JsonElement>();
            foreach (var line in complete.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                using var document = JsonDocument.Parse(line);
                entries.Add(document.RootElement.Clone());
            }

            return entries;
        }
    }

    public IReadOnlyList<JsonElement> Requests => Entries.Where(e => e.GetProperty("event").GetString() == "request").ToArray();

    public int ProcessesStarted => Entries.Count(e => e.GetProperty("event").GetString() == "start");

    public int CountRequests(string kind) => Requests.Count(e => e.GetProperty("kind").GetString() == kind);

    public IReadOnlyList<int> ChildProcessIds =>
        Entries.Where(e => e.GetProperty("event").GetString() == "child").Select(e => e.GetProperty("childPid").GetInt32()).ToArray();
}

/// <summary>Waits for a condition with a timeout (tests never sleep and hope).</summary>
public static class Eventually
{
    public static async Task TrueAsync(Func<bool> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Timed out after {timeout.TotalSeconds:0.#} s waiting for: {what}");
            }

            await Task.Delay(20);
        }
    }
}
