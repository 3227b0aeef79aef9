using LeanAssist.Lean.Sessions;
using LeanAssist.Lean.Text;
using LeanAssist.Server.Hosting;
using LeanAssist.Server.Prove;
using LeanAssist.Suggestions.Verification;
using LeanAssist.Testing.Llm;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace LeanAssist.Testing.Hosting;

/// <summary>
/// The real verification pipeline as the command line builds it (same host, same registrations), with
/// the scripted REPL stand-in as Lean (through <c>leanAssist.repl.command</c>) and, optionally, the
/// local LLM server as the LLM. Every cache lives in <see cref="CacheDirectory"/>: a second host on the
/// same folder is the product after a restart. Used by pipeline tests and benchmarks.
/// </summary>
public sealed class PipelineHost : IAsyncDisposable
{
    private readonly IHost _host;

    private PipelineHost(IHost host, TemporaryDirectory project, string cacheDirectory, StandInLog log, LocalLlmServer? llm)
    {
        _host = host;
        Project = project;
        CacheDirectory = cacheDirectory;
        Log = log;
        Llm = llm;
    }

    public TemporaryDirectory Project { get; }

    public string CacheDirectory { get; }

    /// <summary>What reached the stand-in (one line per request, across every process it started).</summary>
    public StandInLog Log { get; }

    public LocalLlmServer? Llm { get; }

    public SuggestionService Service => _host.Services.GetRequiredService<SuggestionService>();

    public ProveRunner Prove => _host.Services.GetRequiredService<ProveRunner>();

    public T Get<T>()
        where T : notnull => _host.Services.GetRequiredService<T>();

    /// <param name="script">The stand-in's script (tests/LeanAssist.ReplStandIn/README.md).</param>
    /// <param name="project">Reuse a project folder (with its stand-in log) from an earlier host.</param>
    /// <param name="cacheDirectory">Reuse the caches of an earlier host (a restart).</param>
    /// <param name="llm">Use this local LLM server as an OpenAI-compatible provider.</param>
    public static PipelineHost Start(string script, TemporaryDirectory? project = null, string? cacheDirectory = null, LocalLlmServer? llm = null,
        IEnumerable<KeyValuePair<string, string?>>? settings = null, IEnumerable<string>? standInArguments = null)
    {
        project ??= new TemporaryDirectory();
        var standIn = StandInProject.Write(project, "pipeline", script);
        cacheDirectory ??= project.Combine("caches");
        var all = new Dictionary<string, string?>
        {
            ["LeanAssist:Server:LogFile"] = "none",
            ["LeanAssist:Server:LogToStderr"] = "false",
            ["LeanAssist:repl:command"] = standIn.ReplCommand(standInArguments),
            // The stand-in's request log is outside what the REPL sandbox lets it write (see StandInPoolHost).
            ["LeanAssist:repl:sandbox"] = "off",
            ["LeanAssist:repl:sessions"] = "2",
            ["LeanAssist:repl:requestTimeoutSeconds"] = "20",
            ["LeanAssist:repl:headerTimeoutSeconds"] = "20",
            ["LeanAssist:repl:idleMinutes"] = "0",
        };
        foreach (var (key, value) in IsolatedCaches.Settings(cacheDirectory))
        {
            all[key] = value;
        }

        if (llm is not null)
        {
            all["LeanAssist:provider"] = "openai";
            all["LeanAssist:baseUrl"] = llm.OpenAiBaseUrl.ToString();
            all["LeanAssist:model"] = "stand-in-model";
            all["LeanAssist:timeoutMs"] = "10000";
        }

        foreach (var (key, value) in settings ?? [])
        {
            all[key] = value;
        }

        var host = LeanAssistHost.Build("pipeline-test", all, transport: null);
        return new PipelineHost(host, project, cacheDirectory, standIn.Log, llm);
    }

    public string WriteLeanFile(string name, string text) => Project.WriteFile(name, text);

    public LeanFileRequest Request(string path, string? text = null) =>
        new(Project.Path, path, new SourceText(text ?? File.ReadAllText(path)));

    public async Task<(LeanFileTargets File, IReadOnlyList<TargetSuggestions> Results)> SuggestAllAsync(string path, bool useLlm = false, string? text = null)
    {
        var request = Request(path, text);
        var file = await Service.LoadAsync(request, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(60));
        var results = new List<TargetSuggestions>();
        foreach (var target in file.Targets)
        {
            results.Add(await Service.SuggestAsync(request, file, target, new SuggestOptions(useLlm, RequestPriority.Interactive), null, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(60)));
        }

        return (file, results);
    }

    public Task<ProveReport> ProveAsync(bool write = false, bool useLlm = false, params string[] paths) =>
        Prove.RunAsync(new ProveRequest(paths.Length == 0 ? [Project.Path] : paths, null, write, useLlm, Parallelism: 2), null, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(120));

    public async ValueTask DisposeAsync()
    {
        await _host.Services.GetRequiredService<ILeanSessionPool>().DisposeAsync();
        _host.Dispose();
    }
}
