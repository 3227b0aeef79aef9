using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using LeanAssist.Testing;
using LeanAssist.Testing.Lsp;

namespace LeanAssist.Benchmarks.Reliability;

/// <summary>
/// Structure-aware LSP fuzzing of the real <c>leanassist lsp</c> process: valid JSON-RPC with wrong-typed
/// params for every request and notification the server serves, unknown methods, invalid requests, truncated
/// and random bodies, bad headers, oversized frames, requests before <c>initialize</c> and a second
/// <c>initialize</c>, answers to requests never sent, and cancels of unknown ids. Every request with an id
/// must get exactly one answer with the code the spec prescribes, every frame that cannot carry an id one
/// error with a null id, no notification an answer; the process must not die, and afterwards it must still
/// verify a tactic at a <c>sorry</c> (the REPL is the stand-in, in the sandbox where it works).
/// </summary>
public static class LspFuzzCampaign
{
    private const int MaxMessageBytes = 1 << 20;
    private const string Script = """
        {
          "headerSeconds": 0.05, "commandMs": 1, "tacticMs": 2,
          "goals": [ { "declaration": "two", "goals": ["⊢ 1 + 1 = 2"] } ],
          "tactics": [ { "tactic": "rfl", "result": "completed" } ]
        }
        """;

    private static readonly string[] ParamsRequests = ["textDocument/codeAction", "textDocument/hover", "workspace/executeCommand"];
    private static readonly string[] Notifications =
    [
        "textDocument/didOpen", "textDocument/didChange", "textDocument/didClose", "workspace/didChangeConfiguration",
        "leanAssist/setApiKey", "$/setTrace", "window/workDoneProgress/cancel", "$/cancelRequest", "initialized",
    ];

    private static readonly Func<JsonNode?>[] WrongParams =
    [
        () => 42, () => "text", () => true, () => new JsonArray(1, 2), () => new JsonObject { ["textDocument"] = 5 },
        () => new JsonObject { ["textDocument"] = new JsonObject { ["uri"] = 7 }, ["position"] = new JsonObject { ["line"] = "a", ["character"] = -1 } },
        () => new JsonObject { ["textDocument"] = new JsonObject { ["uri"] = "file:///x.lean" }, ["range"] = "everywhere", ["context"] = 3 },
        () => new JsonObject { ["command"] = 7, ["arguments"] = "none" },
        () => new JsonObject { ["textDocument"] = new JsonObject { ["uri"] = "file:///x.lean" }, ["position"] = new JsonObject { ["line"] = 1e30, ["character"] = 0.5 } },
    ];

    private static readonly string[] BadHeaders = ["Content-Length: zz\r\n\r\n", "Content-Length: 12abc\r\n\r\n", "Content-Length: -5\r\n\r\n"];

