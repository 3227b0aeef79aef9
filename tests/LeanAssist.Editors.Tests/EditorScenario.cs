using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using LeanAssist.Testing;
using LeanAssist.Testing.Lsp;

namespace LeanAssist.Editors.Tests;

/// <summary>
/// One editor session against the real server: a Lake project holding examples/Basics.lean, the REPL
/// stand-in (a test double for Lean, scripted by examples/Basics.standin.json) as <c>leanAssist.repl.command</c>,
/// and the editor running its client script (Neovim/, Emacs/). The script writes what it sent and saw as
/// JSON lines (<see cref="EditorReport"/>); the server logs at Debug to a file the test reads.
/// </summary>
public sealed class EditorScenario : IDisposable
{
    /// <summary>How long the script waits for a verified code action (2 shared cores, cold .NET start).</summary>
    private static readonly TimeSpan VerifiedActionTimeout = TimeSpan.FromMinutes(2);

    private static readonly TimeSpan EditorTimeout = TimeSpan.FromMinutes(4);

    private readonly TemporaryDirectory _directory = new();

    public EditorScenario()
    {
        var script = File.ReadAllText(Path.Combine(RepositoryPaths.RepositoryRoot, "examples", "Basics.standin.json"));
        Project = StandInProject.Write(_directory, "editors", script, "project");
        LeanFile = Path.Combine(Project.Root, "Basics.lean");
        File.Copy(Path.Combine(RepositoryPaths.RepositoryRoot, "examples", "Basics.lean"), LeanFile);
        OriginalText = File.ReadAllText(LeanFile);
        ServerLog = _directory.Combine("server.log");
        ReportPath = _directory.Combine("report.jsonl");
        Home = _directory.Combine("home");
        Directory.CreateDirectory(Home);
    }

    public StandInProject Project { get; }

    public string LeanFile { get; }

    public string OriginalText { get; }

    public string ServerLog { get; }

    public string ReportPath { get; }

    /// <summary>HOME and XDG folders of the editor, so no user configuration, plugin or log is involved.</summary>
    public string Home { get; }

    /// <summary>
    /// The command the editor starts: the server built beside these tests, logging at Debug. Without the REPL
    /// sandbox: the tests read the stand-in's request log, which a sandboxed REPL cannot write outside its own
    /// temporary folder (the sandbox itself is tested in tests/LeanAssist.Lean.Tests/Sandbox).
    /// </summary>
    public IReadOnlyList<string> ServerCommand =>
        [ServerProcess.DotnetHost, ServerProcess.ServerDll, "lsp", "--stdio", "--log-file", ServerLog, "--log-level", "Debug", "--sandbox", "off"];

    /// <summary>The <c>leanAssist</c> settings section the client hands the server.</summary>
    public JsonObject Settings => new()
    {
        ["repl"] = new JsonObject { ["command"] = Project.ReplCommand(), ["sessions"] = 2 },
    };

    /// <summary>Runs <paramref name="executable"/> with <paramref name="arguments"/> and reads the report it wrote.</summary>
    public async Task<EditorRun> RunAsync(string executable, params string[] arguments)
    {
        var start = new ProcessStartInfo(executable)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Project.Root,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        var environment = new Dictionary<string, string>
        {
            ["LEANASSIST_EDITOR_SERVER_CMD"] = JsonSerializer.Serialize(ServerCommand),
            ["LEANASSIST_EDITOR_ROOT"] = Project.Root,
            ["LEANASSIST_EDITOR_FILE"] = LeanFile,
            ["LEANASSIST_EDITOR_SETTINGS"] = Settings.ToJsonString(),
            ["LEANASSIST_EDITOR_TIMEOUT_MS"] = ((int)VerifiedActionTimeout.TotalMilliseconds).ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["LEANASSIST_EDITOR_REPORT"] = ReportPath,
            ["LEANASSIST_CACHE_DIR"] = _directory.Combine("cache"),
            ["HOME"] = Home,
            ["XDG_CONFIG_HOME"] = Path.Combine(Home, ".config"),
            ["XDG_CACHE_HOME"] = Path.Combine(Home, ".cache"),
            ["XDG_DATA_HOME"] = Path.Combine(Home, ".local", "share"),
            ["XDG_STATE_HOME"] = Path.Combine(Home, ".local", "state"),
        };
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        var started = Stopwatch.GetTimestamp();
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{executable} did not start.");
        // Nothing to read from the test: a prompt the script did not expect ends it instead of hanging.
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(EditorTimeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            throw new TimeoutException($"{executable} did not finish within {EditorTimeout.TotalMinutes} min.\nreport:\n{ReadOrEmpty(ReportPath)}\nstderr:\n{await error}\nserver log:\n{ReadOrEmpty(ServerLog)}");
        }

        return new EditorRun(process.ExitCode, Stopwatch.GetElapsedTime(started), await output, await error,
            EditorReport.Read(ReportPath), ReadOrEmpty(ServerLog), File.ReadAllText(LeanFile));
    }

    public void Dispose() => _directory.Dispose();

    private static string ReadOrEmpty(string path)
    {
        if (!File.Exists(path))
        {
            return string.Empty;
        }

        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }
}

/// <summary>What one editor run produced.</summary>
/// <param name="FileText">The .lean file on disk afterwards (the editors change the buffer, never save it).</param>
public sealed record EditorRun(int ExitCode, TimeSpan Duration, string StandardOutput, string StandardError, EditorReport Report, string ServerLog, string FileText)
{
    /// <summary>Everything needed to see why a run failed.</summary>
    public string Describe() =>
        $"editor exit code {ExitCode} after {Duration.TotalSeconds:0.0} s\n--- report ---\n{Report.Text}\n--- editor stderr ---\n{StandardError}\n--- editor stdout ---\n{StandardOutput}\n--- server log ---\n{ServerLog}";
}

/// <summary>The JSON lines an editor script wrote: one event each (<c>"event": "code-actions"</c>, ...).</summary>
public sealed class EditorReport
{
    private EditorReport(string text, IReadOnlyList<JsonObject> events)
    {
        Text = text;
        Events = events;
    }

    public string Text { get; }

    public IReadOnlyList<JsonObject> Events { get; }

    public static EditorReport Read(string path)
    {
        var text = File.Exists(path) ? File.ReadAllText(path) : string.Empty;
        var events = text.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => JsonNode.Parse(line)!.AsObject())
            .ToArray();
        return new EditorReport(text, events);
    }

    /// <summary>The one event named <paramref name="name"/>, or null.</summary>
    public JsonObject? Find(string name) => Events.SingleOrDefault(e => e["event"]?.GetValue<string>() == name);

    /// <summary>The one event named <paramref name="name"/>; fails the test with the whole report when absent.</summary>
    public JsonObject Single(string name, string context) =>
        Find(name) ?? throw new Xunit.Sdk.XunitException($"The editor reported no \"{name}\" event.\n{context}");
}
