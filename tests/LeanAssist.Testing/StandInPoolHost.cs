using LeanAssist.Testing.Options;
using LeanAssist.Lean.Pool;
using LeanAssist.Lean.Sessions;
using LeanAssist.Lean.Text;
using LeanAssist.Lean.Toolchain;
using Microsoft.Extensions.Logging.Abstractions;

namespace LeanAssist.Testing;

/// <summary>
/// A real <see cref="LeanSessionPool"/> whose REPL is the scripted stand-in (configured through
/// <c>leanAssist.repl.command</c>, as a user would), in a temporary Lake project, with the stand-in's request log.
/// Used by pool tests and benchmarks.
/// </summary>
public sealed class StandInPoolHost : IAsyncDisposable
{
    private StandInPoolHost(TemporaryDirectory directory, MutableOptionsMonitor<ReplOptions> options, LeanSessionPool pool, StandInLog log)
    {
        Directory = directory;
        Options = options;
        Pool = pool;
        Log = log;
    }

    public TemporaryDirectory Directory { get; }

    /// <summary>The pool's settings; <see cref="TestOptionsMonitor{T}.Set"/> applies a change as the editor would.</summary>
    public MutableOptionsMonitor<ReplOptions> Options { get; }

    public LeanSessionPool Pool { get; }

    public StandInLog Log { get; }

    public string ProjectRoot => Directory.Combine("project");

    /// <param name="script">The stand-in script (see tests/LeanAssist.ReplStandIn/README.md).</param>
    /// <param name="configure">Changes to the settings (the command is set already; one session, no idle shutdown).</param>
    /// <param name="standInArguments">More stand-in flags (faults, latencies).</param>
    /// <param name="maintenanceInterval">How often the pool checks memory and idleness.</param>
    public static StandInPoolHost Create(string script, Action<ReplOptions>? configure = null, IEnumerable<string>? standInArguments = null, TimeSpan? maintenanceInterval = null)
    {
        var directory = new TemporaryDirectory();
        var standIn = StandInProject.Write(directory, "test", script, "project");
        var options = new ReplOptions
        {
            Command = standIn.ReplCommand(standInArguments),
            Sessions = 1,
            RequestTimeoutSeconds = 600,
            HeaderTimeoutSeconds = 600,
            IdleMinutes = 0,
            OutcomeCacheDirectory = directory.Combine("outcomes"),
            // The stand-in writes its request log beside the project, which the REPL sandbox keeps read-only;
            // the sandbox has its own tests (tests/LeanAssist.Lean.Tests/Sandbox), which turn it on.
            Sandbox = LeanAssist.Lean.Sandbox.ReplSandboxMode.Off,
        };
        configure?.Invoke(options);
        var monitor = new MutableOptionsMonitor<ReplOptions>(options);
        var resolver = new ReplLaunchResolver(monitor, new MutableOptionsMonitor<ToolchainOptions>(new ToolchainOptions()), new LeanToolchainLocator());
        return new StandInPoolHost(directory, monitor, new LeanSessionPool(monitor, resolver, NullLoggerFactory.Instance, maintenanceInterval), standIn.Log);
    }

    public Task<LeanFileTargets> LoadAsync(string text, RequestPriority priority = RequestPriority.Interactive, CancellationToken cancellationToken = default) =>
        Pool.LoadFileAsync(new LeanFileRequest(ProjectRoot, Path.Combine(ProjectRoot, "Test.lean"), new SourceText(text), priority), cancellationToken);

    /// <summary>Warms <paramref name="sessions"/> sessions for the file's header and waits for them (so nothing races session starts).</summary>
    public async Task WarmAsync(string text, int sessions, CancellationToken cancellationToken = default)
    {
        await Pool.WarmUpAsync(ProjectRoot, new SourceText(text), cancellationToken).ConfigureAwait(false);
        await Eventually.TrueAsync(() => Pool.Snapshot.Warm >= sessions, TimeSpan.FromMinutes(10), $"{sessions} warm sessions").ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        await Pool.DisposeAsync().ConfigureAwait(false);
        Directory.Dispose();
    }
}
