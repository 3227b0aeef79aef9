using System.Diagnostics;
using System.Globalization;
using LeanAssist.Lean.Sessions;
using LeanAssist.Lean.Storage;
using Microsoft.Extensions.Logging;

namespace LeanAssist.Lean.Pool;

/// <summary>
/// What keeps a pool that runs for a whole editing day bounded and its background work observed: idle groups
/// release their memory and the oldest are dropped, pickle folders of dead processes are swept at start, and
/// work started in the background (restarts, process disposal) is watched and logged instead of left unobserved.
/// </summary>
public sealed partial class LeanSessionPool
{
    /// <summary>Groups known at most; beyond it the least recently used idle ones are dropped (their outcomes stay on disk when persisted).</summary>
    internal int MaxGroups { get; set; } = 256;

    /// <summary>A group with no session and no work, unused this long, gives up the outcomes and pickles it holds in memory.</summary>
    internal TimeSpan IdleGroupGrace { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>Outcomes held in memory by all groups (the soak benchmark prints it).</summary>
    internal int OutcomesInMemory
    {
        get
        {
            lock (_gate)
            {
                return _groups.Values.Sum(g => g.Outcomes.MemoryCount);
            }
        }
    }

    /// <summary>Entries of the newest-build table (bounded by the groups: see <see cref="ForgetGroupLocked"/>).</summary>
    internal int NewestBuildEntries
    {
        get
        {
            lock (_gate)
            {
                return _newestBuild.Count;
            }
        }
    }

    /// <summary>Runs <paramref name="work"/> in the background and logs its failure, so nothing started there fails unseen.</summary>
    private void RunObserved(Func<Task> work, string what)
    {
        _ = Task.Run(async () =>
        {
            try
            {
                await work().ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (_shutdown.IsCancellationRequested)
            {
            }
            catch (Exception e)
            {
                _logger.LogError(e, "Background Lean work failed: {What}.", what);
            }
        });
    }

    /// <summary>Releases idle groups' memory and drops the oldest idle groups beyond <see cref="MaxGroups"/>; under the lock.</summary>
    private void ReleaseIdleGroupsLocked()
    {
        var busy = _sessions.Select(s => s.Group).Concat(_interactive.Concat(_background).Select(j => j.Group)).ToHashSet();
        var idle = _groups.Values.Where(g => !busy.Contains(g)).OrderBy(g => g.LastUsedTimestamp).ToList();
        foreach (var group in idle.Where(g => Stopwatch.GetElapsedTime(g.LastUsedTimestamp) > IdleGroupGrace))
        {
            // The disk store (when persisted) still answers for them; a session replays what it lacks from the handles' chains.
            group.Outcomes.ClearMemory();
            group.PickledProofStates.Clear();
        }

        foreach (var group in idle.Take(Math.Max(0, _groups.Count - MaxGroups)))
        {
            ForgetGroupLocked(group);
        }
    }

    /// <summary>Removes a group and the newest-build entries that point at it.</summary>
    private void ForgetGroupLocked(SessionGroup group)
    {
        _groups.Remove(group.Key);
        foreach (var imports in _newestBuild.Where(e => e.Value.Group == group).Select(e => e.Key).ToArray())
        {
            _newestBuild.Remove(imports);
        }
    }

    /// <summary>
    /// Deletes the pickle folders (<c>proofstates/&lt;pid&gt;-…</c>) of LeanAssist processes that are gone: a crash
    /// or a kill skips <see cref="CleanUp"/>, and proof-state pickles can be large.
    /// </summary>
    internal static int SweepDeadPickleFolders(string proofStatesDirectory, ILogger logger)
    {
        if (!Directory.Exists(proofStatesDirectory))
        {
            return 0;
        }

        var swept = 0;
        foreach (var folder in Directory.EnumerateDirectories(proofStatesDirectory))
        {
            var name = Path.GetFileName(folder);
            var dash = name.IndexOf('-', StringComparison.Ordinal);
            if (dash <= 0 || !int.TryParse(name[..dash], NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
                || pid == Environment.ProcessId || IsRunning(pid))
            {
                continue;
            }

            try
            {
                Directory.Delete(folder, recursive: true);
                swept++;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                logger.LogDebug(e, "Could not remove the stale pickle folder {Folder}.", folder);
            }
        }

        if (swept > 0)
        {
            logger.LogInformation("Removed {Count} proof-state pickle folders left by LeanAssist processes that are gone.", swept);
        }

        return swept;
    }

    private static bool IsRunning(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    private static string ProofStatesDirectory => Path.Combine(LeanAssistDirectories.CacheRoot, "proofstates");
}
