using System.Diagnostics;
using LeanAssist.Lean.Repl;
using LeanAssist.Testing;

namespace LeanAssist.Lean.Tests.Repl;

/// <summary>
/// The process tree the memory limit measures (<c>lake env repl</c>: the REPL is lake's child). The
/// Linux path is exercised live; the macOS and Windows paths through their parsing and aggregation,
/// with recorded process tables.
/// </summary>
public sealed class ProcessTreeTests
{
    /// <summary>
    /// Recorded on macOS 14 with <c>ps -A -o pid=,ppid=,rss=</c> (right-aligned columns, rss in KiB), cut
    /// down: launchd, the VS Code server, lake (4242), the REPL under it (4243), a process the REPL
    /// started (4300), and an unrelated process.
    /// </summary>
    private const string MacPsOutput =
        "    1     0  12336\n" +
        "  312     1  98304\n" +
        " 4242   312  10240\n" +
        " 4243  4242 3145728\n" +
        " 4300  4243   1024\n" +
        " 5000     1   4096\n";

    [Fact]
    public void Parses_macOS_ps_output_with_rss_in_kibibytes()
    {
        var table = ProcessTree.ParsePsTable(MacPsOutput);

        Assert.Equal(6, table.Count);
        Assert.Equal(new ProcessEntry(4243, 4242, 3145728L * 1024), table[3]);
    }

    [Fact]
    public void Lines_that_are_not_three_numbers_are_skipped()
    {
        var table = ProcessTree.ParsePsTable("  PID  PPID   RSS\n 10 1 200\n\n 11 x 5\n 12 10\r\n 13 10 300 extra\n 14 10 -5\n");

        Assert.Equal([new ProcessEntry(10, 1, 200 * 1024)], table);
    }

    [Fact]
    public void The_tree_memory_is_lake_plus_the_REPL_plus_what_the_REPL_started()
    {
        var table = ProcessTree.ParsePsTable(MacPsOutput);

        Assert.Equal([4242, 4243, 4300], ProcessTree.DescendantsAndSelf(table, 4242));
        Assert.Equal((10240L + 3145728 + 1024) * 1024, ProcessTree.SumResidentBytes(table, 4242));
        Assert.Equal(0, ProcessTree.SumResidentBytes(table, 99999));
    }

    [Fact]
    public void A_child_that_started_before_its_parent_belongs_to_an_earlier_process_with_a_reused_id()
    {
        // Windows reuses ids and keeps the parent id of a process whose parent exited.
        var t0 = new DateTime(2025, 11, 22, 10, 0, 0, DateTimeKind.Utc);
        ProcessEntry[] table =
        [
            new(100, 4, StartTime: t0.AddMinutes(10)),
            new(200, 100, StartTime: t0.AddMinutes(11)),
            new(300, 100, StartTime: t0.AddMinutes(5)),
            new(301, 300, StartTime: t0.AddMinutes(6)),
            new(400, 200),
        ];

        Assert.Equal([100, 200, 400], ProcessTree.DescendantsAndSelf(table, 100));
    }

    [Fact]
    public void A_Windows_reading_dates_only_the_tree_candidates_and_counts_each_process_memory()
    {
        var t0 = new DateTime(2025, 11, 22, 10, 0, 0, DateTimeKind.Utc);
        var started = new Dictionary<int, DateTime> { [100] = t0.AddMinutes(10), [200] = t0.AddMinutes(11), [300] = t0.AddMinutes(5), [301] = t0.AddMinutes(6), [999] = t0 };
        var dated = new List<int>();
        var reading = new ProcessTableReading(
            [new(100, 4), new(200, 100), new(300, 100), new(301, 300), new(999, 4)],
            residentBytes: pid => pid * 10L,
            tableHasMemory: false,
            datesChildren: pid =>
            {
                dated.Add(pid);
                return started[pid];
            });

        Assert.Equal([100, 200], reading.GetDescendantsAndSelf(100));
        Assert.Equal(1000 + 2000, reading.GetResidentBytes(100));
        Assert.DoesNotContain(999, dated);
    }

    [Fact]
    public void A_macOS_reading_takes_the_memory_from_the_table()
    {
        var reading = new ProcessTableReading(ProcessTree.ParsePsTable(MacPsOutput), residentBytes: _ => throw new InvalidOperationException("not asked per process"), tableHasMemory: true, datesChildren: null);

        Assert.Equal((3145728L + 1024) * 1024, reading.GetResidentBytes(4243));
        Assert.Equal([4243, 4300], reading.GetDescendantsAndSelf(4243));
    }

    [Fact]
    public void Parent_cycles_and_self_parents_end_the_walk()
    {
        ProcessEntry[] table = [new(0, 0), new(4, 0), new(1, 2), new(2, 1)];

        Assert.Equal([0, 4], ProcessTree.DescendantsAndSelf(table, 0));
        Assert.Equal([1, 2], ProcessTree.DescendantsAndSelf(table, 1));
    }

    [LinuxFact]
    public async Task On_Linux_a_child_is_found_under_its_parent_and_its_memory_counted()
    {
        var start = new ProcessStartInfo("/bin/sh") { RedirectStandardOutput = true, UseShellExecute = false };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add("sleep 120 & echo $!; wait");
        using var shell = Process.Start(start)!;
        try
        {
            var child = int.Parse((await shell.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(10)))!, System.Globalization.CultureInfo.InvariantCulture);

            Assert.Equal([shell.Id, child], ProcessTree.GetDescendantsAndSelf(shell.Id));
            var childBytes = ProcessTree.GetResidentBytes(child);
            Assert.True(childBytes > 0, "The child has no resident memory.");
            Assert.True(ProcessTree.GetResidentBytes(shell.Id) > childBytes, "The shell's tree does not count more than its child.");
        }
        finally
        {
            shell.Kill(entireProcessTree: true);
            await shell.WaitForExitAsync();
        }
    }

    [LinuxFact]
    public async Task On_Linux_a_zombie_is_not_alive_though_it_still_has_a_proc_entry()
    {
        await using var zombie = await ZombieProcess.StartAsync();

        Assert.Equal("Z", ZombieProcess.State(zombie.ZombieId));
        Assert.False(ProcessTree.IsAlive(zombie.ZombieId));
        Assert.True(ProcessTree.IsAlive(zombie.Parent.Id));
        Assert.True(ProcessTree.IsAlive(Environment.ProcessId));
    }

    [UnixFact]
    public async Task A_process_that_exited_and_was_reaped_is_not_alive()
    {
        using var process = Process.Start(new ProcessStartInfo("true") { UseShellExecute = false })!;
        await process.WaitForExitAsync();

        Assert.False(ProcessTree.IsAlive(process.Id));
    }
}
