using System.Diagnostics;
using LeanAssist.Lean.Pool;
using LeanAssist.Lean.Repl;
using LeanAssist.Lean.Sessions;
using LeanAssist.Lean.Text;
using LeanAssist.Lean.Toolchain;
using LeanAssist.Testing;
using LeanAssist.Testing.Options;
using Microsoft.Extensions.Logging.Abstractions;

namespace LeanAssist.Lean.Tests.Pool;

/// <summary>A pool that runs all day: bounded memory, no session stuck starting, nothing left behind by dead processes.</summary>
public sealed class LongDayTests
{
    private const string Body = "\n\ntheorem t (n : Nat) : n = n := by\n  sorry\n";

    /// <summary>TEST DOUBLE around the real resolver: its launch spec is broken in a way no start path expects (null arguments).</summary>
    private sealed class BrokenSpecResolver(IReplLaunchResolver real) : IReplLaunchResolver
    {
        public ReplLaunchPlan Resolve(string? projectRoot)
        {
            var plan = real.Resolve(projectRoot);
            return plan with { Launch = plan.Launch with { Arguments = null! } };
        }
    }

    [Fact]
    public async Task An_unexpected_exception_at_start_leaves_no_session_starting_and_fails_the_waiting_work()
    {
        using var directory = new TemporaryDirectory();
        var standIn = StandInProject.Write(directory, "test", PoolHarness.StandardScript, "project");
        var options = new MutableOptionsMonitor<ReplOptions>(new ReplOptions { Command = standIn.ReplCommand(), Sessions = 1, IdleMinutes = 0, PersistOutcomes = false });
        var resolver = new BrokenSpecResolver(new ReplLaunchResolver(options, new MutableOptionsMonitor<ToolchainOptions>(new ToolchainOptions()), new LeanToolchainLocator()));
        await using var pool = new LeanSessionPool(options, resolver, NullLoggerFactory.Instance);
        var root = directory.Combine("project");

        var file = await pool.LoadFileAsync(new LeanFileRequest(root, Path.Combine(root, "T.lean"), new SourceText("import Proj.Basic" + Body)), CancellationToken.None)
            .WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(LeanLoadFailure.NotStarted, file.Failure);
        Assert.Contains(file.Problems, p => p.Contains("could not start", StringComparison.Ordinal));
        await Eventually.TrueAsync(() => pool.Snapshot.Starting == 0, TimeSpan.FromSeconds(10), "no session left starting");
    }

    [Fact]
    public async Task Idle_groups_give_up_their_memory_and_the_oldest_are_dropped_and_a_reload_still_needs_no_Lean()
    {
        await using var harness = PoolHarness.Create(configure: o => o.MaxTotalSessions = 1, maintenanceInterval: TimeSpan.FromMilliseconds(50));
        harness.Pool.IdleGroupGrace = TimeSpan.Zero;
        harness.Pool.MaxGroups = 1;

        var first = await harness.LoadAsync("import A" + Body);
        var second = await harness.LoadAsync("import B" + Body);
        Assert.NotEqual(first.HeaderFingerprint, second.HeaderFingerprint);

        // The first group's session was taken for the second; idle and over the cap, the first group is forgotten.
        await Eventually.TrueAsync(() => harness.Pool.GroupCount == 1 && harness.Pool.NewestBuildEntries == 1, TimeSpan.FromSeconds(30), "one group left");
        var requests = harness.Log.Requests.Count;
        var again = await harness.LoadAsync("import A" + Body);

        // Its outcomes were on disk: loading it again asks Lean nothing.
        Assert.Equal(0, again.LeanRequests);
        Assert.Equal(first.Targets.Single().Goal, again.Targets.Single().Goal);
        Assert.Equal(requests, harness.Log.Requests.Count);
    }

    [Fact]
    public async Task Pickle_folders_of_dead_processes_are_swept_and_live_ones_kept()
    {
        using var directory = new TemporaryDirectory();
        using var exited = Process.Start(new ProcessStartInfo("true") { UseShellExecute = false })!;
        await exited.WaitForExitAsync();
        var dead = directory.WriteFile($"proofstates/{exited.Id}-0123456789abcdef0123/x.olean", "pickle");
        var mine = directory.WriteFile($"proofstates/{Environment.ProcessId}-0123456789abcdef0123/x.olean", "pickle");
        var notOurs = directory.WriteFile("proofstates/something-else/x", "kept");

        var swept = LeanSessionPool.SweepDeadPickleFolders(directory.Combine("proofstates"), NullLogger.Instance);

        Assert.Equal(1, swept);
        Assert.False(File.Exists(dead));
        Assert.True(File.Exists(mine));
        Assert.True(File.Exists(notOurs));
    }
}
