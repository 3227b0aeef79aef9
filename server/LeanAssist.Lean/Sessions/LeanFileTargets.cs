using System.Collections.Immutable;
using LeanAssist.Lean.Repl;
using LeanAssist.Lean.Source;
using LeanAssist.Lean.Text;
using LeanAssist.Lean.Verdicts;

namespace LeanAssist.Lean.Sessions;

/// <summary>Interactive work (the user is waiting) runs before background work (idle-time precomputation).</summary>
public enum RequestPriority
{
    Interactive,
    Background,
}

/// <summary>
/// A Lean file to load into a warm session.
/// </summary>
/// <param name="ProjectRoot">The Lake project root (see <c>LeanProjectLocator.FindProjectRoot</c>), or null for a standalone file (run in <c>lean_verifier/</c>).</param>
/// <param name="FilePath">The file's path (for logs and messages; the text is what is elaborated).</param>
/// <param name="Text">The document's current text.</param>
public sealed record LeanFileRequest(string? ProjectRoot, string FilePath, SourceText Text, RequestPriority Priority = RequestPriority.Interactive);

/// <summary>A top-level command of a loaded file.</summary>
/// <param name="Fingerprint">Names the environment after this command (hash chain from the header).</param>
/// <param name="EnvironmentBefore">The previous command's fingerprint (the header's for the first command).</param>
public sealed record LeanCommandInfo(int Index, LeanCommandKind Kind, string Keyword, string? Name, Utf16Range Range, LeanFingerprint Fingerprint, LeanFingerprint EnvironmentBefore);

/// <summary>A message Lean reported for a command, positioned in the document (null range for position-less messages).</summary>
public sealed record LeanDocumentMessage(ReplSeverity Severity, Utf16Range? Range, LeanPosition? LeanStart, LeanPosition? LeanEnd, string Data, LeanFingerprint Command);

public enum LeanTargetKind
{
    /// <summary>A <c>sorry</c>: Lean recorded a proof state, so candidates can run on it.</summary>
    Sorry,

    /// <summary>
    /// An "unsolved goals" error with no sorry. The goal text is Lean's; there is no proof state (the REPL
    /// records none at an error), so <see cref="LeanTarget.ProofState"/> is null: the caller can insert a
    /// <c>sorry</c> there and reload to get one.
    /// </summary>
    UnsolvedGoals,
}

/// <summary>
/// Something to prove: a <c>sorry</c> (or unsolved goals) with its goal exactly as Lean prints it, where it
/// is in the document, the declaration around it, and (for sorries) a handle to its proof state.
/// </summary>
/// <param name="Id">Stable while the text above and the declaration are unchanged: "&lt;declaration fingerprint&gt;#&lt;index&gt;".</param>
/// <param name="EnvironmentBefore">Fingerprint of the environment before the declaration (for verdict caches).</param>
/// <param name="DeclarationText">The declaration's command as sent to Lean (line ends "\n"), including any <c>open … in</c> / <c>set_option … in</c> prefix.</param>
/// <param name="OffsetInDeclaration">Where the target starts in <paramref name="DeclarationText"/> (the sorry, or the error's start).</param>
public sealed record LeanTarget(
    string Id,
    LeanTargetKind Kind,
    string Goal,
    Utf16Range Range,
    LeanPosition LeanStart,
    LeanPosition LeanEnd,
    LeanFingerprint EnvironmentBefore,
    LeanFingerprint DeclarationFingerprint,
    string DeclarationText,
    int OffsetInDeclaration,
    string? DeclarationName,
    LeanProofStateHandle? ProofState)
{
    /// <summary>The declaration's text before the target: what is in scope there that the goal text does not show (<c>open … in</c>, <c>classical</c>, …).</summary>
    public string DeclarationTextBefore => DeclarationText[..OffsetInDeclaration];

    /// <summary>The declaration's text from the target on (<c>where</c> clauses, the rest of a term whose <c>by</c> blocks Lean elaborates last).</summary>
    public string DeclarationTextFrom => DeclarationText[OffsetInDeclaration..];
}

