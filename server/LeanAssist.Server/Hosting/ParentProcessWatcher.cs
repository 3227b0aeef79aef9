using LeanAssist.Lean.Repl;
using Microsoft.Extensions.Logging;

namespace LeanAssist.Server.Hosting;

/// <summary>Ends the server when the editor process that started it is gone (LSP: "processId").</summary>
public sealed class ParentProcessWatcher(ILogger<ParentProcessWatcher> logger) : IDisposable
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(2);
    private readonly Dictionary<int, Timer> _timers = [];

    /// <summary>
    /// Calls <paramref name="onExit"/> once when process <paramref name="processId"/> no longer runs. A process
    /// already watched is not watched again (the command line and <c>initialize</c> usually name the same editor).
    /// </summary>
    public void Watch(int processId, Action onExit)
    {
        lock (_timers)
        {
            if (_timers.ContainsKey(processId))
            {
                return;
            }

            var fired = 0;
            Timer? timer = null;
            timer = new Timer(_ =>
            {
                // ProcessTree.IsAlive: an editor that died but was not reaped yet (a zombie) is gone too.
                if (ProcessTree.IsAlive(processId) || Interlocked.Exchange(ref fired, 1) != 0)
                {
                    return;
                }

                logger.LogWarning("Client process {ProcessId} has exited; shutting down.", processId);
                timer?.Dispose();
                onExit();
            }, null, TimeSpan.Zero, PollInterval);
            _timers.Add(processId, timer);
        }
    }

    public void Dispose()
    {
        lock (_timers)
        {
            foreach (var timer in _timers.Values)
            {
                timer.Dispose();
            }

            _timers.Clear();
        }
    }
}
