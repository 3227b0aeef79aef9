using LeanAssist.Lean.Sessions;
using LeanAssist.Server.Hosting;
using LeanAssist.Server.Prove;
using LeanAssist.Suggestions.Verification;
using LeanAssist.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace LeanAssist.Benchmarks.Workloads;

/// <summary>
/// The real pipeline as <c>leanassist prove</c> builds it, in this process, with the scripted REPL stand-in
/// as Lean (through <c>leanAssist.repl.command</c>) in a temporary Lake project, every cache in
/// <see cref="Caches"/>, and the stand-in's request log to count Lean's work honestly.
/// </summary>
public sealed class BenchPipeline : IAsyncDisposable
{
    private readonly IHost _host;

    private BenchPipeline(IHost host, TemporaryDirectory project, string caches, StandInLog log)
    {
        _host = host;
        Project = project;
        Caches = caches;
        Log = log;
    }

    public TemporaryDirectory Project { get; }

    public string Caches { get; }

    public StandInLog Log { get; }

    public SuggestionService Suggestions => _host.Services.GetRequiredService<SuggestionService>();

    public ProveRunner Prove => _host.Services.GetRequiredService<ProveRunner>();

    public SuggestionRunLog Runs => _host.Services.GetRequiredService<SuggestionRunLog>();

    /// <param name="project">An earlier pipeline's project (and stand-in log), for a restart.</param>
    /// <param name="caches">An earlier pipeline's caches, for a restart.</param>
    public static BenchPipeline Start(string script, int sessions, TemporaryDirectory? project = null, string? caches = null,
        IEnumerable<KeyValuePair<string, string?>>? settings = null)
    {
        project ??= new TemporaryDirectory("leanassist-bench");
        project.WriteFile("lakefile.toml", "name = \"bench\"\n");
        project.WriteFile("lean-toolchain", "leanprover/lean4:v4.32.0\n");
        var scriptPath = project.WriteFile("standin-script.json", script);
        var log = new StandInLog(project.Combine("standin.log"));
        caches ??= project.Combine("caches");
        var all = new Dictionary<string, string?>
        {
            ["LeanAssist:Server:LogFile"] = "none",
            ["LeanAssist:Server:LogToStderr"] = "false",
            ["LeanAssist:repl:command"] = ReplStandInLauncher.CommandLine("scripted", "--script", scriptPath, "--log", log.Path),
            ["LeanAssist:repl:sessions"] = sessions.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["LeanAssist:repl:headerTimeoutSeconds"] = "120",
            ["LeanAssist:repl:idleMinutes"] = "0",
        };
        foreach (var (key, value) in IsolatedCaches.Settings(caches).Concat(settings ?? []))
        {
            all[key] = value;
        }

        return new BenchPipeline(LeanAssistHost.Build("bench", all, transport: null), project, caches, log);
    }

    public async ValueTask DisposeAsync()
    {
        await _host.Services.GetRequiredService<ILeanSessionPool>().DisposeAsync().ConfigureAwait(false);
        _host.Dispose();
    }
}
