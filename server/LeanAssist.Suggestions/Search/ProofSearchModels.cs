using LeanAssist.Lean.Sessions;
using LeanAssist.Lean.Verdicts;

namespace LeanAssist.Suggestions.Search;

/// <summary>The limits of one search; null fields take the settings' values.</summary>
public sealed record SearchBudget(int? MaxNodes = null, int? MaxDepth = null, double? MaxSeconds = null, decimal? MaxCostUsd = null)
{
    public static SearchBudget FromSettings { get; } = new();
}

/// <summary>What to search a proof for: one target of a loaded file.</summary>
/// <param name="UseLlm">Ask the LLM too (when one is configured); it may cost money, so only on an explicit request.</param>
public sealed record ProofSearchRequest(LeanFileRequest File, LeanFileTargets Targets, LeanTarget Target, SearchBudget Budget, bool UseLlm, RequestPriority Priority);

public enum ProofSearchOutcome
{
    /// <summary>A script Lean accepted step by step and as the whole declaration.</summary>
    Found,

    /// <summary>Every reachable proof state within the depth was tried: no proof with these tactics.</summary>
    Exhausted,

    /// <summary>A budget ran out first (nodes or wall time): <see cref="ProofSearchResult.StopReason"/> says which.</summary>
    BudgetSpent,

    /// <summary>The target has no proof state (nothing to search from), or Lean could not be asked.</summary>
    Unavailable,
}

/// <summary>One step of a found proof: the tactic, the goal it was run on, and the goals it made of it.</summary>
/// <param name="Produced">The goals the step left in place of <paramref name="Goal"/> (0: it closed it).</param>
/// <param name="Verdict">"solved" (closed the goal) or "progress".</param>
public sealed record SearchStep(string Tactic, string Goal, IReadOnlyList<string> Produced, string Verdict, double LeanMs, bool FromCache, string Source);

/// <summary>A complete script that Lean's declaration check refused, and why (the search went on past it).</summary>
public sealed record RejectedScript(string Script, string Reason);

/// <summary>The result of one search.</summary>
/// <param name="Script">The proof (one tactic script, `·` focusing per case, lines relative to the sorry's column), for <see cref="ProofSearchOutcome.Found"/>.</param>
/// <param name="NodesExplored">Proof states expanded.</param>
/// <param name="NodesMerged">Steps that reached a goal set already in the tree (merged, loops included).</param>
/// <param name="GoalsReused">Goals closed by a proof found elsewhere in the tree, without asking Lean again.</param>
/// <param name="Depth">Steps in the script found, or the deepest state reached.</param>
/// <param name="LeanRuns">Tactic and declaration requests that reached Lean (cache hits are not counted).</param>
public sealed record ProofSearchResult(
    ProofSearchOutcome Outcome,
    string? Script,
    IReadOnlyList<SearchStep> Steps,
    int NodesExplored,
    int NodesMerged,
    int GoalsReused,
    int Depth,
    TimeSpan Elapsed,
    TimeSpan LeanTime,
    int LeanRuns,
    int VerdictCacheHits,
    long InputTokens,
    long OutputTokens,
    decimal CostUsd,
    bool FromCache,
    string? StopReason,
    IReadOnlyList<RejectedScript> RejectedScripts,
    IReadOnlyList<string> Problems)
{
    /// <summary>Lean's own time for the found proof's steps (what the user's file will cost).</summary>
    public double StepsLeanMs => Steps.Sum(s => s.LeanMs);
}

/// <summary>How a search is going (reported as `$/progress` in the editor).</summary>
public sealed record SearchProgress(string Message, int NodesExplored, int Frontier, int BestDepth, decimal CostUsd);

/// <summary>Confirms a complete script on the whole declaration (the same check as a single tactic's).</summary>
public interface IScriptConfirmation
{
    Task<DeclarationCheck> ConfirmAsync(LeanProofStateHandle target, string script, RequestPriority priority, CancellationToken cancellationToken);
}

/// <summary>The pool's declaration check (<see cref="ILeanSessionPool.CheckDeclarationAsync"/>): the declaration with the script in place of its sorry, as a command on the environment above it.</summary>
public sealed class PoolScriptConfirmation(ILeanSessionPool pool) : IScriptConfirmation
{
    public Task<DeclarationCheck> ConfirmAsync(LeanProofStateHandle target, string script, RequestPriority priority, CancellationToken cancellationToken) =>
        pool.CheckDeclarationAsync(target.Root, script, priority, cancellationToken);
}
