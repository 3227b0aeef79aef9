using LeanAssist.Lean.Pool;
using LeanAssist.Lean.Sandbox;
using LeanAssist.Lean.Sessions;
using LeanAssist.Lean.Verdicts;
using LeanAssist.Testing;

namespace LeanAssist.Lean.Tests.Sandbox;

/// <summary>The pool with <c>leanAssist.repl.sandbox: required</c>: verdicts are those of an unsandboxed pool, pickled proof states included.</summary>
public sealed class SandboxedPoolTests
{
    private const string Script = """
        {
          "headerSeconds": 0.02, "commandMs": 1, "tacticMs": 5,
          "goals": [ { "declaration": "add_comm'", "goals": ["a b : ℕ\n⊢ a + b = b + a"] } ],
          "tactics": [
            { "tactic": "rfl", "result": "completed" },
            { "tactic": "intro h", "result": "progress", "goals": ["h : True\n⊢ False"] },
            { "tactic": "exact bogus", "result": "error", "message": "unknown identifier 'bogus'" },
            { "tactic": "sorry", "result": "sorry" }
          ]
        }
        """;

    private const string File = "import Mathlib.Tactic\n\ntheorem add_comm' (a b : ℕ) : a + b = b + a := by\n  sorry\n";

    private static readonly string[] Tactics = ["rfl", "intro h", "exact bogus", "sorry", "rfl", "intro h"];

    [BubblewrapFact]
    public async Task Sandboxed_sessions_give_the_same_verdicts_as_unsandboxed_ones_with_pickled_proof_states()
    {
        var sandboxed = await VerdictsAsync(ReplSandboxMode.Required);
        var unsandboxed = await VerdictsAsync(ReplSandboxMode.Off);

        Assert.Equal(unsandboxed, sandboxed);
        Assert.Equal([TacticVerdictKind.Solved, TacticVerdictKind.Progress, TacticVerdictKind.Failed, TacticVerdictKind.Failed, TacticVerdictKind.Solved, TacticVerdictKind.Progress], sandboxed);
    }

    private static async Task<TacticVerdictKind[]> VerdictsAsync(ReplSandboxMode mode)
    {
        await using var host = StandInPoolHost.Create(Script, options =>
        {
            // No request log: the sandbox lets the stand-in write only its temporary and proof-state folders.
            options.Command = ReplStandInLauncher.CommandLine("scripted", "--script", Path.Combine(Path.GetDirectoryName(options.OutcomeCacheDirectory)!, "standin-script.json"));
            options.Sandbox = mode;
            options.Sessions = 2;
            options.RequestTimeoutSeconds = 30;
            options.HeaderTimeoutSeconds = 30;
            options.ProofStateTransfer = ProofStateTransfer.Pickle;
        });
        await host.WarmAsync(File, 2).WaitAsync(TimeSpan.FromSeconds(60));
        var file = await host.LoadAsync(File).WaitAsync(TimeSpan.FromSeconds(60));
        var target = file.Targets.Single(t => t.DeclarationName == "add_comm'" && t.Kind == LeanTargetKind.Sorry);
        var runs = await host.Pool.RunTacticsAsync(target.ProofState!, Tactics, RequestPriority.Interactive, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(60));
        Assert.All(runs, r => Assert.Equal(TacticRunStatus.Responded, r.Status));
        return [.. runs.Select(r => r.Verdict.Kind)];
    }
}
