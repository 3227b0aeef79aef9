using System.Text.Json.Nodes;
using LeanAssist.Server.Tests.Verification;
using LeanAssist.Testing;
using LeanAssist.Testing.Hosting;
using LeanAssist.Testing.Llm;
using LeanAssist.Testing.Lsp;

namespace LeanAssist.Server.Tests.Editor;

/// <summary>
/// The real language server over in-memory pipes, initialized, with the scripted REPL stand-in as Lean
/// (through the <c>leanAssist.repl.command</c> setting) and, optionally, the local LLM server as the LLM.
/// Documents live in a temporary Lake project. Waits are for specific messages, with a timeout.
/// </summary>
internal sealed class EditorHarness : IAsyncDisposable
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private EditorHarness(InProcessServer server, TemporaryDirectory project, StandInLog log)
    {
        Server = server;
        Project = project;
        Log = log;
    }

    public InProcessServer Server { get; }

    public LspTestClient Client => Server.Client;

    public TemporaryDirectory Project { get; }

    public StandInLog Log { get; }

    /// <param name="settings">Command-line settings (configuration keys).</param>
    /// <param name="configuration">
    /// When set, the client supports <c>workspace/configuration</c> and answers the server's requests with
    /// this (it gets each request; it returns the answer array), as VS Code does after <c>initialized</c>.
    /// </param>
    public static async Task<EditorHarness> StartAsync(string script = PipelineTests.Script, IEnumerable<KeyValuePair<string, string?>>? settings = null,
        LocalLlmServer? llm = null, bool withRepl = true, Func<JsonObject, JsonNode?>? configuration = null)
    {
        var project = new TemporaryDirectory();
        project.WriteFile("lakefile.toml", "name = \"editor\"\n");
        project.WriteFile("lean-toolchain", "leanprover/lean4:v4.32.0\n");
        var scriptPath = project.WriteFile("standin-script.json", script);
        var log = new StandInLog(project.Combine("standin.log"));
        var all = new Dictionary<string, string?>
        {
            ["LeanAssist:repl:sessions"] = "2",
            ["LeanAssist:repl:requestTimeoutSeconds"] = "20",
            ["LeanAssist:repl:headerTimeoutSeconds"] = "20",
            ["LeanAssist:repl:idleMinutes"] = "0",
            ["LeanAssist:prefetchIdleMs"] = "50",
        };
        if (withRepl)
        {
            all["LeanAssist:repl:command"] = ReplStandInLauncher.CommandLine("scripted", "--script", scriptPath, "--log", log.Path);
            // The request log is in the project, which the REPL sandbox keeps read-only (sandbox tests: tests/LeanAssist.Lean.Tests/Sandbox).
            all["LeanAssist:repl:sandbox"] = "off";
        }

        if (llm is not null)
        {
            all["LeanAssist:provider"] = "openai";
            all["LeanAssist:baseUrl"] = llm.OpenAiBaseUrl.ToString();
            all["LeanAssist:model"] = "stand-in-model";
        }

        foreach (var (key, value) in settings ?? [])
        {
            all[key] = value;
        }

        var server = InProcessServer.Start(all);
        if (configuration is not null)
        {
            server.Client.ServerRequestHandler = request => request["method"]?.GetValue<string>() == "workspace/configuration" ? configuration(request) : null;
        }

        await server.Client.InitializeAsync(new JsonObject
        {
            ["window"] = new JsonObject { ["workDoneProgress"] = true },
            ["workspace"] = new JsonObject { ["configuration"] = configuration is not null },
        });
        return new EditorHarness(server, project, log);
    }

    public string Uri(string name) => new Uri(Project.Combine(name)).AbsoluteUri;

    public async Task<string> OpenAsync(string name, string text)
    {
        Project.WriteFile(name, text);
        var uri = Uri(name);
        await Client.NotifyAsync("textDocument/didOpen", new JsonObject
        {
            ["textDocument"] = new JsonObject { ["uri"] = uri, ["languageId"] = "lean4", ["version"] = 1, ["text"] = text },
        });
        return uri;
    }

    public Task ReplaceAsync(string uri, int version, string text) =>
        Client.NotifyAsync("textDocument/didChange", new JsonObject
        {
            ["textDocument"] = new JsonObject { ["uri"] = uri, ["version"] = version },
            ["contentChanges"] = new JsonArray(new JsonObject { ["text"] = text }),
        });

    public static JsonObject Position(int line, int character) => new() { ["line"] = line, ["character"] = character };

    public static JsonObject CodeActionParams(string uri, int line, int character, int? triggerKind = null, JsonArray? diagnostics = null)
    {
        var context = new JsonObject { ["diagnostics"] = diagnostics?.DeepClone() ?? new JsonArray() };
        if (triggerKind is { } kind)
        {
            context["triggerKind"] = kind;
        }

        return new JsonObject
        {
            ["textDocument"] = new JsonObject { ["uri"] = uri },
            ["range"] = new JsonObject { ["start"] = Position(line, character), ["end"] = Position(line, character) },
            ["context"] = context,
        };
    }

    public async Task<JsonArray> CodeActionsAsync(string uri, int line, int character, int? triggerKind = null, JsonArray? diagnostics = null) =>
        (JsonArray)(await Client.RequestResultAsync("textDocument/codeAction", CodeActionParams(uri, line, character, triggerKind, diagnostics)))!;

    public static IEnumerable<string> Titles(JsonArray actions) => actions.Select(a => a!["title"]!.GetValue<string>());

    /// <summary>
    /// Asks for code actions until <paramref name="ready"/> holds, within <see cref="Timeout"/>. Between
    /// tries it waits for the next status notification (sent when work starts or finishes), but at most
    /// a quarter second: the status is only sent when its content changes, and a result can become known
    /// without changing it (carried over to a new version, for example).
    /// </summary>
    public async Task<JsonArray> WaitForActionsAsync(string uri, int line, int character, Func<JsonArray, bool> ready, int? triggerKind = null, JsonArray? diagnostics = null)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (true)
        {
            var seen = Client.Notifications("leanAssist/status").Count();
            var actions = await CodeActionsAsync(uri, line, character, triggerKind, diagnostics);
            if (ready(actions))
            {
                return actions;
            }

            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero)
            {
                throw new TimeoutException($"Code actions never became ready; last: {string.Join(" | ", Titles(actions))}");
            }

            try
            {
                await Client.WaitForAsync(m => m["method"]?.GetValue<string>() == "leanAssist/status" && Client.Notifications("leanAssist/status").Count() > seen,
                    TimeSpan.FromMilliseconds(250), "a newer status");
            }
            catch (TimeoutException)
            {
                // Ask again: the condition is what matters, the status only hurries it.
            }
        }
    }

    public static bool HasVerified(JsonArray actions) => actions.Any(a => a!["edit"] is not null);

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        Project.Dispose();
    }
}
