using System.Text.Json;
using LeanAssist.Lean.Pool;
using LeanAssist.Lean.Repl;
using LeanAssist.Lean.Sessions;
using LeanAssist.Lean.Verdicts;
using LeanAssist.Testing;

namespace LeanAssist.Lean.Tests.Pool;

/// <summary>Queue, priorities, cancellation, settings changes, restart and shutdown.</summary>
public sealed class SchedulingTests
{
    [Fact]
    public async Task Interactive_work_runs_before_background_work_queued_earlier()
    {
        await using var harness = PoolHarness.Create();
        var target = await harness.TargetAsync("add_comm'");
        var order = new List<string>();

        var blocker = harness.Pool.RunTacticsAsync(target.ProofState!, ["slower"], RequestPriority.Background, CancellationToken.None);
        await Eventually.TrueAsync(() => harness.Pool.Snapshot.Busy == 1, TimeSpan.FromSeconds(10), "the session to be busy");
        var background = harness.Pool.RunTacticsAsync(target.ProofState!, ["rfl", "rfl", "rfl"], RequestPriority.Background, CancellationToken.None)
            .ContinueWith(_ => { lock (order) { order.Add("background"); } }, TaskScheduler.Default);
        await Eventually.TrueAsync(() => harness.Pool.Snapshot.QueueDepth == 3, TimeSpan.FromSeconds(10), "background work to queue");
        var interactive = harness.Pool.RunTacticsAsync(target.ProofState!, ["intro h"], RequestPriority.Interactive, CancellationToken.None)
            .ContinueWith(_ => { lock (order) { order.Add("interactive"); } }, TaskScheduler.Default);

        await Task.WhenAll(blocker, background, interactive).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(["interactive", "background"], order);
    }

    [Fact]
    public async Task A_full_queue_refuses_new_work_clearly_and_loses_nothing_already_queued()
    {
        await using var harness = PoolHarness.Create(configure: o => o.QueueLimit = 3);
        var target = await harness.TargetAsync("add_comm'");
        var running = harness.Pool.RunTacticsAsync(target.ProofState!, ["slower", "rfl", "rfl"], RequestPriority.Interactive, CancellationToken.None);
        await Eventually.TrueAsync(() => harness.Pool.Snapshot.Busy == 1, TimeSpan.FromSeconds(10), "work to start");

        var refused = await Assert.ThrowsAsync<LeanUnavailableException>(() =>
            harness.Pool.RunTacticsAsync(target.ProofState!, ["rfl", "rfl"], RequestPriority.Interactive, CancellationToken.None));

        Assert.Equal(LeanUnavailableReason.QueueFull, refused.Reason);
        Assert.Contains("leanAssist.repl.queueLimit is 3", refused.Message, StringComparison.Ordinal);
        var completed = await running.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(3, completed.Count);
        Assert.All(completed, r => Assert.Equal(TacticVerdictKind.Solved, r.Verdict.Kind));
    }

