using System.Collections.Concurrent;
using LeanAssist.Lean.Repl;

namespace LeanAssist.Lean.Sessions;

/// <summary>
/// The sessions' shared context for one (project root, header): how to launch, the header to import, and
/// the command outcomes and pickled proof states its sessions share. Its scheduling state (how many
/// sessions it wants, start failures, retirement) belongs to the pool and is changed only under the pool's lock.
/// </summary>
/// <param name="outcomeStore">The disk store of outcomes as the settings name it now (see <see cref="CommandOutcomeCache"/>).</param>
internal sealed class SessionGroup(SessionGroupKey key, ReplLaunchSpec launch, string headerText, Func<Storage.SqliteCacheStore?>? outcomeStore = null)
{
    public SessionGroupKey Key { get; } = key;

    /// <summary>
    /// Set when a newer build of the same imports was seen (an imported module rebuilt, the manifest or
    /// toolchain changed): its sessions hold a stale environment. A retired group still runs work already
    /// asked of it (on sessions started for that work), keeps none warm, and is dropped when unused.
    /// </summary>
    public bool Retired { get; set; }

    public ReplLaunchSpec Launch { get; set; } = launch;

    public string HeaderText { get; } = headerText;

    public CommandOutcomeCache Outcomes { get; } = new(outcomeStore);

    /// <summary>Pickle files of proof states, by (declaration fingerprint, sorry index).</summary>
    public ConcurrentDictionary<(Source.LeanFingerprint, int), string> PickledProofStates { get; } = new();

    /// <summary>Sessions the group should keep warm (raised by warm-up and use, dropped when idle).</summary>
    public int DesiredSessions { get; set; }

    public int ConsecutiveStartFailures { get; set; }

    /// <summary>Whether the last failed start got as far as Lean refusing the imports (rather than the process failing).</summary>
    public bool LastStartFailedOnImports { get; set; }

    public long LastUsedTimestamp { get; set; }
}
