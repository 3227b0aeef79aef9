using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using LeanAssist.Testing;
using Xunit.Abstractions;

namespace LeanAssist.Editors.Tests;

/// <summary>
/// What every real client must see in one session (EditorScenario): <c>initialize</c> answered (never
/// -32602) with every capability it sent readable, a code action at the first <c>sorry</c> that Lean (the
/// stand-in) verified, the hover table, the action applied to that line only, and the server exiting 0
/// after shutdown and exit. Keeps the exact <c>initialize</c> each client sent as a test artifact.
/// </summary>
public static partial class RealClientSession
{
    /// <summary>Where artifacts go: <c>LEANASSIST_TEST_ARTIFACTS</c>, else a folder in the temp directory (never the repository).</summary>
    public static string ArtifactsDirectory =>
        Path.Combine(
            Environment.GetEnvironmentVariable("LEANASSIST_TEST_ARTIFACTS") is { Length: > 0 } configured
                ? configured
                : Path.Combine(Path.GetTempPath(), "leanassist-test-artifacts"),
            "editors");

    public static void AssertSucceeded(EditorScenario scenario, EditorRun run, ITestOutputHelper output)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(output);
        var context = run.Describe();
        var report = run.Report;
        var client = report.Find("client");
        var clientName = client is null ? "unknown-client" : $"{client["name"]}-{client["version"]}";
        SaveArtifacts(clientName, run, output);

        // initialize: sent, answered with a result (not -32602), every capability readable.
        var message = JsonNode.Parse(report.Single("initialize-message", context)["message"]!.GetValue<string>())!.AsObject();
        Assert.Equal("initialize", message["method"]?.GetValue<string>());
        Assert.IsType<JsonObject>(message["params"]?["capabilities"]);
        var answer = report.Single("initialize-answer", context);
        Assert.True(answer["error"] is null, $"The server refused {clientName}'s initialize: {answer["error"]?.ToJsonString()}\n{context}");
        Assert.True(answer["hasResult"]?.GetValue<bool>() == true, context);
        Assert.Equal("leanassist", report.Single("initialize-result", context)["serverInfo"]?["name"]?.GetValue<string>());
        Assert.Contains("Initialized by ", run.ServerLog);
        Assert.True(!run.ServerLog.Contains("could not be read count as absent", StringComparison.Ordinal),
            $"The server could not read some of {clientName}'s capabilities:\n{run.ServerLog}");

        Assert.True(report.Find("failed") is null, $"The editor script failed: {report.Find("failed")?["message"]}\n{context}");
        Assert.True(run.ExitCode == 0 && report.Find("failed") is null && report.Find("done") is not null, context);

        // A verified code action at the first sorry: a tactic Lean (the stand-in) completed.
        var sorryLine = FirstSorryLine(scenario.OriginalText);
        var actions = report.Single("code-actions", context);
        Assert.True(actions["verified"]?.GetValue<bool>() == true, context);
        Assert.Equal(sorryLine, actions["line"]?.GetValue<int>());
        var title = actions["first"]!.GetValue<string>();
        var verified = VerifiedTitle().Match(title);
        Assert.True(verified.Success, $"Not a verified action's title: {title}");
        var tactic = verified.Groups["tactic"].Value;
        Assert.Contains(scenario.Project.Log.Requests, r =>
            r.GetProperty("kind").GetString() == "tactic" && r.GetProperty("tactic").GetString() == tactic
            && r.GetProperty("outcome").GetString() == "Completed");

        // The hover on the sorry: the candidate table with Lean's verdicts and times.
        var hover = report.Single("hover", context)["markdown"]?.GetValue<string>() ?? string.Empty;
        Assert.Contains("| tactic | verdict | Lean |", hover);
        Assert.Matches($@"\| `{Regex.Escape(tactic)}` \| ✅ closes the goal \| \d+ ms \|", hover);

        // Applying it replaced that sorry and changed nothing else.
        var changed = report.Single("applied", context)["changed"]!.AsArray();
        var only = Assert.Single(changed)!;
        Assert.Equal(sorryLine, only["line"]?.GetValue<int>());
        Assert.Equal("  sorry", only["before"]?.GetValue<string>());
        Assert.Equal($"  {tactic}", only["after"]?.GetValue<string>());

        // shutdown, exit: the server process ended by itself with 0.
        var exit = report.Single("server-exit", context);
        Assert.True(exit["code"]?.GetValue<int>() == 0 && exit["signal"]?.GetValue<int>() == 0, $"server exit: {exit.ToJsonString()}\n{context}");
        Assert.Contains("Exit requested; exit code 0.", run.ServerLog);

        output.WriteLine($"{clientName}: first verified code action after {actions["elapsedMs"]} ms ({actions["attempts"]} requests): {title}");
        output.WriteLine($"{clientName}: editor session {run.Duration.TotalSeconds:0.0} s in all");
    }

    /// <summary>The 1-based line of the first <c>sorry</c> that is a proof (the doc comment mentions the word too).</summary>
    public static int FirstSorryLine(string text) =>
        Array.FindIndex(text.Split('\n'), line => line.Trim() == "sorry") + 1;

    private static void SaveArtifacts(string clientName, EditorRun run, ITestOutputHelper output)
    {
        var directory = ArtifactsDirectory;
        Directory.CreateDirectory(directory);
        if (run.Report.Find("initialize-message")?["message"]?.GetValue<string>() is { } message)
        {
            var path = Path.Combine(directory, $"{clientName}-initialize.json");
            File.WriteAllText(path, JsonNode.Parse(message)!.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }) + "\n");
            output.WriteLine($"{clientName}: the initialize request it sent is in {path}");
        }

        File.WriteAllText(Path.Combine(directory, $"{clientName}-report.jsonl"), run.Report.Text);
        File.WriteAllText(Path.Combine(directory, $"{clientName}-server.log"), run.ServerLog);
        output.WriteLine($"{clientName}: its report and the server's log are in {directory}");
    }

    [GeneratedRegex(@"^LeanAssist: `(?<tactic>[^`\n]+)` closes the goal \(\d+ ms\)$")]
    private static partial Regex VerifiedTitle();
}
