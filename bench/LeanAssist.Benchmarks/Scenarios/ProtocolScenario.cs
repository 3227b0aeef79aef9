using System.Diagnostics;
using System.Text.Json.Nodes;
using LeanAssist.Benchmarks.Workloads;
using LeanAssist.Testing;
using LeanAssist.Testing.Hosting;
using LeanAssist.Testing.Lsp;

namespace LeanAssist.Benchmarks.Scenarios;

public sealed record ProtocolParameters(StandInCostModel Cost, int Sessions, int Starts = 10, int TrivialRequests = 10_000, int CodeActionRequests = 2_000, int OpenDocuments = 20);

public sealed record ProtocolResult(
    IReadOnlyList<TimeSpan> Starts,
    double ResidentAfterInitializeMb,
    LatencyStats TrivialStdio,
    LatencyStats TrivialInProcess,
    LatencyStats CodeActionStdio,
    LatencyStats CodeActionInProcess,
    double ResidentWithDocumentsMb,
    int Documents,
    int DocumentSorries)
{
    public TimeSpan StartMedian => Starts.Order().ElementAt(Starts.Count / 2);
}

/// <summary>
/// What the protocol layer costs: process start to the <c>initialize</c> answer; a trivial request (a
/// hover where there is nothing to show: framing, dispatch, a handler, the answer) over stdio and in
/// process; a code action whose results are known (the lightbulb's real request) over stdio and in
/// process; resident memory after initialize and with many documents open and prefetched.
/// </summary>
public static class ProtocolScenario
{
    public static async Task<ProtocolResult> RunAsync(ProtocolParameters parameters, CancellationToken cancellationToken)
    {
        var starts = new List<TimeSpan>();
        var resident = 0.0;
        for (var i = 0; i < parameters.Starts; i++)
        {
            var clock = Stopwatch.StartNew();
            await using var server = ServerProcess.Start("lsp", "--stdio", "--log-file", "none");
            await server.Client.InitializeAsync(processId: Environment.ProcessId).ConfigureAwait(false);
            starts.Add(clock.Elapsed);
            resident = EditorSession.ResidentMegabytes(server.Process.Id);
            await server.Client.ShutdownAndExitAsync().ConfigureAwait(false);
            await server.WaitForExitAsync(TimeSpan.FromSeconds(20)).ConfigureAwait(false);
        }

        var script = TwentySorries.Script(parameters.Cost);
        var settings = new JsonObject { ["repl"] = new JsonObject { ["sessions"] = parameters.Sessions, ["headerTimeoutSeconds"] = 120 }, ["prefetchIdleMs"] = 100 };

        // Over stdio: the real process.
        await using var editor = await EditorSession.StartAsync(script, settings).ConfigureAwait(false);
        var trivialStdio = await MeasureAsync(editor.Client, "textDocument/hover", Hover("file:///nothing/open.lean"), parameters.TrivialRequests).ConfigureAwait(false);
        await editor.OpenAsync("Twenty.lean", TwentySorries.File()).ConfigureAwait(false);
        await editor.WaitUntilAllKnownAsync(TimeSpan.FromSeconds(parameters.Cost.HeaderSeconds * 2 + 120)).ConfigureAwait(false);
        var sorry = editor.Sorries()[0];
        var codeAction = CodeAction(editor.Uri, sorry.Line, sorry.Character);
        var codeActionStdio = await MeasureAsync(editor.Client, "textDocument/codeAction", codeAction, parameters.CodeActionRequests, mustHaveEdit: true).ConfigureAwait(false);

        // Many open documents, each with its suggestions computed.
        var before = SuggestCount(await editor.Client.RequestResultAsync("leanAssist/metrics").ConfigureAwait(false));
        var sorries = 0;
        for (var i = 1; i <= parameters.OpenDocuments; i++)
        {
            // The header, "open Nat", and four theorems (one of each kind).
            var text = string.Join("\n\n", TwentySorries.File(i).Split("\n\n").Take(2 + 4)) + "\n";
            sorries += text.Split("sorry").Length - 1;
            var path = editor.Project.WriteFile($"Open{i}.lean", text);
            await editor.Client.NotifyAsync("textDocument/didOpen", new JsonObject
            {
                ["textDocument"] = new JsonObject { ["uri"] = new Uri(path).AbsoluteUri, ["languageId"] = "lean4", ["version"] = 1, ["text"] = text },
            }).ConfigureAwait(false);
        }

        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(10);
        while (SuggestCount(await editor.Client.RequestResultAsync("leanAssist/metrics").ConfigureAwait(false)) < before + sorries)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("The open documents were not all prefetched.");
            }

