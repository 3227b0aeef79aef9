using LeanAssist.Testing.Options;
using LeanAssist.Lean.Pool;
using LeanAssist.Lean.Sessions;
using LeanAssist.Testing;

namespace LeanAssist.Lean.Tests.Pool;

/// <summary>The pool tests' standard script and file over a <see cref="StandInPoolHost"/>.</summary>
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

    private PoolHarness(StandInPoolHost host) => Host = host;

    public StandInPoolHost Host { get; }

    public MutableOptionsMonitor<ReplOptions> Options => Host.Options;

    public LeanSessionPool Pool => Host.Pool;

    public StandInLog Log => Host.Log;

    public string ProjectRoot => Host.ProjectRoot;

    /// <summary>A pool with the test timeouts (20 s) on the standard script unless another is given.</summary>
    public static PoolHarness Create(string script = StandardScript, Action<ReplOptions>? configure = null, string[]? standInArguments = null, TimeSpan? maintenanceInterval = null) =>
        new(StandInPoolHost.Create(script, options =>
        {
            options.RequestTimeoutSeconds = 20;
            options.HeaderTimeoutSeconds = 20;
            configure?.Invoke(options);
        }, standInArguments, maintenanceInterval));

    public Task<LeanFileTargets> LoadAsync(string text, RequestPriority priority = RequestPriority.Interactive, CancellationToken cancellationToken = default) =>
        Host.LoadAsync(text, priority, cancellationToken).WaitAsync(TimeSpan.FromSeconds(60), cancellationToken);

    public async Task<LeanTarget> TargetAsync(string declaration, string text = StandardFile)
    {
        var file = await LoadAsync(text);
        return file.Targets.Single(t => t.DeclarationName == declaration && t.Kind == LeanTargetKind.Sorry);
    }

    public Task WarmAllAsync(int sessions, string text = StandardFile) => Host.WarmAsync(text, sessions).WaitAsync(TimeSpan.FromSeconds(30));

    public Task<IReadOnlyList<TacticRun>> RunAsync(LeanTarget target, params string[] tactics) =>
        Pool.RunTacticsAsync(target.ProofState!, tactics, RequestPriority.Interactive, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(60));

    public ValueTask DisposeAsync() => Host.DisposeAsync();
}