/// <summary>
/// A handle to the proof state of one sorry: valid in any session of its group, in this process or after
/// sessions restart, because it names content (the command chain up to the declaration), not a REPL id.
/// A session that lacks the proof state rebuilds it (replay or unpickle); callers never see REPL ids.
/// </summary>
public sealed record LeanProofStateHandle(
    SessionGroupKey Group,
    ImmutableArray<LeanChainLink> Chain,
    int DeclarationIndex,
    int SorryIndex,
    IReadOnlyList<string> GoalsBefore)
{
    public LeanFingerprint DeclarationFingerprint => Chain[DeclarationIndex].Fingerprint;

    public override string ToString() => $"{DeclarationFingerprint}#{SorryIndex}";
}

/// <summary>One command of a chain: what to send and the fingerprint of the environment it produces.</summary>
public sealed record LeanChainLink(LeanFingerprint Fingerprint, string SentText);

/// <summary>The sessions of one (project root, header) pair share imports and caches.</summary>
public sealed record SessionGroupKey(string ProjectRoot, LeanFingerprint Header)
{
    public override string ToString() => $"{ProjectRoot} [{Header.Value[..8]}]";
}

/// <summary>How loading a file fell short, coarsely: what the editor's health says follows it.</summary>
public enum LeanLoadFailure
{
    /// <summary>Every command has Lean's outcome and nothing was refused.</summary>
    None,

    /// <summary>Lean ran, but some commands have no outcome or were refused (a timeout, a crash, a refusal); the targets above them are usable.</summary>
    Partial,

    /// <summary>Lean started but could not load the file's imports: nothing in the file can be verified until they build.</summary>
    Imports,

    /// <summary>No Lean session could be started for the file (the process could not start, or died before answering).</summary>
    NotStarted,
}

/// <summary>
/// A loaded file: header, commands with fingerprints, targets, Lean's messages, and what it cost.
/// Loading never throws for what Lean did: failures (imports that do not load, a command that times out)
/// are in <see cref="Problems"/>, <see cref="IsComplete"/> is false and <see cref="Failure"/> says which kind.
/// </summary>
/// <param name="HeaderDependencies">The state of what the header imports when the file was loaded (see <c>LeanHeaderDependencies.Describe</c>
/// with <paramref name="ProjectRoot"/> and <paramref name="ImportedModules"/>): when it differs now, these targets are of a stale build.</param>
public sealed record LeanFileTargets(
    string ProjectRoot,
    string Toolchain,
    LeanFingerprint HeaderFingerprint,
    string HeaderDependencies,
    IReadOnlyList<string> Imports,
    IReadOnlyList<string> ImportedModules,
    Utf16Range HeaderRange,
    IReadOnlyList<LeanCommandInfo> Commands,
    IReadOnlyList<LeanTarget> Targets,
    IReadOnlyList<LeanDocumentMessage> Messages,
    IReadOnlyList<string> Problems,
    bool IsComplete,
    int LeanRequests,
    TimeSpan LeanTime)
{
    /// <summary>Which Lean checked the file (see <see cref="ReplLaunchPlan.CheckedBy"/>).</summary>
    public string CheckedBy { get; init; } = Toolchain;

    /// <summary>None exactly when <see cref="IsComplete"/> holds and there are no <see cref="Problems"/>.</summary>
    public LeanLoadFailure Failure { get; init; } = IsComplete && Problems.Count == 0 ? LeanLoadFailure.None : LeanLoadFailure.Partial;
}

/// <summary>How running one candidate went at the REPL level.</summary>
public enum TacticRunStatus
{
    /// <summary>The REPL answered with a tactic response (<see cref="TacticRun.Response"/>).</summary>
    Responded,

    /// <summary>The REPL refused it: <c>{"message": ...}</c> (<see cref="TacticRun.ReplError"/>).</summary>
    ReplError,

    Timeout,

    /// <summary>The process died, answered garbage or too much, or went over its memory limit (twice, on two sessions).</summary>
    Crash,

    /// <summary>It was not run (no proof state for this target, the pool is shutting down).</summary>
    Unavailable,
}

/// <summary>
/// One candidate's run: the typed REPL answer or failure, the verdict, and Lean's wall time for the
/// tactic itself (<see cref="PreparationTime"/> is what rebuilding the proof state in that session cost).
/// </summary>
public sealed record TacticRun(
    string Tactic,
    TacticRunStatus Status,
    ReplTacticResponse? Response,
    string? ReplError,
    TacticVerdict Verdict,
    TimeSpan LeanTime,
    TimeSpan PreparationTime,
    int SessionId);
