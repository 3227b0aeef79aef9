using LeanAssist.Lean.Sessions;
using LeanAssist.Lean.Text;

namespace LeanAssist.Suggestions.Verification;

/// <summary>What verification established about one candidate (the contract users trust: see DESIGN.md).</summary>
public enum SuggestionVerdict
{
    /// <summary>Lean said <c>proofStatus: "Completed"</c>, nothing else was wrong, and the declaration with it in place of its sorry elaborated.</summary>
    Solved,

    /// <summary>No error; the goals changed and some remain.</summary>
    Progress,

    /// <summary>Lean rejected it, it changed nothing, or Lean could not run it (crash, unavailable): <see cref="Suggestion.Error"/> says which.</summary>
    Failed,

    /// <summary>The safety policy refused it; it never reached Lean.</summary>
    Rejected,

    /// <summary>Lean did not answer within the timeout (now, or earlier: then it is skipped for a while).</summary>
    TimedOut,

    /// <summary>
    /// It closed the goal in tactic mode, but the declaration with it in place of the sorry was not checked (only the
    /// few best candidates are, or the check could not run). Never offered as closing the goal.
    /// </summary>
    Unconfirmed,
}

/// <summary>The LLM's share of one candidate: the proposal's time, tokens and cost divided among its candidates.</summary>
public sealed record LlmShare(double Milliseconds, double InputTokens, double OutputTokens, decimal CostUsd, bool FromCache);

/// <summary>One candidate and its verdict, with what it cost.</summary>
/// <param name="Source">The proposer that suggested it ("portfolio", "llm"), or "try-this" when a search tactic's "Try this" named it.</param>
/// <param name="TrustsCompiler">It uses a tactic that trusts the compiler (<c>native_decide</c>, <c>bv_decide</c>, ...), allowed by <c>leanAssist.allowNativeDecide</c>.</param>
/// <param name="Error">Lean's error text, the policy's reason, or why it could not be run; null when it worked.</param>
public sealed record Suggestion(
    string Tactic,
    SuggestionVerdict Verdict,
    IReadOnlyList<string> RemainingGoals,
    double LeanMilliseconds,
    string Source,
    bool FromCache,
    bool TrustsCompiler,
    string? Error,
    LlmShare? Llm)
{
    public bool IsVerified => Verdict is SuggestionVerdict.Solved or SuggestionVerdict.Progress;

    /// <summary>Other proposers that suggested the same tactic (up to spacing Lean ignores); it was verified once, as <see cref="Source"/>'s.</summary>
    public IReadOnlyList<string> AlsoProposedBy { get; init; } = [];
}

public enum TargetOutcome
{
    Solved,
    Progress,
    Unsolved,
}

/// <summary>Time, tokens, money and cache hits spent on one target.</summary>
public sealed record SuggestionCosts(
    TimeSpan Total,
    TimeSpan Lean,
    int LeanRuns,
    TimeSpan Llm,
    int LlmCalls,
    long InputTokens,
    long OutputTokens,
    decimal CostUsd,
    int VerdictCacheHits,
    int LlmCacheHits)
{
    /// <summary>Declaration checks run in Lean (see <see cref="SuggestionVerdict.Solved"/>) and their Lean time, included in <see cref="Lean"/>.</summary>
    public int Confirmations { get; init; }

    public TimeSpan ConfirmationLean { get; init; }

    /// <summary>Tactics skipped because they timed out on this goal earlier.</summary>
    public int SkippedTimeouts { get; init; }
}

/// <summary>How to do <see cref="SuggestionService.SuggestAsync"/>.</summary>
/// <param name="UseLlm">Ask the configured LLM too (explicit requests, or when the user allowed background LLM use).</param>
public sealed record SuggestOptions(bool UseLlm, RequestPriority Priority);

/// <summary>A step of a suggestion run, for progress reports.</summary>
public sealed record SuggestProgress(string Message, int Done, int Total);

/// <summary>
/// The result for one target: every candidate tried, ranked (verified ones first), what the target came
/// to, what it cost, and problems worth showing (an LLM that failed, a target Lean gave no proof state).
/// </summary>
public sealed record TargetSuggestions(
    LeanTarget Target,
    IReadOnlyList<Suggestion> Suggestions,
    SuggestionCosts Costs,
    IReadOnlyList<string> Problems,
    TargetEditPlan EditPlan,
    DateTimeOffset FinishedAt)
{
    public TargetOutcome Outcome =>
        Suggestions.Any(s => s.Verdict == SuggestionVerdict.Solved) ? TargetOutcome.Solved
        : Suggestions.Any(s => s.Verdict == SuggestionVerdict.Progress) ? TargetOutcome.Progress
        : TargetOutcome.Unsolved;

    /// <summary>The best verified suggestion (solved before progress), or null.</summary>
    public Suggestion? Best => Suggestions.FirstOrDefault(s => s.IsVerified);

    public IEnumerable<Suggestion> Verified => Suggestions.Where(s => s.IsVerified);
}
