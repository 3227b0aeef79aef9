using System.Text.Json.Nodes;
using LeanAssist.Protocol.Lsp;
using LeanAssist.Server.Documents;
using LeanAssist.Testing;
using LeanAssist.Testing.Hosting;
using LeanAssist.Testing.Json;

namespace LeanAssist.Server.Tests.LanguageServer;

/// <summary>
/// What real clients send, and every shape LSP 3.17 allows for the messages the server reads: the
/// server answers them all (never -32602 for a spec-valid message, never a refused <c>initialize</c>
/// over a capability) and does what they ask. Variants are seeded, so a failure can be replayed.
/// </summary>
public sealed class ClientMessageShapesTests
{
    private static readonly string[] DocumentUris = ["file:///work/A.lean", "file:///work/B%20%CE%BB.lean", "untitled:Untitled-1"];

    /// <summary>The recorded message, with this process as the client (a real client sends its own id; the server exits with its client).</summary>
    private static JsonObject RecordedVsCodeInitialize()
    {
        var message = JsonNode.Parse(RepositoryPaths.LspClientMessage("vscode-1.139.1-initialize.json"))!.AsObject();
        message["params"]!["processId"] = Environment.ProcessId;
        return message;
    }

    private static JsonObject RecordedVsCodeInitializeParams() => RecordedVsCodeInitialize()["params"]!.DeepClone().AsObject();

    [Fact]
    public async Task The_exact_initialize_VS_Code_1_139_1_sent_is_answered_and_its_capabilities_are_read()
    {
        await using var server = InProcessServer.Start();
        var recorded = RecordedVsCodeInitialize();

        await server.Client.SendAsync(recorded);
        var response = await server.Client.WaitForAsync(m => m["id"]?.ToJsonString() == recorded["id"]!.ToJsonString() && m["method"] is null, description: "the initialize response");

        Assert.True(response["error"] is null, $"initialize was refused: {response["error"]?.ToJsonString()}");
        Assert.NotNull(response["result"]!["capabilities"]!["codeActionProvider"]);
        var capabilities = server.GetService<LanguageServerEndpoint>().ClientCapabilities;
        Assert.True(capabilities.Window!.WorkDoneProgress);
        Assert.True(capabilities.Workspace!.Configuration);
        Assert.True(capabilities.Workspace.DidChangeConfiguration!.DynamicRegistration);
    }

    [Fact]
    public async Task Spec_valid_variants_of_initialize_and_any_capabilities_are_answered()
    {
        var random = new Random(1391);
        for (var round = 0; round < 25; round++)
        {
            var parameters = RecordedVsCodeInitializeParams();
            // Optional members may be missing; these may also be null (InitializeParams in LSP 3.17).
            foreach (var optional in new[] { "clientInfo", "locale", "rootPath", "initializationOptions", "trace", "workspaceFolders" })
            {
                if (random.Next(3) == 0)
                {
                    parameters.Remove(optional);
                }
            }

            foreach (var nullable in new[] { "processId", "rootUri", "rootPath", "workspaceFolders" })
            {
                if (random.Next(3) == 0)
                {
                    parameters[nullable] = null;
                }
            }

            if (random.Next(2) == 0)
            {
                parameters["workDoneToken"] = random.Next(2) == 0 ? JsonValue.Create(random.Next(1000)) : JsonValue.Create($"token-{round}");
            }

            if (parameters["trace"] is not null)
            {
                parameters["trace"] = new[] { "off", "messages", "verbose" }[random.Next(3)];
            }

            // Capabilities: not only spec-valid shapes, anything; none of it may fail initialize.
            JsonMutator.Scramble(parameters["capabilities"]!.AsObject(), random, mutations: random.Next(1, 30));
            JsonMutator.AddUnknownMembers(parameters, random, count: random.Next(1, 6));

            await using var server = InProcessServer.Start();
            var response = await server.Client.RequestAsync("initialize", parameters);

            Assert.True(response["error"] is null, $"round {round}: initialize was refused: {response["error"]?.ToJsonString()}\nparams: {parameters.ToJsonString()}");
            Assert.NotNull(response["result"]!["capabilities"]);
        }
    }

