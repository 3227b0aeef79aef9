using System.Diagnostics;

namespace LeanAssist.Testing;

/// <summary>
/// A zombie on Linux: a process that has exited but that its parent has not reaped, so it still has a
/// /proc entry (state Z) and kill(pid, 0) still succeeds. .NET reaps the children it starts itself, so
/// the zombie is made by a shell: it starts a short-lived child in the background, prints that child's
/// pid, and replaces itself with a sleep that never waits for the child (which exits after the exec). Disposing kills the sleep (by
/// id); the zombie is then reparented and reaped by init.
/// </summary>
public sealed class ZombieProcess : IAsyncDisposable
{
    private ZombieProcess(Process parent, int zombieId)
    {
        Parent = parent;
        ZombieId = zombieId;
    }

    /// <summary>The sleep that holds the zombie (the shell after exec).</summary>
    public Process Parent { get; }

    public int ZombieId { get; }

    public static async Task<ZombieProcess> StartAsync()
    {
        var start = new ProcessStartInfo("/bin/sh") { RedirectStandardOutput = true, UseShellExecute = false };
        start.ArgumentList.Add("-c");
        // The child outlives the exec by a moment: had it exited before, the shell could have reaped it.
        start.ArgumentList.Add("sleep 0.3 & echo $!; exec sleep 120");
        var parent = Process.Start(start) ?? throw new InvalidOperationException("Could not start /bin/sh.");
        try
        {
            var line = await parent.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(10));
            var zombieId = int.Parse(line ?? throw new InvalidOperationException("The shell printed no pid."), System.Globalization.CultureInfo.InvariantCulture);
            await Eventually.TrueAsync(() => State(zombieId) == "Z", TimeSpan.FromSeconds(10), $"process {zombieId} to become a zombie");
            return new ZombieProcess(parent, zombieId);
        }
        catch
        {
            parent.Kill();
            parent.Dispose();
            throw;
        }
    }

    /// <summary>The state letter in /proc/PID/stat (R, S, Z, ...), or null when there is no such process.</summary>
    public static string? State(int processId)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{processId}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[0];
        }
        catch (IOException)
        {
            return null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!Parent.HasExited)
        {
            Parent.Kill();
        }

        await Parent.WaitForExitAsync();
        Parent.Dispose();
    }
}
