using System.Text.Json;
using LeanAssist.Lean.Pool;
using LeanAssist.Lean.Sessions;
using LeanAssist.Lean.Verdicts;

namespace LeanAssist.Lean.Tests.Pool;

/// <summary>Running candidate tactics on a target: typed results, verdicts, parallelism and proof-state transfer.</summary>
public sealed class TacticRunTests
{
    [Fact]
    public async Task Every_kind_of_REPL_answer_gets_a_typed_result_and_the_right_verdict()
    {
        await using var harness = PoolHarness.Create();
        var target = await harness.TargetAsync("add_comm'");

        var runs = await harness.RunAsync(target, "rfl", "exact?", "intro h", "skip", "exact bogus", "sorry", "exact ex", "apply ?m", "exat 1");

        Assert.Equal(
            [TacticVerdictKind.Solved, TacticVerdictKind.Solved, TacticVerdictKind.Progress, TacticVerdictKind.Failed, TacticVerdictKind.Failed,
             TacticVerdictKind.Failed, TacticVerdictKind.Failed, TacticVerdictKind.Failed, TacticVerdictKind.Failed],
            runs.Select(r => r.Verdict.Kind));
        Assert.Equal(
            [TacticFailureReason.None, TacticFailureReason.None, TacticFailureReason.None, TacticFailureReason.NoChange, TacticFailureReason.ErrorMessage,
             TacticFailureReason.ContainsSorry, TacticFailureReason.KernelError, TacticFailureReason.ContainsMetavariables, TacticFailureReason.ReplError],
            runs.Select(r => r.Verdict.Reason));
        Assert.Contains("exact Nat.add_comm a b", Assert.Single(runs[1].Verdict.TryThisMessages));
        Assert.Equal(["h : True\n⊢ False"], runs[2].Response!.Goals);
        Assert.Equal("unknown identifier 'bogus'", runs[4].Verdict.Detail);
        Assert.Equal(TacticRunStatus.ReplError, runs[8].Status);
        Assert.Equal("Lean error:\n<input>:1:1: unknown tactic", runs[8].ReplError);
        Assert.All(runs.Where(r => r.Status == TacticRunStatus.Responded), r => Assert.True(r.LeanTime >= TimeSpan.FromMilliseconds(15), $"{r.Tactic}: {r.LeanTime}"));
    }

    [Fact]
    public async Task Candidates_run_in_parallel_across_sessions_and_other_sessions_replay_the_declaration()
    {
        await using var harness = PoolHarness.Create(configure: o => o.Sessions = 2);
        var target = await harness.TargetAsync("add_comm'");
        await harness.WarmAllAsync(2);

        var runs = await harness.RunAsync(target, "slow", "slow", "slow", "slow");

        Assert.All(runs, r => Assert.Equal(TacticVerdictKind.Solved, r.Verdict.Kind));
        Assert.Equal(2, runs.Select(r => r.SessionId).Distinct().Count());

        // The second process imported the header itself and elaborated the prefix and the declaration.
        var second = harness.Log.Requests.Where(r => r.GetProperty("process").GetInt32() == 2).ToList();
        Assert.Equal(1, second.Count(r => r.GetProperty("kind").GetString() == "header"));
        Assert.Equal(1, second.Count(r => r.GetProperty("kind").GetString() == "command" && r.GetProperty("cmd").GetString()!.Contains("add_comm'", StringComparison.Ordinal)));
        Assert.Equal(2, second.Count(r => r.GetProperty("kind").GetString() == "tactic"));
    }

    [Fact]
    public async Task A_warm_second_batch_needs_no_replay()
    {
        await using var harness = PoolHarness.Create(configure: o => o.Sessions = 2);
        var target = await harness.TargetAsync("add_comm'");
        await harness.WarmAllAsync(2);
        await harness.RunAsync(target, "slow", "slow");
        var commands = harness.Log.CountRequests("command");

        var runs = await harness.RunAsync(target, "slow", "slow", "rfl", "rfl");

        Assert.All(runs, r => Assert.Equal(TacticVerdictKind.Solved, r.Verdict.Kind));
        Assert.Equal(2, runs.Select(r => r.SessionId).Distinct().Count());
        Assert.Equal(commands, harness.Log.CountRequests("command"));
        Assert.Equal(2, harness.Log.ProcessesStarted);
    }

    [Fact]
    public async Task With_pickling_other_sessions_unpickle_the_proof_state_instead_of_replaying()
    {
        await using var harness = PoolHarness.Create(configure: o =>
        {
            o.Sessions = 2;
            o.ProofStateTransfer = ProofStateTransfer.Pickle;
        });
        var target = await harness.TargetAsync("add_comm'");
        await harness.WarmAllAsync(2);

        var runs = await harness.RunAsync(target, "slow", "slow", "slow", "slow");

        Assert.All(runs, r => Assert.Equal(TacticVerdictKind.Solved, r.Verdict.Kind));
        Assert.Equal(2, runs.Select(r => r.SessionId).Distinct().Count());
        Assert.Equal(1, harness.Log.CountRequests("pickleProofState"));
        // Both sessions start together; the one that elaborated the declaration pickles, the other unpickles.
        bool Elaborates(JsonElement r) => r.GetProperty("kind").GetString() == "command" && r.GetProperty("cmd").GetString()!.Contains("add_comm'", StringComparison.Ordinal);
        var elaborating = Assert.Single(harness.Log.Requests, Elaborates).GetProperty("process").GetInt32();
        var unpickles = harness.Log.Requests.Where(r => r.GetProperty("kind").GetString() == "unpickleProofState").ToList();
        Assert.Single(unpickles);
        Assert.NotEqual(elaborating, unpickles[0].GetProperty("process").GetInt32());
    }

    [Theory]
    [InlineData(1, 0)]
    [InlineData(700, 1)]
    public async Task Automatic_transfer_pickles_only_proof_states_of_declarations_that_are_slow_to_elaborate(int declarationMilliseconds, int expectedPickles)
    {
        var script = $$"""
            { "commands": [ { "pattern": "^theorem slow", "latencyMs": {{declarationMilliseconds}} } ],
              "tactics": [ { "tactic": "rfl", "result": "completed", "latencyMs": 100 } ] }
            """;
        await using var harness = PoolHarness.Create(script, o => o.Sessions = 2);
        var target = await harness.TargetAsync("slow", "theorem slow : True := by\n  sorry\n");
        await harness.WarmAllAsync(2, "theorem slow : True := by\n  sorry\n");

        var runs = await harness.RunAsync(target, "rfl", "rfl", "rfl", "rfl");

        Assert.Equal(4, runs.Count);
        Assert.All(runs, r => Assert.Equal(TacticVerdictKind.Solved, r.Verdict.Kind));
        Assert.Equal(expectedPickles, harness.Log.CountRequests("pickleProofState"));
        Assert.Equal(expectedPickles, harness.Log.CountRequests("unpickleProofState"));
        Assert.Equal(2 - expectedPickles, harness.Log.CountRequests("command"));
    }

    [Fact]
    public async Task A_target_from_another_pool_is_unavailable_not_an_error()
    {
        await using var first = PoolHarness.Create();
        await using var second = PoolHarness.Create();
        var target = await first.TargetAsync("add_comm'");

        var runs = await second.Pool.RunTacticsAsync(target.ProofState!, ["rfl"], RequestPriority.Interactive, CancellationToken.None);

        Assert.Equal(TacticVerdictKind.Unavailable, Assert.Single(runs).Verdict.Kind);
    }
}
