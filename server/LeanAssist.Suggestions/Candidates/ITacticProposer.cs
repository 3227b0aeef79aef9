namespace LeanAssist.Suggestions.Candidates;

/// <summary>Where a proposer's candidates come from; decides how much they cost and how far they are trusted.</summary>
public enum ProposerKind
{
    /// <summary>Computed locally from the goal's shape (no network, no cost).</summary>
    BuiltIn,

    /// <summary>Asked of a language model over the network; costs tokens, may fail, is untrusted text.</summary>
    Llm,
}

/// <summary>
/// Proposes tactic candidates for one goal. The verification pipeline calls every registered proposer for a
/// goal and verifies what they return in Lean; a proposer only proposes, it never decides what is correct.
/// </summary>
/// <remarks>
/// Contract for implementers:
/// <list type="bullet">
/// <item>Provider failures (HTTP errors, timeouts, malformed answers, budget reached, missing key) are returned as a
/// <see cref="Proposal"/> whose <see cref="Proposal.Failure"/> is set, never thrown: the other proposers still answer.</item>
/// <item>Cancellation by the caller is the only exception: it surfaces as <see cref="OperationCanceledException"/>.</item>
/// <item>Candidates are already normalised (<see cref="TacticText.Normalize"/>) and de-duplicated within the proposal,
/// ranked best first (rank 0), at most <see cref="ProposalRequest.MaxCandidates"/>, and exclude the request's failed attempts.</item>
/// <item>Safe to call concurrently.</item>
/// </list>
/// </remarks>
public interface ITacticProposer
{
    /// <summary>Stable name, shown to the user as the candidates' source and used as metric attribute ("portfolio", "llm").</summary>
    string Name { get; }

    ProposerKind Kind { get; }

    /// <summary>Proposes candidates for <paramref name="request"/>.</summary>
    /// <exception cref="OperationCanceledException">Only when <paramref name="cancellationToken"/> was cancelled.</exception>
    Task<Proposal> ProposeAsync(ProposalRequest request, CancellationToken cancellationToken);
}
