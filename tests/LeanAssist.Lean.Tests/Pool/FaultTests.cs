using LeanAssist.Lean.Repl;
using LeanAssist.Lean.Sessions;
using LeanAssist.Lean.Verdicts;
using LeanAssist.Testing;

namespace LeanAssist.Lean.Tests.Pool;

/// <summary>Injected faults: the pool kills and replaces sessions, retries once, and never reports success or drops work.</summary>
public sealed class FaultTests
{
    [Fact]
    public async Task A_tactic_that_crashes_its_session_is_retried_once_then_reported_as_a_crash_while_the_others_succeed()
    {
        await using var harness = PoolHarness.Create();
        var target = await harness.TargetAsync("add_comm'");

        var runs = await harness.RunAsync(target, "crash", "rfl");

        Assert.Equal(TacticVerdictKind.Crash, runs[0].Verdict.Kind);
        Assert.Equal(TacticRunStatus.Crash, runs[0].Status);
        Assert.Contains("stand-in: injected fault: crash", runs[0].Verdict.Detail, StringComparison.Ordinal);
        Assert.False(runs[0].Verdict.IsCacheable);
        Assert.Equal(TacticVerdictKind.Solved, runs[1].Verdict.Kind);
        Assert.Equal(2, harness.Log.Requests.Count(r => r.TryGetProperty("tactic", out var t) && t.GetString() == "crash"));
        Assert.True(harness.Pool.Snapshot.Restarts >= 2);
    }

    [Fact]
    public async Task Work_on_a_session_that_crashed_once_succeeds_on_a_fresh_session()
    {
        // Process 1 crashes on its 4th request (the first tactic after header and two commands... and one more).
        await using var harness = PoolHarness.Create(standInArguments: ["--fault", "crash@5#1"]);
        var target = await harness.TargetAsync("add_comm'");

        var runs = await harness.RunAsync(target, "rfl", "intro h");

        Assert.All(runs, r => Assert.NotEqual(TacticVerdictKind.Crash, r.Verdict.Kind));
        Assert.Equal([TacticVerdictKind.Solved, TacticVerdictKind.Progress], runs.Select(r => r.Verdict.Kind));
        Assert.Equal(2, harness.Log.ProcessesStarted);
        Assert.Equal(1, harness.Pool.Snapshot.Restarts);
    }

    [Fact]
    public async Task A_hanging_tactic_times_out_its_process_tree_is_killed_and_the_session_is_replaced()
    {
        await using var harness = PoolHarness.Create(configure: o => o.RequestTimeoutSeconds = 1.5, standInArguments: ["--spawn-child"]);
        var target = await harness.TargetAsync("add_comm'");
        var firstProcess = harness.Log.Entries.First(e => e.GetProperty("event").GetString() == "start").GetProperty("pid").GetInt32();
        var firstChild = harness.Log.ChildProcessIds[0];

        var runs = await harness.RunAsync(target, "hang");

        Assert.Equal(TacticVerdictKind.Timeout, runs[0].Verdict.Kind);
        Assert.Contains("did not answer within 1.5 s", runs[0].Verdict.Detail, StringComparison.Ordinal);
        Assert.Equal(1, harness.Log.Requests.Count(r => r.TryGetProperty("tactic", out var t) && t.GetString() == "hang"));
        await Eventually.TrueAsync(() => !ProcessTree.IsAlive(firstProcess) && !ProcessTree.IsAlive(firstChild), TimeSpan.FromSeconds(10), "the hung process tree to be gone");

        var after = await harness.RunAsync(target, "rfl");
        Assert.Equal(TacticVerdictKind.Solved, after[0].Verdict.Kind);
    }

    [Fact]
    public async Task Garbage_on_stdout_is_a_clear_protocol_failure()
    {
        await using var harness = PoolHarness.Create();
        var target = await harness.TargetAsync("add_comm'");

        var runs = await harness.RunAsync(target, "garbage");

        Assert.Equal(TacticVerdictKind.Crash, runs[0].Verdict.Kind);
        Assert.Contains("not JSON", runs[0].Verdict.Detail, StringComparison.Ordinal);
        Assert.Contains("PANIC at Lean.Elab", runs[0].Verdict.Detail, StringComparison.Ordinal);
        Assert.Equal(TacticVerdictKind.Solved, (await harness.RunAsync(target, "rfl"))[0].Verdict.Kind);
    }