    [Fact]
    public async Task Canceling_queued_work_removes_it_and_the_pool_keeps_working()
    {
        await using var harness = PoolHarness.Create();
        var target = await harness.TargetAsync("add_comm'");
        var blocker = harness.Pool.RunTacticsAsync(target.ProofState!, ["slower"], RequestPriority.Interactive, CancellationToken.None);
        await Eventually.TrueAsync(() => harness.Pool.Snapshot.Busy == 1, TimeSpan.FromSeconds(10), "the session to be busy");
        using var cancellation = new CancellationTokenSource();
        var queued = harness.Pool.RunTacticsAsync(target.ProofState!, ["rfl", "rfl"], RequestPriority.Interactive, cancellation.Token);

        await cancellation.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => queued.WaitAsync(TimeSpan.FromSeconds(10)));
        await Eventually.TrueAsync(() => harness.Pool.Snapshot.QueueDepth == 0, TimeSpan.FromSeconds(10), "the queue to empty");
        await blocker.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(TacticVerdictKind.Solved, (await harness.RunAsync(target, "rfl"))[0].Verdict.Kind);
        Assert.Equal(2, harness.Log.CountRequests("tactic"));
    }

    [Fact]
    public async Task Raising_the_session_count_applies_without_a_restart()
    {
        await using var harness = PoolHarness.Create();
        var target = await harness.TargetAsync("add_comm'");
        Assert.Single((await harness.RunAsync(target, "rfl", "rfl")).Select(r => r.SessionId).Distinct());

        harness.Options.Set(Copy(harness.Options.CurrentValue, o => o.Sessions = 2));
        await Eventually.TrueAsync(() => harness.Pool.Snapshot.Warm == 2, TimeSpan.FromSeconds(20), "a second warm session");
        var runs = await harness.RunAsync(target, "slow", "slow");

        Assert.Equal(2, runs.Select(r => r.SessionId).Distinct().Count());
        Assert.Equal(0, harness.Pool.Snapshot.Restarts);
    }

    [Fact]
    public async Task Restart_all_replaces_every_process_and_forgets_cached_results()
    {
        await using var harness = PoolHarness.Create(configure: o => o.Sessions = 2);
        var target = await harness.TargetAsync("add_comm'");
        await harness.RunAsync(target, "slow", "slow");
        var before = harness.Pool.Snapshot.Sessions.Select(s => s.ProcessId).ToHashSet();

        await harness.Pool.RestartAllAsync(CancellationToken.None);
        var reloaded = await harness.LoadAsync(PoolHarness.StandardFile);

        Assert.True(reloaded.LeanRequests > 0);
        await Eventually.TrueAsync(() => harness.Pool.Snapshot.Warm == 2, TimeSpan.FromSeconds(20), "two fresh warm sessions");
        Assert.DoesNotContain(harness.Pool.Snapshot.Sessions, s => before.Contains(s.ProcessId));
        Assert.NotEmpty(before);
        Assert.All(before, pid => Assert.False(ProcessTree.IsAlive(pid!.Value)));
    }

    [Fact]
    public async Task Shutdown_kills_whole_process_trees_and_fails_waiting_work_clearly()
    {
        var harness = PoolHarness.Create(standInArguments: ["--spawn-child"]);
        try
        {
            var target = await harness.TargetAsync("add_comm'");
            var running = harness.Pool.RunTacticsAsync(target.ProofState!, ["slow", "rfl"], RequestPriority.Interactive, CancellationToken.None);
            await Eventually.TrueAsync(() => harness.Pool.Snapshot.Busy == 1, TimeSpan.FromSeconds(10), "work to start");
            var processes = harness.Log.Entries.Where(e => e.GetProperty("event").GetString() == "start").Select(e => e.GetProperty("pid").GetInt32()).ToList();
            var children = harness.Log.ChildProcessIds;
            Assert.NotEmpty(children);

            await harness.Pool.DisposeAsync();

            var runs = await running.WaitAsync(TimeSpan.FromSeconds(10));
            // The running tactic may still have answered while stdin closed; the queued one never ran.
            Assert.Contains(runs[0].Verdict.Kind, new[] { TacticVerdictKind.Solved, TacticVerdictKind.Unavailable });
            Assert.Equal(TacticVerdictKind.Unavailable, runs[1].Verdict.Kind);
            Assert.Contains("shut down", runs[1].Verdict.Detail, StringComparison.Ordinal);
            await Eventually.TrueAsync(() => processes.Concat(children).All(pid => !ProcessTree.IsAlive(pid)), TimeSpan.FromSeconds(10), "every process of every tree to be gone");
            await Assert.ThrowsAsync<LeanUnavailableException>(() => harness.LoadAsync(PoolHarness.StandardFile));
        }
        finally
        {
            await harness.DisposeAsync();
        }
    }

    [Fact]
    public async Task Warm_up_starts_the_configured_number_of_sessions_for_a_header()
    {
        await using var harness = PoolHarness.Create(configure: o => o.Sessions = 3);

        await harness.Pool.WarmUpAsync(harness.ProjectRoot, new LeanAssist.Lean.Text.SourceText(PoolHarness.StandardFile), CancellationToken.None);

        await Eventually.TrueAsync(() => harness.Pool.Snapshot.Warm == 3, TimeSpan.FromSeconds(20), "three warm sessions");
        Assert.Equal(3, harness.Log.CountRequests("header"));
        Assert.Equal(0, harness.Log.CountRequests("command"));
    }

    [Fact]
    public async Task A_missing_launch_is_reported_with_what_to_do()
    {
        await using var harness = PoolHarness.Create(configure: o => o.Command = null);

        var error = await Assert.ThrowsAsync<LeanUnavailableException>(() => harness.LoadAsync(PoolHarness.StandardFile));

        Assert.Equal(LeanUnavailableReason.NotConfigured, error.Reason);
        Assert.True(error.Message.Contains("leanassist setup", StringComparison.Ordinal) || error.Message.Contains("elan", StringComparison.Ordinal), error.Message);
    }

    /// <summary>A changed copy, as a new settings object arrives from the editor.</summary>
    private static ReplOptions Copy(ReplOptions options, Action<ReplOptions> change)
    {
        var copy = JsonSerializer.Deserialize<ReplOptions>(JsonSerializer.Serialize(options))!;
        change(copy);
        return copy;
    }
}
