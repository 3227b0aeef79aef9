using LeanAssist.Lean.Pool;
using LeanAssist.Lean.Sessions;
using LeanAssist.Lean.Text;
using LeanAssist.Lean.Toolchain;
using LeanAssist.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace LeanAssist.Benchmarks.Scenarios;

/// <summary>A real <see cref="LeanSessionPool"/> whose REPL is the scripted stand-in, in a temporary Lake project.</summary>
public sealed class StandInPool : IAsyncDisposable
{
    private readonly TemporaryDirectory _directory;

    private StandInPool(TemporaryDirectory directory, LeanSessionPool pool, StandInLog log)
    {
        _directory = directory;
        Pool = pool;
        Log = log;
    }

    public LeanSessionPool Pool { get; }

    public StandInLog Log { get; }

    public string ProjectRoot => _directory.Combine("project");

    public static StandInPool Create(string script, int sessions, ProofStateTransfer transfer)
    {
        var directory = new TemporaryDirectory();
        directory.WriteFile("project/lakefile.toml", "name = \"bench\"\n");
        directory.WriteFile("project/lean-toolchain", "leanprover/lean4:v4.32.0\n");
        var scriptFile = directory.WriteFile("script.json", script);
        var log = new StandInLog(directory.Combine("standin.log"));
        var options = new ReplOptions
        {
            Command = ReplStandInLauncher.CommandLine("scripted", "--script", scriptFile, "--log", log.Path),
            Sessions = sessions,
            ProofStateTransfer = transfer,
            HeaderTimeoutSeconds = 600,
            RequestTimeoutSeconds = 600,
            IdleMinutes = 0,
        };
        var monitor = new TestOptionsMonitor<ReplOptions>(options);
        var resolver = new ReplLaunchResolver(monitor, new TestOptionsMonitor<ToolchainOptions>(new ToolchainOptions()), new LeanToolchainLocator());
        return new StandInPool(directory, new LeanSessionPool(monitor, resolver, NullLoggerFactory.Instance), log);
    }

    public async Task WarmAsync(string text, int sessions, CancellationToken cancellationToken)
    {
        await Pool.WarmUpAsync(ProjectRoot, new SourceText(text), cancellationToken).ConfigureAwait(false);
        while (Pool.Snapshot.Warm < sessions)
        {
            await Task.Delay(5, cancellationToken).ConfigureAwait(false);
        }
    }

    public Task<LeanFileTargets> LoadAsync(string text, CancellationToken cancellationToken) =>
        Pool.LoadFileAsync(new LeanFileRequest(ProjectRoot, Path.Combine(ProjectRoot, "Bench.lean"), new SourceText(text)), cancellationToken);

    public async ValueTask DisposeAsync()
    {
        await Pool.DisposeAsync().ConfigureAwait(false);
        _directory.Dispose();
    }
}
