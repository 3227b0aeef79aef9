using System.Collections.Concurrent;
using LeanAssist.Lean.Repl;

namespace LeanAssist.Lean.Sessions;

/// <summary>
/// The sessions' shared context for one (project root, header): how to launch, the header to import, and
/// the command outcomes and pickled proof states its sessions share. Its scheduling state (how many
/// sessions it wants, start failures) belongs to the pool and is changed only under the pool's lock.
/// </summary>
internal sealed class SessionGroup(SessionGroupKey key, string toolchain, ReplLaunchSpec launch, string headerText, Func<Storage.SqliteCacheStore?>? outcomeStore = null)
{
    public SessionGroupKey Key { get; } = key;

    public string Toolchain { get; } = toolchain;

    public ReplLaunchSpec Launch { get; set; } = launch;

    public string HeaderText { get; } = headerText;

    public CommandOutcomeCache Outcomes { get; } = new(outcomeStore);

    /// <summary>Pickle files of proof states, by (declaration fingerprint, sorry index).</summary>
    public ConcurrentDictionary<(Source.LeanFingerprint, int), string> PickledProofStates { get; } = new();

    /// <summary>Sessions the group should keep warm (raised by warm-up and use, dropped when idle).</summary>
    public int DesiredSessions { get; set; }

    public int ConsecutiveStartFailures { get; set; }

    public string? LastStartFailure { get; set; }

    /// <summary>Whether the last failed start got as far as Lean refusing the imports (rather than the process failing).</summary>
    public bool LastStartFailedOnImports { get; set; }

    public long LastUsedTimestamp { get; set; }
}
