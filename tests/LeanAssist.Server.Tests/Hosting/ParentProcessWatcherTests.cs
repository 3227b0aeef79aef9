using System.Diagnostics;
using LeanAssist.Server.Hosting;
using LeanAssist.Testing;
using LeanAssist.Testing.Lsp;
using Microsoft.Extensions.Logging.Abstractions;

namespace LeanAssist.Server.Tests.Hosting;

public sealed class ParentProcessWatcherTests
{
    private static async Task<bool> FiresWithinAsync(int processId, TimeSpan timeout)
    {
        using var watcher = new ParentProcessWatcher(NullLogger<ParentProcessWatcher>.Instance);
        var fired = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        watcher.Watch(processId, () => fired.TrySetResult());
        return await Task.WhenAny(fired.Task, Task.Delay(timeout)) == fired.Task;
    }

    /// <summary>
    /// An editor that crashed while its own parent does not reap it is a zombie: it still has a process
    /// entry, so a check by id alone (kill(pid, 0), Process.GetProcessById) would keep the server running.
    /// </summary>
    [LinuxFact]
    public async Task A_zombie_client_process_counts_as_exited()
    {
        await using var zombie = await ZombieProcess.StartAsync();

        Assert.True(await FiresWithinAsync(zombie.ZombieId, TimeSpan.FromSeconds(20)), "The watcher did not notice the zombie.");
    }

    [Fact]
    public async Task A_client_process_that_exited_is_noticed()
    {
        using var process = Process.Start(new ProcessStartInfo(ServerProcess.DotnetHost, "--version") { UseShellExecute = false, RedirectStandardOutput = true })!;
        await process.WaitForExitAsync();

        Assert.True(await FiresWithinAsync(process.Id, TimeSpan.FromSeconds(20)), "The watcher did not notice the exit.");
    }
}