    [Fact]
    public async Task A_50_MB_answer_over_the_limit_fails_clearly_and_under_a_raised_limit_is_read()
    {
        await using (var limited = PoolHarness.Create())
        {
            var target = await limited.TargetAsync("add_comm'");
            var runs = await limited.RunAsync(target, "huge");
            Assert.Equal(TacticVerdictKind.Crash, runs[0].Verdict.Kind);
            Assert.Contains("larger than the limit of 32 MB", runs[0].Verdict.Detail, StringComparison.Ordinal);
        }

        await using var raised = PoolHarness.Create(configure: o => o.MaxResponseMegabytes = 64);
        var target2 = await raised.TargetAsync("add_comm'");
        var read = await raised.RunAsync(target2, "huge");
        Assert.Equal(TacticRunStatus.Responded, read[0].Status);
        Assert.Equal(50 * 1024 * 1024, read[0].Response!.Messages.Single().Data.Length);
    }

    [Fact]
    public async Task A_crash_in_the_middle_of_an_answer_is_a_crash_not_a_parse_of_half_an_answer()
    {
        await using var harness = PoolHarness.Create();
        var target = await harness.TargetAsync("add_comm'");

        var runs = await harness.RunAsync(target, "half");

        Assert.Equal(TacticVerdictKind.Crash, runs[0].Verdict.Kind);
        Assert.Contains("in the middle of an answer", runs[0].Verdict.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_slow_start_shows_as_starting_and_work_waits_for_it()
    {
        await using var harness = PoolHarness.Create(standInArguments: ["--startup-ms", "1500"]);
        var snapshots = new List<LeanPoolSnapshot>();
        harness.Pool.SnapshotChanged += (_, s) =>
        {
            lock (snapshots)
            {
                snapshots.Add(s);
            }
        };

        var file = await harness.LoadAsync(PoolHarness.StandardFile);

        Assert.True(file.IsComplete);
        await Eventually.TrueAsync(() => { lock (snapshots) { return snapshots.Any(s => s.Warm == 1 && s.Busy == 0); } }, TimeSpan.FromSeconds(10), "a warm snapshot");
        lock (snapshots)
        {
            Assert.Contains(snapshots, s => s.Starting == 1);
        }
    }

    [Fact]
    public async Task A_session_that_dies_during_warm_up_is_replaced_and_the_file_still_loads()
    {
        await using var harness = PoolHarness.Create(standInArguments: ["--fault", "dieDuringHeader#1"]);

        var file = await harness.LoadAsync(PoolHarness.StandardFile);

        Assert.True(file.IsComplete, string.Join("; ", file.Problems));
        Assert.Equal(2, file.Targets.Count(t => t.Kind == LeanTargetKind.Sorry));
        Assert.Equal(2, harness.Log.ProcessesStarted);
        Assert.Equal(1, harness.Pool.Snapshot.Restarts);
    }

    [Fact]
    public async Task A_session_growing_past_its_memory_limit_is_recycled_and_work_goes_on()
    {
        await using var harness = PoolHarness.Create(
            configure: o => o.MemoryLimitMegabytes = 300,
            standInArguments: ["--fault", "memoryGrowth"],
            maintenanceInterval: TimeSpan.FromMilliseconds(100));
        var target = await harness.TargetAsync("add_comm'");

        // Each request holds 64 MB more; the pool must recycle the process before it gets far past 300 MB.
        for (var i = 0; i < 6; i++)
        {
            var runs = await harness.RunAsync(target, "rfl");
            Assert.Contains(runs[0].Verdict.Kind, new[] { TacticVerdictKind.Solved, TacticVerdictKind.Crash });
        }

        await Eventually.TrueAsync(() => harness.Pool.Snapshot.Restarts >= 1, TimeSpan.FromSeconds(10), "a memory recycle");
        Assert.True(harness.Log.ProcessesStarted >= 2);
    }

    [Fact]
    public async Task Sessions_are_recycled_after_the_configured_number_of_requests()
    {
        await using var harness = PoolHarness.Create(configure: o => o.RecycleAfterRequests = 6);
        var target = await harness.TargetAsync("add_comm'");

        for (var i = 0; i < 4; i++)
        {
            Assert.Equal(TacticVerdictKind.Solved, (await harness.RunAsync(target, "rfl"))[0].Verdict.Kind);
        }

        Assert.Equal(2, harness.Log.ProcessesStarted);
        Assert.Equal(1, harness.Pool.Snapshot.Restarts);
    }
}
