using System.Text.Json;
using LeanAssist.Lean.Text;

namespace LeanAssist.Lean.Repl;

/// <summary>Severity of a Lean message as the REPL reports it.</summary>
public enum ReplSeverity
{
    Trace,
    Info,
    Warning,
    Error,
}

/// <summary>
/// A Lean message. Positions are relative to the text the request sent (1-based line, codepoint
/// column). In tactic mode Lean reports <c>{"line": 0, "column": 0}</c>: see <see cref="HasPosition"/>.
/// </summary>
public sealed record ReplMessage(ReplSeverity Severity, LeanPosition Pos, LeanPosition? EndPos, string Data)
{
    /// <summary>False for the line-0 positions of tactic-mode messages, which point nowhere.</summary>
    public bool HasPosition => Pos.Line > 0;

    public bool IsError => Severity == ReplSeverity.Error;
}

/// <summary>
/// A <c>sorry</c> Lean found, with its goal exactly as Lean prints it and, when Lean recorded one, the
/// proof state to run tactics on. Sorries inside tactic responses have no position (the REPL omits line 0).
/// </summary>
public sealed record ReplSorry(string Goal, int? ProofState, LeanPosition? Pos, LeanPosition? EndPos);

/// <summary>One tactic of an <c>"allTactics": true</c> command response.</summary>
public sealed record ReplTacticInfo(string Tactic, string Goals, int? ProofState, LeanPosition Pos, LeanPosition EndPos, IReadOnlyList<string> UsedConstants);

/// <summary>What the REPL answered to one request.</summary>
public abstract record ReplResponse;

/// <summary>The answer to a command, file or environment (un)pickling request: a new environment id and what Lean said.</summary>
public sealed record ReplCommandResponse(
    int Env,
    IReadOnlyList<ReplMessage> Messages,
    IReadOnlyList<ReplSorry> Sorries,
    IReadOnlyList<ReplTacticInfo> Tactics,
    JsonElement? InfoTree) : ReplResponse
{
    public bool HasErrors => Messages.Any(m => m.IsError);
}

/// <summary>
/// The answer to a tactic or proof-state (un)pickling request. <see cref="ProofStatus"/> is the REPL's
/// verdict ("Completed", "Incomplete: open goals remain", "Incomplete: contains sorry",
/// "Incomplete: contains metavariable(s)", "Error: ..."); null when the REPL sent none. An empty
/// <see cref="Goals"/> list alone never means the proof is done.
/// </summary>
public sealed record ReplTacticResponse(
    int ProofState,
    IReadOnlyList<string> Goals,
    IReadOnlyList<ReplMessage> Messages,
    IReadOnlyList<ReplSorry> Sorries,
    IReadOnlyList<string> Traces,
    string? ProofStatus) : ReplResponse
{
    public bool HasErrors => Messages.Any(m => m.IsError);
}

/// <summary>
/// A request the REPL refused, answered as <c>{"message": "..."}</c> (for example "Unknown proof state."
/// or "Lean error:\n&lt;input&gt;:1:1: unknown tactic"). This is the REPL's error channel, not a JSON-RPC error.
/// </summary>
public sealed record ReplErrorResponse(string Message) : ReplResponse;