            await Task.Delay(250, cancellationToken).ConfigureAwait(false);
        }

        var residentWithDocuments = editor.ResidentMegabytes();

        // In process: the same server over in-memory pipes.
        using var caches = new TemporaryDirectory("leanassist-bench");
        var standIn = StandInProject.Write(caches, "bench", script);
        await using var inProcess = InProcessServer.Start(
        [
            // No --log: nothing reads a request log for the in-process run.
            new("LeanAssist:repl:command", ReplStandInLauncher.CommandLine("scripted", "--script", standIn.ScriptPath)),
            new("LeanAssist:repl:sessions", parameters.Sessions.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            new("LeanAssist:repl:headerTimeoutSeconds", "120"),
            new("LeanAssist:prefetchIdleMs", "100"),
            .. IsolatedCaches.Settings(caches.Combine("caches")),
        ]);
        await inProcess.Client.InitializeAsync().ConfigureAwait(false);
        var trivialInProcess = await MeasureAsync(inProcess.Client, "textDocument/hover", Hover("file:///nothing/open.lean"), parameters.TrivialRequests).ConfigureAwait(false);
        var file = caches.WriteFile("Twenty.lean", TwentySorries.File());
        var uri = new Uri(file).AbsoluteUri;
        await inProcess.Client.NotifyAsync("textDocument/didOpen", new JsonObject
        {
            ["textDocument"] = new JsonObject { ["uri"] = uri, ["languageId"] = "lean4", ["version"] = 1, ["text"] = TwentySorries.File() },
        }).ConfigureAwait(false);
        var inProcessAction = CodeAction(uri, sorry.Line, sorry.Character);
        deadline = DateTime.UtcNow + TimeSpan.FromMinutes(5);
        while (!((JsonArray)(await inProcess.Client.RequestResultAsync("textDocument/codeAction", inProcessAction.DeepClone()).ConfigureAwait(false))!).Any(a => a!["edit"] is not null))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("In-process suggestions never became known.");
            }

            await Task.Delay(100, cancellationToken).ConfigureAwait(false);
        }

        var codeActionInProcess = await MeasureAsync(inProcess.Client, "textDocument/codeAction", inProcessAction, parameters.CodeActionRequests, mustHaveEdit: true).ConfigureAwait(false);
        return new ProtocolResult(starts, resident, trivialStdio, trivialInProcess, codeActionStdio, codeActionInProcess, residentWithDocuments, parameters.OpenDocuments, sorries);
    }

    private static JsonObject Hover(string uri) => new()
    {
        ["textDocument"] = new JsonObject { ["uri"] = uri },
        ["position"] = new JsonObject { ["line"] = 0, ["character"] = 0 },
    };

    private static JsonObject CodeAction(string uri, int line, int character) => new()
    {
        ["textDocument"] = new JsonObject { ["uri"] = uri },
        ["range"] = new JsonObject { ["start"] = new JsonObject { ["line"] = line, ["character"] = character }, ["end"] = new JsonObject { ["line"] = line, ["character"] = character } },
        ["context"] = new JsonObject { ["diagnostics"] = new JsonArray(), ["triggerKind"] = 2 },
    };

    /// <summary>Sequential requests (one in flight, as an editor's lightbulb asks); a tenth of them first, unmeasured.</summary>
    private static async Task<LatencyStats> MeasureAsync(LspTestClient client, string method, JsonObject parameters, int count, bool mustHaveEdit = false)
    {
        for (var i = 0; i < count / 10; i++)
        {
            await client.RequestAsync(method, parameters.DeepClone()).ConfigureAwait(false);
        }

        var samples = new TimeSpan[count];
        for (var i = 0; i < count; i++)
        {
            var body = parameters.DeepClone();
            var clock = Stopwatch.StartNew();
            var response = await client.RequestAsync(method, body).ConfigureAwait(false);
            samples[i] = clock.Elapsed;
            if (response["error"] is not null || mustHaveEdit && !((JsonArray)response["result"]!).Any(a => a!["edit"] is not null))
            {
                throw new InvalidOperationException($"{method} did not answer as expected: {response.ToJsonString()}");
            }
        }

        return LatencyStats.From(samples);
    }

    private static long SuggestCount(JsonNode? metrics) =>
        metrics!["histograms"]!.AsArray().Where(h => h!["name"]!.GetValue<string>() == "leanassist.suggest.duration").Sum(h => h!["count"]!.GetValue<long>());
}
