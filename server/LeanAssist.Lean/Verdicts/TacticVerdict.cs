using LeanAssist.Lean.Repl;

namespace LeanAssist.Lean.Verdicts;

/// <summary>What running a candidate tactic on a goal established.</summary>
public enum TacticVerdictKind
{
    /// <summary>Lean said <c>proofStatus: "Completed"</c>, with no error and no sorry. Nothing else is a proof.</summary>
    Solved,

    /// <summary>No error, no sorry, goals remain and they differ from the goals before: a step worth offering.</summary>
    Progress,

    /// <summary>Lean rejected it (error, sorry, metavariables, kernel error, REPL error) or it changed nothing.</summary>
    Failed,

    /// <summary>Lean did not answer in time. Says nothing about the tactic: never cache it as a failure.</summary>
    Timeout,

    /// <summary>The REPL process died or answered garbage. Says nothing about the tactic: never cache it as a failure.</summary>
    Crash,

    /// <summary>The tactic could not be run (no proof state, pool shut down, queue full). Never cache it.</summary>
    Unavailable,

    /// <summary>
    /// The REPL refused the request for a reason that is not about the tactic (<c>{"message": "Unknown proof state."}</c>
    /// and the like): a Lean-session problem. Never cache it, never report it as the tactic failing.
    /// </summary>
    Refused,
}

/// <summary>Why a candidate <see cref="TacticVerdictKind.Failed"/>.</summary>
public enum TacticFailureReason
{
    None,

    /// <summary>"Incomplete: open goals remain" with exactly the goals there were before.</summary>
    NoChange,

    /// <summary>An error-severity message (Lean's error recovery may still report goals or "contains sorry").</summary>
    ErrorMessage,

    /// <summary>"Incomplete: contains sorry", or a sorry in the response: sorry is never a proof.</summary>
    ContainsSorry,

    /// <summary>"Incomplete: contains metavariable(s)".</summary>
    ContainsMetavariables,

    /// <summary>proofStatus "Error: ..." (kernel type check failed and the like).</summary>
    KernelError,

    /// <summary>Lean could not parse the tactic, answered as <c>{"message": "Lean error: ..."}</c> ("unknown tactic"). Kept in memory at most, never on disk.</summary>
    ReplError,

    /// <summary>The tactic closed the goal in tactic mode, but the declaration with it in place of its sorry failed to elaborate.</summary>
    DeclarationFailed,

    /// <summary>A proofStatus this version does not know (or none at all): never taken as success.</summary>
    UnrecognizedStatus,
}

/// <summary>
/// The verdict on one candidate. <see cref="Detail"/> keeps Lean's own text (error message, status, REPL
/// error, timeout or crash reason); <see cref="GoalsAfter"/> the goals left (for progress);
/// <see cref="TryThisMessages"/> the info messages in which Lean proposed tactics ("Try this: ...", from
/// <c>exact?</c>, <c>simp?</c> and friends), verbatim: the candidates layer reads the tactics out of them.
/// </summary>
public sealed record TacticVerdict(
    TacticVerdictKind Kind,
    TacticFailureReason Reason,
    string? Detail,
    IReadOnlyList<string> GoalsAfter,
    IReadOnlyList<string> TryThisMessages)
{
    /// <summary>Solved, progress and failed say something about (environment, goal, tactic); timeouts, crashes and unavailability do not.</summary>
    public bool IsCacheable => IsCacheableKind(Kind);

    /// <summary>The rule behind <see cref="IsCacheable"/>, for stores that keep only the kind.</summary>
    public static bool IsCacheableKind(TacticVerdictKind kind) => kind is TacticVerdictKind.Solved or TacticVerdictKind.Progress or TacticVerdictKind.Failed;

    public static TacticVerdict Timeout(string detail) => new(TacticVerdictKind.Timeout, TacticFailureReason.None, detail, [], []);

    public static TacticVerdict Crash(string detail) => new(TacticVerdictKind.Crash, TacticFailureReason.None, detail, [], []);

    public static TacticVerdict Unavailable(string detail) => new(TacticVerdictKind.Unavailable, TacticFailureReason.None, detail, [], []);

    public static TacticVerdict Refused(string detail) => new(TacticVerdictKind.Refused, TacticFailureReason.None, detail, [], []);
}