    [Fact]
    public async Task Spec_valid_variants_of_every_other_message_the_server_reads_are_answered_and_applied()
    {
        var random = new Random(3170);
        await using var server = InProcessServer.Start();
        await server.Client.InitializeAsync(RecordedVsCodeInitializeParams()["capabilities"]!.DeepClone().AsObject());
        var versions = new Dictionary<string, int>();
        var texts = new Dictionary<string, string>();

        for (var round = 0; round < 150; round++)
        {
            var uri = DocumentUris[random.Next(DocumentUris.Length)];
            if (!versions.ContainsKey(uri))
            {
                versions[uri] = random.Next(0, 5);
                texts[uri] = "theorem t (x : ℕ) :\r\n\tx + 0 = x := by\n  sorry\n";
                await NotifyVariantAsync(server, random, "textDocument/didOpen", new JsonObject
                {
                    ["textDocument"] = new JsonObject { ["uri"] = uri, ["languageId"] = "lean4", ["version"] = versions[uri], ["text"] = texts[uri] },
                });
            }

            switch (random.Next(8))
            {
                case 0:
                {
                    // Either an incremental change (rangeLength is optional and deprecated) or the whole text.
                    versions[uri]++;
                    var insert = new[] { "a", "λ", "😀", "\t", "\r\n" }[random.Next(5)];
                    JsonObject change;
                    if (random.Next(2) == 0)
                    {
                        change = new JsonObject { ["range"] = Range(0, 0, 0, 0), ["text"] = insert };
                        if (random.Next(2) == 0)
                        {
                            change["rangeLength"] = 0;
                        }

                        texts[uri] = insert + texts[uri];
                    }
                    else
                    {
                        texts[uri] = texts[uri] + insert;
                        change = new JsonObject { ["text"] = texts[uri] };
                    }

                    await NotifyVariantAsync(server, random, "textDocument/didChange", new JsonObject
                    {
                        ["textDocument"] = new JsonObject { ["uri"] = uri, ["version"] = versions[uri] },
                        ["contentChanges"] = new JsonArray(change),
                    });
                    break;
                }

                case 1:
                    await RequestVariantAsync(server, random, round, "textDocument/codeAction", CodeActionParams(random, uri), result => result is JsonArray);
                    break;
                case 2:
                    await RequestVariantAsync(server, random, round, "textDocument/hover", WithWorkDoneToken(random, new JsonObject
                    {
                        ["textDocument"] = new JsonObject { ["uri"] = uri },
                        ["position"] = Position(random.Next(4), random.Next(12)),
                    }), result => result is null or JsonObject);
                    break;
                case 3:
                {
                    var command = WithWorkDoneToken(random, new JsonObject { ["command"] = "leanAssist.showMetrics" });
                    if (random.Next(2) == 0)
                    {
                        command["arguments"] = new JsonArray(JsonMutator.RandomValue(random, 0), JsonMutator.RandomValue(random, 0));
                    }

                    await RequestVariantAsync(server, random, round, "workspace/executeCommand", command, _ => true);
                    break;
                }

                case 4:
                    // settings is LSPAny: null, or the old push shape, or anything else.
                    await NotifyVariantAsync(server, random, "workspace/didChangeConfiguration", new JsonObject
                    {
                        ["settings"] = random.Next(3) switch { 0 => null, 1 => new JsonObject { ["leanAssist"] = new JsonObject() }, _ => JsonMutator.RandomValue(random, 0) },
                    });
                    break;
                case 5:
                    await NotifyVariantAsync(server, random, "$/setTrace", new JsonObject { ["value"] = new[] { "off", "messages", "verbose" }[random.Next(3)] });
                    break;
                case 6:
                    await NotifyVariantAsync(server, random, "$/cancelRequest", new JsonObject { ["id"] = random.Next(2) == 0 ? JsonValue.Create(random.Next(1_000_000)) : JsonValue.Create($"unknown-{round}") });
                    break;
                default:
                    await NotifyVariantAsync(server, random, "window/workDoneProgress/cancel", new JsonObject { ["token"] = random.Next(2) == 0 ? JsonValue.Create(random.Next(1000)) : JsonValue.Create($"progress-{round}") });
                    break;
            }
        }

        // Every open and change was applied, in order, whatever shape it came in.
        await server.Client.RequestAsync("leanAssist/barrier");
        var documents = server.GetService<DocumentStore>();
        foreach (var (uri, text) in texts)
        {
            Assert.True(documents.TryGet(uri, out var snapshot), $"{uri} was not opened");
            Assert.Equal(text, snapshot.Text.Text);
            Assert.Equal(versions[uri], snapshot.Version);
        }

        // Closing works with extra members too, and the server still answers after all of it.
        foreach (var uri in texts.Keys)
        {
            await NotifyVariantAsync(server, random, "textDocument/didClose", new JsonObject { ["textDocument"] = new JsonObject { ["uri"] = uri } });
        }

        await server.Client.RequestAsync("leanAssist/barrier");
        Assert.Equal(0, documents.Count);
        await server.Client.ShutdownAndExitAsync();
        Assert.Equal(0, await server.ExitCode.WaitAsync(TimeSpan.FromSeconds(20)));
    }

