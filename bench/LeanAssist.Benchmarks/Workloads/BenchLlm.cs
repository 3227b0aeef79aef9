using System.Text.Json.Nodes;
using LeanAssist.Testing.Llm;

namespace LeanAssist.Benchmarks.Workloads;

/// <summary>
/// The LLM the pipeline scenarios run against: the local OpenAI-compatible server with a fixed latency,
/// answering with two candidates (one closes the conjunction goals) and a typical token usage. Repair
/// rounds are off: one LLM call per ask, whatever Lean says about the candidates.
/// </summary>
public static class BenchLlm
{
    public const string Model = "bench-model";

    public static async Task<LocalLlmServer> StartAsync(double latencyMilliseconds, CancellationToken cancellationToken)
    {
        var llm = await LocalLlmServer.StartAsync(cancellationToken).ConfigureAwait(false);
        llm.Latency = TimeSpan.FromMilliseconds(latencyMilliseconds);
        llm.DefaultReply = LlmReply.Success("```lean\nexact And.symm h\n```\n```lean\nnorm_num\n```", new ScriptedUsage(900, 60));
        return llm;
    }

    /// <summary>The settings that point the server at <paramref name="llm"/>, as command-line configuration.</summary>
    public static KeyValuePair<string, string?>[] Settings(LocalLlmServer llm) =>
    [
        new("LeanAssist:provider", "openai"),
        new("LeanAssist:baseUrl", llm.OpenAiBaseUrl.ToString()),
        new("LeanAssist:model", Model),
        new("LeanAssist:repair:rounds", "0"),
    ];

    /// <summary>The same settings as an editor sends them (the <c>leanAssist</c> section), added to <paramref name="settings"/>.</summary>
    public static JsonObject AddEditorSettings(JsonObject settings, LocalLlmServer llm)
    {
        settings["provider"] = "openai";
        settings["baseUrl"] = llm.OpenAiBaseUrl.ToString();
        settings["model"] = Model;
        settings["repair"] = new JsonObject { ["rounds"] = 0 };
        return settings;
    }
}