    public static async Task<CampaignResult> RunAsync(int frames, int seed, CancellationToken token)
    {
        using var directory = new TemporaryDirectory("leanassist-fuzz");
        var project = StandInProject.Write(directory, "fuzz", Script, "project");
        var random = new Random(seed);
        var clock = Stopwatch.StartNew();
        await using var server = ServerProcess.Start(new Dictionary<string, string?> { ["LEANASSIST_CACHE_DIR"] = directory.Combine("cache") },
            "lsp", "--stdio", "--log-file", "none", "--max-message-size", MaxMessageBytes.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--repl-command", ReplStandInLauncher.CommandLine("scripted", "--script", project.ScriptPath));
        var client = server.Client;
        var expected = new Dictionary<string, (string Category, int[] Codes)>(StringComparer.Ordinal);
        var categories = new Dictionary<string, int>(StringComparer.Ordinal);
        var expectedNullIdErrors = 0;
        var next = 0;

        string Id(string category, params int[] codes)
        {
            var id = $"f{next++}";
            expected[id] = (category, codes);
            return id;
        }

        void Count(string category) => categories[category] = categories.GetValueOrDefault(category) + 1;

        Task Send(JsonObject message) => client.SendRawAsync(LspTestClient.Frame(Encoding.UTF8.GetBytes(message.ToJsonString())));

        // Before initialize: every request is ServerNotInitialized (-32002).
        foreach (var method in ParamsRequests.Append("leanAssist/metrics"))
        {
            Count("request before initialize");
            await Send(new JsonObject { ["jsonrpc"] = "2.0", ["id"] = Id("request before initialize", -32002), ["method"] = method, ["params"] = new JsonObject() });
        }

        var sent = ParamsRequests.Length + 1;
        await client.InitializeAsync(new JsonObject { ["window"] = new JsonObject { ["workDoneProgress"] = true } });
        var oversizedSent = 0;
        while (sent < frames && !token.IsCancellationRequested)
        {
            var kind = random.Next(100);
            if (kind < 30)
            {
                // JSON-RPC 2.0: params that are not an array or object make an Invalid Request (-32600);
                // structured params of the wrong shape are Invalid params (-32602).
                var method = ParamsRequests[random.Next(ParamsRequests.Length)];
                var parameters = WrongParams[random.Next(WrongParams.Length)]();
                var structured = parameters is JsonObject or JsonArray;
                var category = structured ? "wrong-typed params (request)" : "primitive params (request)";
                Count(category);
                await Send(new JsonObject { ["jsonrpc"] = "2.0", ["id"] = Id(category, structured ? -32602 : -32600), ["method"] = method, ["params"] = parameters });
            }
            else if (kind < 45)
            {
                // A notification is never answered, unless it is not a valid request object at all (primitive params):
                // then it is an Invalid Request, answered with a null id.
                var parameters = WrongParams[random.Next(WrongParams.Length)]();
                var structured = parameters is JsonObject or JsonArray;
                Count(structured ? "wrong-typed params (notification)" : "primitive params (notification)");
                await Send(new JsonObject { ["jsonrpc"] = "2.0", ["method"] = Notifications[random.Next(Notifications.Length)], ["params"] = parameters });
                expectedNullIdErrors += structured ? 0 : 1;
            }
            else if (kind < 52)
            {
                Count("unknown method");
                await Send(new JsonObject { ["jsonrpc"] = "2.0", ["id"] = Id("unknown method", -32601), ["method"] = $"fuzz/unknown{random.Next(1000)}", ["params"] = new JsonObject() });
            }
            else if (kind < 60)
            {
                Count("cancel of an unknown id");
                await Send(new JsonObject { ["jsonrpc"] = "2.0", ["method"] = "$/cancelRequest", ["params"] = new JsonObject { ["id"] = $"never-{random.Next()}" } });
            }
            else if (kind < 64)
            {
                Count("answer to a request never sent");
                await Send(new JsonObject { ["jsonrpc"] = "2.0", ["id"] = $"server-never-{random.Next()}", ["result"] = new JsonObject { ["x"] = 1 } });
            }
            else if (kind < 67)
            {
                Count("second initialize");
                // LSP: initialize may be sent once; any error answers it, a result would be wrong.
                await Send(new JsonObject { ["jsonrpc"] = "2.0", ["id"] = Id("second initialize", -32600, -32602, -32603, -32002), ["method"] = "initialize", ["params"] = new JsonObject { ["capabilities"] = new JsonObject() } });
            }
            else if (kind < 77)
            {
                Count("truncated body (parse error)");
                var body = Encoding.UTF8.GetBytes(new JsonObject { ["jsonrpc"] = "2.0", ["id"] = $"cut{random.Next()}", ["method"] = "textDocument/hover", ["params"] = new JsonObject { ["x"] = new string('a', random.Next(0, 200)) } }.ToJsonString());
                await client.SendRawAsync(LspTestClient.Frame(body[..random.Next(1, body.Length - 1)]));
                expectedNullIdErrors++;
            }
            else if (kind < 85)
            {
                Count("random bytes");
                var body = new byte[random.Next(1, 300)];
                random.NextBytes(body);
                body[0] = (byte)'{'; // never valid JSON: an unclosed object
                await client.SendRawAsync(LspTestClient.Frame(body));
                expectedNullIdErrors++;
            }
            else if (kind < 91)
            {
                Count("invalid request");
                string[] invalid = ["""{"jsonrpc":"2.0","hello":true}""", """[{"jsonrpc":"2.0","id":1,"method":"x"}]""", "17", "\"text\"", """{"jsonrpc":"2.0","method":5}"""];
                await client.SendRawAsync(LspTestClient.Frame(Encoding.UTF8.GetBytes(invalid[random.Next(invalid.Length)])));
                expectedNullIdErrors++;
            }
            else if (kind < 97)
            {
                Count("bad header");
                await client.SendRawAsync(Encoding.ASCII.GetBytes(BadHeaders[random.Next(BadHeaders.Length)]));
                expectedNullIdErrors++;
            }
            else if (kind < 98 && oversizedSent < Math.Max(3, frames / 2000))
            {
                Count("oversized frame");
                oversizedSent++;
                var padding = new string('x', MaxMessageBytes + random.Next(1, 1 << 16));
                await Send(new JsonObject { ["jsonrpc"] = "2.0", ["id"] = $"huge{oversizedSent}", ["method"] = "textDocument/hover", ["params"] = new JsonObject { ["pad"] = padding } });
                expectedNullIdErrors++;
            }
            else
            {
                Count("cancel before its request");
                var id = Id("cancel before its request", -32800, -32602);
                await Send(new JsonObject { ["jsonrpc"] = "2.0", ["method"] = "$/cancelRequest", ["params"] = new JsonObject { ["id"] = id } });
                await Send(new JsonObject { ["jsonrpc"] = "2.0", ["id"] = id, ["method"] = "textDocument/hover", ["params"] = new JsonObject { ["textDocument"] = new JsonObject { ["uri"] = "file:///nowhere.lean" }, ["position"] = new JsonObject { ["line"] = 0, ["character"] = 0 } } });
                expected[id] = ("cancel before its request", [-32800, 0]); // 0: a result (null hover) is also an answer per spec
                sent++;
            }

            sent++;
            if (sent % 500 == 0)
            {
                // Bounded: every 500 frames wait for the server to have answered what has an id so far.
                await WaitAsync(() => AnsweredIds(client).Count >= expected.Count - 1, TimeSpan.FromSeconds(60));
            }
        }

        var finished = await WaitAsync(() => AnsweredIds(client).Count >= expected.Count && NullIdErrors(client) >= expectedNullIdErrors, TimeSpan.FromSeconds(60));
        var received = client.Received;
        var answers = received.Where(m => m["method"] is null && (m.ContainsKey("result") || m.ContainsKey("error"))).ToList();
        var byId = answers.Where(m => m["id"] is JsonValue v && v.TryGetValue<string>(out _)).GroupBy(m => m["id"]!.GetValue<string>()).ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
        var missing = expected.Keys.Count(id => !byId.ContainsKey(id));
        var duplicated = byId.Count(g => expected.ContainsKey(g.Key) && g.Value.Count > 1);
        // t1, t2, …: the test client's own requests (initialize); everything else must be an id the fuzzer expects an answer to.
        var unexpectedIds = byId.Keys.Where(id => !expected.ContainsKey(id) && !System.Text.RegularExpressions.Regex.IsMatch(id, "^t[0-9]+$")).ToList();
        var unexpected = unexpectedIds.Count;
        var wrongCodes = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (id, (category, codes)) in expected)
        {
            if (byId.TryGetValue(id, out var list))
            {
                var code = list[0]["error"]?["code"]?.GetValue<int>() ?? 0;
                if (!codes.Contains(code))
                {
                    wrongCodes[$"{category}: got {(code == 0 ? "a result" : code.ToString(System.Globalization.CultureInfo.InvariantCulture))}"] =
                        wrongCodes.GetValueOrDefault($"{category}: got {(code == 0 ? "a result" : code.ToString(System.Globalization.CultureInfo.InvariantCulture))}") + 1;
                }
            }
        }

        var nullIdErrors = NullIdErrors(client);
        var crashed = server.Process.HasExited;

        // Afterwards: the server still verifies a tactic at a sorry and answers a hover.
        var correctAfter = false;
        string afterDetail;
        try
        {
            var text = "import Mathlib.Tactic\n\ntheorem two : 1 + 1 = 2 := by\n  sorry\n";
            var uri = new Uri(Path.Combine(project.Root, "Fuzz.lean")).AbsoluteUri;
            File.WriteAllText(Path.Combine(project.Root, "Fuzz.lean"), text);
            await client.NotifyAsync("textDocument/didOpen", new JsonObject { ["textDocument"] = new JsonObject { ["uri"] = uri, ["languageId"] = "lean4", ["version"] = 1, ["text"] = text } });
            var position = new JsonObject { ["line"] = 3, ["character"] = 3 };
            JsonNode? actions = null;
            for (var attempt = 0; attempt < 100 && !(actions is JsonArray { Count: > 0 } a && a.Any(x => x?["title"]?.GetValue<string>().Contains("rfl", StringComparison.Ordinal) == true)); attempt++)
            {
                actions = await client.RequestResultAsync("textDocument/codeAction", new JsonObject
                {
                    ["textDocument"] = new JsonObject { ["uri"] = uri },
                    ["range"] = new JsonObject { ["start"] = position.DeepClone(), ["end"] = position.DeepClone() },
                    ["context"] = new JsonObject { ["diagnostics"] = new JsonArray(), ["triggerKind"] = 1 },
                }, TimeSpan.FromSeconds(30));
                await Task.Delay(100, token);
            }

            var titles = (actions as JsonArray)?.Select(x => x?["title"]?.GetValue<string>()).ToList() ?? [];
            correctAfter = titles.Any(t => t is not null && t.Contains("rfl", StringComparison.Ordinal));
            afterDetail = correctAfter ? $"code action after fuzzing: \"{titles.First(t => t!.Contains("rfl", StringComparison.Ordinal))}\"" : $"no verified rfl action after fuzzing (got {titles.Count} actions)";
            await client.ShutdownAndExitAsync();
        }
        catch (Exception e) when (e is TimeoutException or InvalidOperationException or IOException)
        {
            afterDetail = "the server did not answer after fuzzing: " + e.Message;
        }

        var exitCode = await server.WaitForExitAsync(TimeSpan.FromSeconds(20));
        var stderr = server.StandardError.ToString();
        var unhandled = stderr.Contains("Unhandled exception", StringComparison.Ordinal);
        var wrongTotal = wrongCodes.Values.Sum();
        var notificationAnswers = answers.Count(m => m["id"] is null) - nullIdErrors;
        var figures = new List<(string, string)>
        {
            ("frames sent", CampaignResult.N(sent)),
            ("requests with an id", CampaignResult.N(expected.Count)),
            ("answered (exactly once)", CampaignResult.N(expected.Count - missing - duplicated)),
            ("unanswered", CampaignResult.N(missing)),
            ("answered more than once", CampaignResult.N(duplicated)),
            ("answers to ids never sent", CampaignResult.N(unexpected) + (unexpected == 0 ? string.Empty : " (" + string.Join(", ", unexpectedIds.Take(5)) + ")")),
            ("wrong codes", CampaignResult.N(wrongTotal) + (wrongTotal == 0 ? string.Empty : " (" + string.Join("; ", wrongCodes.Select(w => $"{w.Key} ×{w.Value}")) + ")")),
            ("errors without id (expected / got)", $"{CampaignResult.N(expectedNullIdErrors)} / {CampaignResult.N(nullIdErrors)}"),
            ("crashes (process exits, unhandled exceptions)", CampaignResult.N((crashed ? 1 : 0) + (unhandled ? 1 : 0))),
            ("correct after", afterDetail),
            ("exit code after shutdown/exit", exitCode.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            ("time", $"{clock.Elapsed.TotalSeconds:0.0} s"),
        };
        figures.AddRange(categories.OrderByDescending(c => c.Value).Select(c => ($"  frames: {c.Key}", CampaignResult.N(c.Value))));
        var passed = finished && missing == 0 && duplicated == 0 && unexpected == 0 && wrongTotal == 0 && nullIdErrors == expectedNullIdErrors
            && !crashed && !unhandled && correctAfter && exitCode == 0 && notificationAnswers <= 0;
        return new CampaignResult("LSP fuzzing", $"≥ {CampaignResult.N(frames)} structure-aware frames at the real `leanassist lsp` process: 0 crashes, every request answered once with the code the spec prescribes, still correct afterwards",
            figures, passed, [$"Seed {seed}; the server runs with --max-message-size {MaxMessageBytes} so that oversized frames stay small enough to send often."]);
    }

    private static HashSet<string> AnsweredIds(LspTestClient client) =>
        [.. client.Received.Where(m => m["method"] is null && m["id"] is JsonValue v && v.TryGetValue<string>(out _)).Select(m => m["id"]!.GetValue<string>())];

    private static int NullIdErrors(LspTestClient client) => client.Received.Count(m => m["method"] is null && m["error"] is not null && m["id"] is null);

    private static async Task<bool> WaitAsync(Func<bool> condition, TimeSpan timeout)
    {
        var deadline = Stopwatch.StartNew();
        while (!condition())
        {
            if (deadline.Elapsed > timeout)
            {
                return false;
            }

            await Task.Delay(20);
        }

        return true;
    }
}
