using LeanAssist.Lean.Text;

namespace LeanAssist.Lean.Sessions;

/// <summary>
/// Warm Lean REPL sessions: load files, run candidate tactics on their goals, observe and restart.
/// This is what the verification pipeline and the editor call; the implementation is <c>LeanSessionPool</c>.
/// </summary>
public interface ILeanSessionPool : IAsyncDisposable
{
    /// <summary>
    /// Loads a file into a warm session of its (project, header) group and returns its targets. Only the
    /// header is ever sent without an environment; each command runs on the environment after the one
    /// before it, and results are cached by fingerprint, so a repeat with unchanged text makes no Lean
    /// request and an edit re-elaborates only from the first changed command on.
    /// </summary>
    /// <exception cref="LeanUnavailableException">No way to run Lean (no toolchain, REPL not built), the queue is full, or the pool is shut down.</exception>
    Task<LeanFileTargets> LoadFileAsync(LeanFileRequest request, CancellationToken cancellationToken);

    /// <summary>
    /// Runs each tactic on the target's proof state, in parallel across the group's sessions (a session
    /// without the proof state rebuilds it first). One result per tactic, in order; a timeout or crash is
    /// a result, never an exception.
    /// </summary>
    /// <exception cref="LeanUnavailableException">The queue cannot take all of them, or the pool is shut down.</exception>
    Task<IReadOnlyList<TacticRun>> RunTacticsAsync(LeanProofStateHandle target, IReadOnlyList<string> tactics, RequestPriority priority, CancellationToken cancellationToken);

    /// <summary>
    /// Elaborates the target's declaration with <paramref name="tactic"/> in place of its <c>sorry</c>, as a command on
    /// the environment above the declaration, and says whether Lean accepts it (no error, no sorry of its own).
    /// A refusal, timeout or crash is a <see cref="Verdicts.DeclarationVerdictKind.NotChecked"/> result, never an exception.
    /// </summary>
    /// <exception cref="LeanUnavailableException">The queue is full, or the pool is shut down.</exception>
    Task<DeclarationCheck> CheckDeclarationAsync(LeanProofStateHandle target, string tactic, RequestPriority priority, CancellationToken cancellationToken);

    /// <summary>Starts the sessions for a file's header (its imports) ahead of need, e.g. when the file is opened.</summary>
    Task WarmUpAsync(string? projectRoot, SourceText text, CancellationToken cancellationToken);

    /// <summary>Stops every session (killing process trees), forgets cached results, and starts fresh sessions where they were in use.</summary>
    Task RestartAllAsync(CancellationToken cancellationToken);

    /// <summary>The pool's state now.</summary>
    LeanPoolSnapshot Snapshot { get; }

    /// <summary>Raised (on a thread-pool thread) when the counts in the snapshot change.</summary>
    event EventHandler<LeanPoolSnapshot>? SnapshotChanged;
}

/// <summary>The declaration check of one candidate and Lean's time for it.</summary>
public sealed record DeclarationCheck(Verdicts.DeclarationVerdict Verdict, TimeSpan LeanTime);

public enum LeanSessionState
{
    Starting,
    Warm,
    Busy,
}

/// <summary>One session in a snapshot.</summary>
public sealed record LeanSessionSnapshot(int Id, SessionGroupKey Group, LeanSessionState State, int? ProcessId, long RequestsServed, TimeSpan Age);

/// <summary>What the status bar and telemetry show: sessions warm/starting/busy, queued requests, restarts so far.</summary>
public sealed record LeanPoolSnapshot(int Warm, int Starting, int Busy, int QueueDepth, long Restarts, IReadOnlyList<LeanSessionSnapshot> Sessions)
{
    public static LeanPoolSnapshot Empty { get; } = new(0, 0, 0, 0, 0, []);

    /// <summary>True when the counts (not the per-session details) are the same.</summary>
    public bool SameCounts(LeanPoolSnapshot other) =>
        Warm == other.Warm && Starting == other.Starting && Busy == other.Busy && QueueDepth == other.QueueDepth && Restarts == other.Restarts;
}

public enum LeanUnavailableReason
{
    /// <summary>Lean cannot be launched: toolchain or REPL missing (the message says how to fix it).</summary>
    NotConfigured,

    /// <summary>The queue is at <c>leanAssist.repl.queueLimit</c>.</summary>
    QueueFull,

    /// <summary>The pool has been shut down.</summary>
    ShutDown,
}

/// <summary>Lean work that could not be accepted; <see cref="Exception.Message"/> is meant for the user.</summary>
public sealed class LeanUnavailableException(LeanUnavailableReason reason, string message, Exception? inner = null) : Exception(message, inner)
{
    public LeanUnavailableReason Reason { get; } = reason;
}

/// <summary>Where and how the REPL runs for a project.</summary>
/// <param name="ProjectRoot">The directory the REPL runs in.</param>
/// <param name="Toolchain">Identity of the Lean version (the lean-toolchain contents, plus the custom command when one is set), part of every fingerprint.</param>
public sealed record ReplLaunchPlan(string ProjectRoot, string Toolchain, Repl.ReplLaunchSpec Launch)
{
    /// <summary>
    /// Which Lean answers, for people reading a report: "Lean &lt;toolchain&gt; (lake env &lt;repl&gt;)", or
    /// "custom REPL command: &lt;command&gt;" when <c>leanAssist.repl.command</c> replaces the REPL (a stand-in must never read like Lean's verdict).
    /// </summary>
    public string CheckedBy { get; init; } = $"Lean {Toolchain} ({Launch.Description})";
}

/// <summary>Decides how to launch the REPL for a project (settings, toolchain discovery, REPL builds).</summary>
public interface IReplLaunchResolver
{
    /// <exception cref="LeanUnavailableException">With <see cref="LeanUnavailableReason.NotConfigured"/> and an actionable message.</exception>
    ReplLaunchPlan Resolve(string? projectRoot);
}
