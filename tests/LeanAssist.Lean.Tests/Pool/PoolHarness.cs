using LeanAssist.Lean.Pool;
using LeanAssist.Lean.Sessions;
using LeanAssist.Lean.Text;
using LeanAssist.Lean.Toolchain;
using LeanAssist.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace LeanAssist.Lean.Tests.Pool;

/// <summary>
/// A real <see cref="LeanSessionPool"/> whose REPL is the scripted stand-in (via <c>leanAssist.repl.command</c>,
/// as a user would configure it), in a temporary Lake project, with the stand-in's request log.
/// </summary>
internal sealed class PoolHarness : IAsyncDisposable
{
    public const string StandardScript = """
        {
          "headerSeconds": 0.05,
          "commandMs": 1,
          "tacticMs": 20,
          "goals": [ { "declaration": "add_comm'", "goals": ["a b : ℕ\n⊢ a + b = b + a"] } ],
          "commands": [
            { "pattern": "def broken", "noSorries": true,
              "messages": [ { "severity": "error", "at": "by", "data": "unsolved goals\n⊢ Nat" } ] }
          ],
          "tactics": [
            { "tactic": "rfl", "result": "completed" },
            { "tactic": "exact?", "result": "completed", "info": "Try this: exact Nat.add_comm a b" },
            { "tactic": "intro h", "result": "progress", "goals": ["h : True\n⊢ False"] },
            { "tactic": "skip", "result": "noChange" },
            { "tactic": "exact bogus", "result": "error", "message": "unknown identifier 'bogus'" },
            { "tactic": "sorry", "result": "sorry" },
            { "tactic": "exact ex", "result": "kernelError" },
            { "tactic": "apply ?m", "result": "metavariables" },
            { "tactic": "exat 1", "result": "replError", "message": "Lean error:\n<input>:1:1: unknown tactic" },
            { "tactic": "slow", "result": "completed", "latencyMs": 300 },
            { "tactic": "slower", "result": "completed", "latencyMs": 1500 },
            { "tactic": "crash", "fault": "crash" },
            { "tactic": "hang", "fault": "hang" },
            { "tactic": "garbage", "fault": "garbage" },
            { "tactic": "huge", "fault": "huge" },
            { "tactic": "half", "fault": "crashMidResponse" }
          ]
        }
        """;

    public const string StandardFile = "import Mathlib.Tactic\n-- theorem in a comment\n\n/-- Commutativity. -/\ntheorem add_comm' (a b : ℕ) : a + b = b + a := by\n  sorry\n\ndef broken : Nat := by\n\ntheorem τ_lemma (h : True) : ¬False := by\n  intro h2; sorry\n";

    private PoolHarness(TemporaryDirectory directory, TestOptionsMonitor<ReplOptions> options, LeanSessionPool pool)
    {
        Directory = directory;
        Options = options;
        Pool = pool;
        Log = new StandInLog(directory.Combine("standin.log"));
    }

    public TemporaryDirectory Directory { get; }

    public TestOptionsMonitor<ReplOptions> Options { get; }

    public LeanSessionPool Pool { get; }

    public StandInLog Log { get; }

    public string ProjectRoot => Directory.Combine("project");

    public static PoolHarness Create(string script = StandardScript, Action<ReplOptions>? configure = null, string[]? standInArguments = null, TimeSpan? maintenanceInterval = null)
    {
        var directory = new TemporaryDirectory();
        directory.WriteFile("project/lakefile.toml", "name = \"test\"\n");
        directory.WriteFile("project/lean-toolchain", "leanprover/lean4:v4.32.0\n");
        var scriptFile = directory.WriteFile("script.json", script);
        var arguments = new List<string> { "scripted", "--script", scriptFile, "--log", directory.Combine("standin.log") };
        arguments.AddRange(standInArguments ?? []);
        var options = new ReplOptions
        {
            Command = ReplStandInLauncher.CommandLine([.. arguments]),
            Sessions = 1,
            RequestTimeoutSeconds = 20,
            HeaderTimeoutSeconds = 20,
            IdleMinutes = 0,
        };
        configure?.Invoke(options);
        var monitor = new TestOptionsMonitor<ReplOptions>(options);
        var resolver = new ReplLaunchResolver(monitor, new TestOptionsMonitor<ToolchainOptions>(new ToolchainOptions()), new LeanToolchainLocator());
        var pool = new LeanSessionPool(monitor, resolver, NullLoggerFactory.Instance, maintenanceInterval);
        return new PoolHarness(directory, monitor, pool);
    }

    public Task<LeanFileTargets> LoadAsync(string text, RequestPriority priority = RequestPriority.Interactive, CancellationToken cancellationToken = default) =>
        Pool.LoadFileAsync(new LeanFileRequest(ProjectRoot, Path.Combine(ProjectRoot, "Test.lean"), new SourceText(text), priority), cancellationToken)
            .WaitAsync(TimeSpan.FromSeconds(60), cancellationToken);

    public async Task<LeanTarget> TargetAsync(string declaration, string text = StandardFile)
    {
        var file = await LoadAsync(text);
        return file.Targets.Single(t => t.DeclarationName == declaration && t.Kind == LeanTargetKind.Sorry);
    }

    /// <summary>Warms <paramref name="sessions"/> sessions for the file's header and waits for them (so tests do not race session starts).</summary>
    public async Task WarmAllAsync(int sessions, string text = StandardFile)
    {
        await Pool.WarmUpAsync(ProjectRoot, new SourceText(text), CancellationToken.None);
        await Eventually.TrueAsync(() => Pool.Snapshot.Warm >= sessions, TimeSpan.FromSeconds(30), $"{sessions} warm sessions");
    }

    public Task<IReadOnlyList<TacticRun>> RunAsync(LeanTarget target, params string[] tactics) =>
        Pool.RunTacticsAsync(target.ProofState!, tactics, RequestPriority.Interactive, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(60));

    public async ValueTask DisposeAsync()
    {
        await Pool.DisposeAsync();
        Directory.Dispose();
    }
}