    private static JsonObject CodeActionParams(Random random, string uri)
    {
        var diagnostics = new JsonArray();
        for (var i = random.Next(3); i > 0; i--)
        {
            // Diagnostic in full: code is integer | string; severity, source, tags, codeDescription,
            // relatedInformation and data are optional.
            var diagnostic = new JsonObject { ["range"] = Range(2, 2, 2, 7), ["message"] = "declaration uses 'sorry'" };
            if (random.Next(2) == 0)
            {
                diagnostic["severity"] = random.Next(1, 5);
            }

            if (random.Next(2) == 0)
            {
                diagnostic["code"] = random.Next(2) == 0 ? JsonValue.Create(random.Next(100)) : JsonValue.Create("lean.sorry");
            }

            if (random.Next(2) == 0)
            {
                diagnostic["source"] = "Lean 4";
                diagnostic["tags"] = new JsonArray(1, 2);
                diagnostic["codeDescription"] = new JsonObject { ["href"] = "https://lean-lang.org/" };
                diagnostic["relatedInformation"] = new JsonArray(new JsonObject
                {
                    ["location"] = new JsonObject { ["uri"] = uri, ["range"] = Range(0, 0, 0, 1) },
                    ["message"] = "here",
                });
                diagnostic["data"] = JsonMutator.RandomValue(random, 0);
            }

            diagnostics.Add(diagnostic);
        }

        var context = new JsonObject { ["diagnostics"] = diagnostics };
        if (random.Next(2) == 0)
        {
            context["only"] = new JsonArray("quickfix");
        }

        if (random.Next(2) == 0)
        {
            context["triggerKind"] = random.Next(1, 3);
        }

        var parameters = WithWorkDoneToken(random, new JsonObject
        {
            ["textDocument"] = new JsonObject { ["uri"] = uri },
            ["range"] = Range(2, 2, 2, 2 + random.Next(6)),
            ["context"] = context,
        });
        if (random.Next(3) == 0)
        {
            parameters["partialResultToken"] = $"partial-{random.Next(1000)}";
        }

        return parameters;
    }

    private static JsonObject WithWorkDoneToken(Random random, JsonObject parameters)
    {
        switch (random.Next(3))
        {
            case 0:
                parameters["workDoneToken"] = random.Next(1000);
                break;
            case 1:
                parameters["workDoneToken"] = $"work-{random.Next(1000)}";
                break;
        }

        return parameters;
    }

    private static async Task NotifyVariantAsync(InProcessServer server, Random random, string method, JsonObject parameters)
    {
        JsonMutator.AddUnknownMembers(parameters, random, count: random.Next(0, 3));
        await server.Client.NotifyAsync(method, parameters);
    }

    private static async Task RequestVariantAsync(InProcessServer server, Random random, int round, string method, JsonObject parameters, Func<JsonNode?, bool> resultIsValid)
    {
        JsonMutator.AddUnknownMembers(parameters, random, count: random.Next(0, 3));
        var response = await server.Client.RequestAsync(method, parameters);
        Assert.True(response["error"] is null, $"round {round}: {method} was refused: {response["error"]?.ToJsonString()}\nparams: {parameters.ToJsonString()}");
        Assert.True(resultIsValid(response["result"]), $"round {round}: {method} answered {response["result"]?.ToJsonString()}");
    }

    private static JsonObject Position(int line, int character) => new() { ["line"] = line, ["character"] = character };

    private static JsonObject Range(int startLine, int startCharacter, int endLine, int endCharacter) =>
        new() { ["start"] = Position(startLine, startCharacter), ["end"] = Position(endLine, endCharacter) };
}
