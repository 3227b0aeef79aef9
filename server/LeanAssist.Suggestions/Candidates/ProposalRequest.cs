namespace LeanAssist.Suggestions.Candidates;

/// <summary>
/// Everything a proposer may use to suggest tactics for one goal. Text is passed exactly as Lean and the file
/// have it; proposers must treat all of it as data (it is the user's file, and the goal may contain any symbol).
/// </summary>
public sealed record ProposalRequest
{
    /// <summary>The default for <see cref="MaxCandidates"/>.</summary>
    public const int DefaultMaxCandidates = 8;

    /// <summary>
    /// The goal exactly as Lean prints it: an optional <c>case tag</c> line, the hypotheses (one per line,
    /// <c>x y : Nat</c>), then the target after <c>⊢</c>. Example: <c>"x : Nat\nh : x &gt; 0\n⊢ x ≠ 0"</c>.
    /// </summary>
    public required string Goal { get; init; }

    /// <summary>The text of the declaration being proved (its statement and the proof so far), or empty.</summary>
    public string Declaration { get; init; } = "";

    /// <summary>
    /// The modules the file imports, as module names (<c>Mathlib.Tactic</c>, <c>Aesop</c>); see
    /// <see cref="LeanImports.Parse"/> to read them from a file's header. Decides which tactic libraries exist.
    /// </summary>
    public IReadOnlyList<string> Imports { get; init; } = [];

    /// <summary>Text around the goal in the file (earlier lemmas, definitions the goal mentions), or empty.</summary>
    public string NearbyText { get; init; } = "";

    /// <summary>Tactics already tried on this goal and the error Lean gave for each; never proposed again.</summary>
    public IReadOnlyList<FailedAttempt> FailedAttempts { get; init; } = [];

    /// <summary>The most candidates wanted from one proposer (at least 1).</summary>
    public int MaxCandidates { get; init; } = DefaultMaxCandidates;

    /// <summary>
    /// True for a repair round: the failed attempts' errors are the point of the request, and proposers that
    /// can learn from them (LLMs) should fix those attempts rather than start afresh.
    /// </summary>
    public bool IsRepairRound { get; init; }

    /// <summary>Ask for complete proofs of the goal (the whole script after <c>by</c>), not single steps: proof search's whole-proof rounds.</summary>
    public bool WholeProof { get; init; }
}

/// <summary>A tactic that Lean rejected on this goal, and Lean's error text for it.</summary>
public sealed record FailedAttempt(string Tactic, string LeanError);