/// <summary>The one place that decides what a tactic response means (the contract users trust; see DESIGN.md).</summary>
public static class TacticVerdicts
{
    public const string Completed = "Completed";
    public const string OpenGoalsRemain = "Incomplete: open goals remain";
    public const string ContainsSorry = "Incomplete: contains sorry";
    public const string ContainsMetavariables = "Incomplete: contains metavariable(s)";

    /// <summary>Classifies the REPL's answer to a tactic request run on a state whose goals were <paramref name="goalsBefore"/>.</summary>
    public static TacticVerdict Classify(ReplResponse response, IReadOnlyList<string> goalsBefore) => response switch
    {
        ReplErrorResponse error when IsParseError(error.Message) => Failed(TacticFailureReason.ReplError, error.Message, []),
        ReplErrorResponse error => Refused(error.Message),
        ReplTacticResponse tactic => Classify(tactic, goalsBefore),
        _ => TacticVerdict.Crash($"The REPL answered a tactic with a {response.GetType().Name}."),
    };

    public static TacticVerdict Classify(ReplTacticResponse response, IReadOnlyList<string> goalsBefore)
    {
        ArgumentNullException.ThrowIfNull(response);
        var suggestions = response.Messages
            .Where(m => m.Severity == ReplSeverity.Info && (m.Data.Contains("Try this:", StringComparison.Ordinal) || m.Data.Contains("Try these:", StringComparison.Ordinal)))
            .Select(m => m.Data)
            .ToArray();
        var firstError = response.Messages.FirstOrDefault(m => m.IsError);
        var status = response.ProofStatus;

        // Errors first: Lean's error recovery can report any status (even "contains sorry") after an error.
        if (firstError is not null)
        {
            return Failed(TacticFailureReason.ErrorMessage, firstError.Data, response.Goals);
        }

        if (status is not null && status.StartsWith("Error", StringComparison.Ordinal))
        {
            return Failed(TacticFailureReason.KernelError, status, response.Goals);
        }

        if (status == ContainsSorry || response.Sorries.Count > 0)
        {
            return Failed(TacticFailureReason.ContainsSorry, status ?? "The tactic introduced a sorry.", response.Goals);
        }

        if (status == ContainsMetavariables)
        {
            return Failed(TacticFailureReason.ContainsMetavariables, status, response.Goals);
        }

        if (status == Completed)
        {
            return new TacticVerdict(TacticVerdictKind.Solved, TacticFailureReason.None, status, [], suggestions);
        }

        if (status == OpenGoalsRemain && response.Goals.Count > 0)
        {
            return response.Goals.SequenceEqual(goalsBefore, StringComparer.Ordinal)
                ? Failed(TacticFailureReason.NoChange, "The tactic left the goals unchanged.", response.Goals)
                : new TacticVerdict(TacticVerdictKind.Progress, TacticFailureReason.None, status, response.Goals, suggestions);
        }

        return Failed(TacticFailureReason.UnrecognizedStatus,
            status is null ? "The REPL reported no proofStatus." : $"Unrecognized proofStatus \"{status}\".", response.Goals);
    }

    /// <summary>
    /// A refusal that is Lean's verdict on the tactic text: the REPL wraps the parser's error as "Lean error:\n&lt;input&gt;:…"
    /// (the recorded <c>core/unknown_tactic</c>). Every other <c>{"message"}</c> ("Unknown proof state.",
    /// "Unknown environment.") is about the session.
    /// </summary>
    public static bool IsParseError(string message) =>
        message.StartsWith("Lean error:", StringComparison.Ordinal) && message.Contains("<input>:", StringComparison.Ordinal);

    private static TacticVerdict Refused(string detail) => TacticVerdict.Refused(detail);

    private static TacticVerdict Failed(TacticFailureReason reason, string detail, IReadOnlyList<string> goals) =>
        new(TacticVerdictKind.Failed, reason, detail, goals, []);
}
