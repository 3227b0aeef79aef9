using LeanAssist.Lean.Sessions;
using LeanAssist.Lean.Verdicts;

namespace LeanAssist.Lean.Tests.Pool;

/// <summary>Proof states reached by steps from a sorry (what proof search branches from), in any session.</summary>
public sealed class StepPathTests
{
    private const string Script = """
        {
          "headerSeconds": 0.05, "commandMs": 1, "tacticMs": 2,
          "goals": [ { "declaration": "pair", "goals": ["p q : Prop\nhp : p\nhq : q\n⊢ p ∧ q"] } ],
          "tactics": [
            { "tactic": "constructor", "goalPattern": "⊢ p ∧ q$", "result": "progress", "goals": ["case left\nhp : p\n⊢ p", "case right\nhq : q\n⊢ q"] },
            { "tactic": "exact hp", "goalPattern": "⊢ p$", "result": "completed" },
            { "tactic": "exact hq", "goalPattern": "⊢ q$", "result": "completed" }
          ],
          "defaultTactic": { "result": "error", "message": "tactic failed (stand-in: no rule)" }
        }
        """;

    private const string File = "theorem pair (p q : Prop) (hp : p) (hq : q) : p ∧ q := by\n  sorry\n";

    [Fact]
    public async Task A_step_runs_on_the_first_goal_and_a_fresh_session_replays_the_steps_before_it()
    {
        await using var harness = PoolHarness.Create(Script);
        var target = await harness.TargetAsync("pair", File);
        var split = Assert.Single(await harness.RunAsync(target, "constructor"));
        Assert.Equal(TacticVerdictKind.Progress, split.Verdict.Kind);

        var afterSplit = target.ProofState!.After(["constructor"], split.Verdict.GoalsAfter);
        var left = Assert.Single(await harness.Pool.RunTacticsAsync(afterSplit, ["exact hp"], RequestPriority.Interactive, CancellationToken.None));
        Assert.Equal(TacticVerdictKind.Progress, left.Verdict.Kind);
        Assert.Equal(["case right\nhq : q\n⊢ q"], left.Verdict.GoalsAfter);

        // New sessions hold none of it: the declaration is elaborated again, then the steps are replayed in order.
        await harness.Pool.RestartAllAsync(CancellationToken.None);
        var tacticsBefore = harness.Log.Requests.Count(r => r.GetProperty("kind").GetString() == "tactic");
        var afterLeft = afterSplit.After(["constructor", "exact hp"], left.Verdict.GoalsAfter);
        var right = Assert.Single(await harness.Pool.RunTacticsAsync(afterLeft, ["exact hq"], RequestPriority.Interactive, CancellationToken.None));

        Assert.Equal(TacticVerdictKind.Solved, right.Verdict.Kind);
        var replayed = harness.Log.Requests.Where(r => r.GetProperty("kind").GetString() == "tactic").Skip(tacticsBefore).Select(r => r.GetProperty("tactic").GetString()!).ToArray();
        Assert.Equal(["constructor", "exact hp", "exact hq"], replayed);
    }
}
