using System.Diagnostics;
using System.Text.Json.Nodes;
using LeanAssist.Lean.Text;
using LeanAssist.Testing;
using LeanAssist.Testing.Lsp;

namespace LeanAssist.Benchmarks.Workloads;

/// <summary>
/// The real <c>leanassist lsp</c> process over stdio, driven like an editor: one open document whose text
/// this class tracks, incremental edits, code-action requests timed from send to answer.
/// </summary>
public sealed class EditorSession : IAsyncDisposable
{
    private readonly ServerProcess _server;
    private SourceText _text = SourceText.Empty;

    private EditorSession(ServerProcess server, TemporaryDirectory project, StandInLog log)
    {
        _server = server;
        Project = project;
        Log = log;
    }

    public TemporaryDirectory Project { get; }

    public StandInLog Log { get; }

    public LspTestClient Client => _server.Client;

    public int ProcessId => _server.Process.Id;

    public string Uri { get; private set; } = string.Empty;

    public int Version { get; private set; }

    public string Text => _text.Text;

    public static async Task<EditorSession> StartAsync(string script, JsonObject settings)
    {
        var project = new TemporaryDirectory("leanassist-bench");
        var standIn = StandInProject.Write(project, "bench", script);
        var all = (JsonObject)settings.DeepClone();
        all["repl"] ??= new JsonObject();
        all["repl"]!["command"] = standIn.ReplCommand();
        // The stand-in's request log (read by the scenarios) is outside what the REPL sandbox lets it write.
        all["repl"]!["sandbox"] ??= "off";
        var server = ServerProcess.Start(new Dictionary<string, string?> { ["LEANASSIST_CACHE_DIR"] = project.Combine("cache") }, "lsp", "--stdio", "--log-file", "none");
        await server.Client.InitializeAsync(
            new JsonObject { ["window"] = new JsonObject { ["workDoneProgress"] = true } },
            new JsonObject { ["settings"] = all },
            Environment.ProcessId).ConfigureAwait(false);
        return new EditorSession(server, project, standIn.Log);
    }

    public async Task OpenAsync(string name, string text)
    {
        var path = Project.WriteFile(name, text);
        Uri = new Uri(path).AbsoluteUri;
        Version = 1;
        _text = new SourceText(text);
        await Client.NotifyAsync("textDocument/didOpen", new JsonObject
        {
            ["textDocument"] = new JsonObject { ["uri"] = Uri, ["languageId"] = "lean4", ["version"] = Version, ["text"] = text },
        }).ConfigureAwait(false);
    }

    /// <summary>Types <paramref name="typed"/> at <paramref name="offset"/>, one incremental change per character; after each, runs <paramref name="afterKeystroke"/>.</summary>
    public async Task TypeAsync(int offset, string typed, Func<Task>? afterKeystroke = null)
    {
        foreach (var rune in typed.EnumerateRunes())
        {
            await ReplaceAsync(offset, offset, rune.ToString()).ConfigureAwait(false);
            offset += rune.Utf16SequenceLength;
            if (afterKeystroke is not null)
            {
                await afterKeystroke().ConfigureAwait(false);
            }
        }
    }

    public async Task ReplaceAsync(int start, int end, string newText)
    {
        var range = _text.GetRange(start, end);
        _text = _text.WithChange(range, newText);
        Version++;
        await Client.NotifyAsync("textDocument/didChange", new JsonObject
        {
            ["textDocument"] = new JsonObject { ["uri"] = Uri, ["version"] = Version },
            ["contentChanges"] = new JsonArray(new JsonObject
            {
                ["range"] = new JsonObject { ["start"] = Position(range.Start), ["end"] = Position(range.End) },
                ["text"] = newText,
            }),
        }).ConfigureAwait(false);
    }

    /// <summary>The positions of every <c>sorry</c> in the current text (as an editor would put the cursor on them).</summary>
    public IReadOnlyList<Utf16Position> Sorries()
    {
        var positions = new List<Utf16Position>();
        for (var offset = _text.Text.IndexOf("  sorry", StringComparison.Ordinal); offset >= 0; offset = _text.Text.IndexOf("  sorry", offset + 1, StringComparison.Ordinal))
        {
            positions.Add(_text.GetUtf16Position(offset + 4));
        }

        return positions;
    }

    /// <summary>Asks for code actions at a position; returns them and how long the editor waited.</summary>
    public async Task<(JsonArray Actions, TimeSpan Waited)> CodeActionsAsync(Utf16Position at, int triggerKind = 2)
    {
        var parameters = new JsonObject
        {
            ["textDocument"] = new JsonObject { ["uri"] = Uri },
            ["range"] = new JsonObject { ["start"] = Position(at), ["end"] = Position(at) },
            ["context"] = new JsonObject { ["diagnostics"] = new JsonArray(), ["triggerKind"] = triggerKind },
        };
        var clock = Stopwatch.StartNew();
        var result = await Client.RequestResultAsync("textDocument/codeAction", parameters).ConfigureAwait(false);
        return ((JsonArray)result!, clock.Elapsed);
    }

    /// <summary>Waits until every sorry of the current version has a verified code action (the lightbulb is ready everywhere).</summary>
    public async Task WaitUntilAllKnownAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        foreach (var sorry in Sorries())
        {
            while (true)
            {
                var (actions, _) = await CodeActionsAsync(sorry).ConfigureAwait(false);
                if (actions.Any(a => a!["edit"] is not null))
                {
                    break;
                }

                if (DateTime.UtcNow > deadline)
                {
                    throw new TimeoutException($"No verified action at {sorry} of version {Version} within {timeout}.");
                }

                var seen = Client.Notifications("leanAssist/status").Count();
                try
                {
                    await Client.WaitForAsync(m => m["method"]?.GetValue<string>() == "leanAssist/status" && Client.Notifications("leanAssist/status").Count() > seen,
                        TimeSpan.FromMilliseconds(250), "a newer status").ConfigureAwait(false);
                }
                catch (TimeoutException)
                {
                    // Ask again: the condition is what counts.
                }
            }
        }
    }

    /// <summary>Resident memory of the server process (VmRSS on Linux, the working set elsewhere), in MB.</summary>
    public double ResidentMegabytes() => ResidentMegabytes(ProcessId);

    public static double ResidentMegabytes(int processId)
    {
        var status = $"/proc/{processId}/status";
        if (File.Exists(status))
        {
            var line = File.ReadLines(status).First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
            return double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) / 1024;
        }

        using var process = Process.GetProcessById(processId);
        return process.WorkingSet64 / 1024.0 / 1024;
    }

    private static JsonObject Position(Utf16Position position) => new() { ["line"] = position.Line, ["character"] = position.Character };

    public async ValueTask DisposeAsync()
    {
        try
        {
            await Client.ShutdownAndExitAsync().WaitAsync(TimeSpan.FromSeconds(20)).ConfigureAwait(false);
            await _server.WaitForExitAsync(TimeSpan.FromSeconds(20)).ConfigureAwait(false);
        }
        catch (Exception e) when (e is TimeoutException or IOException or InvalidOperationException or OperationCanceledException)
        {
            // Disposal kills it.
        }

        await _server.DisposeAsync().ConfigureAwait(false);
        Project.Dispose();
    }
}
