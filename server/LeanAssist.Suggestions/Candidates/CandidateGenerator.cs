using Microsoft.Extensions.Logging;

namespace LeanAssist.Suggestions.Candidates;

/// <summary>All proposers' answers for one goal, merged.</summary>
/// <param name="Candidates">Merged and de-duplicated across proposers (see <see cref="CandidateList.Merge"/>).</param>
/// <param name="Proposals">Each proposer's own answer, in registration order, with its usage and failure.</param>
public sealed record CandidateBatch(IReadOnlyList<TacticCandidate> Candidates, IReadOnlyList<Proposal> Proposals)
{
    public IEnumerable<Proposal> Failures => Proposals.Where(p => p.Failure is not null);
}

/// <summary>
/// Asks every registered proposer at once and merges their candidates. A proposer that fails (or throws, which
/// the contract forbids but a bug may do) does not stop the others: its failure is logged and kept in the batch,
/// so the portfolio's candidates arrive even when the LLM is down.
/// </summary>
public sealed class CandidateGenerator(IEnumerable<ITacticProposer> proposers, ILogger<CandidateGenerator> logger)
{
    private readonly ITacticProposer[] _proposers = proposers.ToArray();

    public IReadOnlyList<ITacticProposer> Proposers => _proposers;

    /// <exception cref="OperationCanceledException">When <paramref name="cancellationToken"/> was cancelled.</exception>
    public Task<CandidateBatch> GenerateAsync(ProposalRequest request, CancellationToken cancellationToken) =>
        GenerateAsync(request, static _ => true, cancellationToken);

    /// <summary>Asks only the proposers <paramref name="include"/> selects (e.g. no LLM for background work, only LLMs for repair).</summary>
    /// <exception cref="OperationCanceledException">When <paramref name="cancellationToken"/> was cancelled.</exception>
    public async Task<CandidateBatch> GenerateAsync(ProposalRequest request, Func<ITacticProposer, bool> include, CancellationToken cancellationToken)
    {
        var proposals = await Task.WhenAll(_proposers.Where(include).Select(p => ProposeIsolatedAsync(p, request, cancellationToken))).ConfigureAwait(false);
        return new CandidateBatch(CandidateList.Merge(proposals, request.FailedAttempts), proposals);
    }

    private async Task<Proposal> ProposeIsolatedAsync(ITacticProposer proposer, ProposalRequest request, CancellationToken cancellationToken)
    {
        try
        {
            var proposal = await proposer.ProposeAsync(request, cancellationToken).ConfigureAwait(false);
            if (proposal.Failure is { } failure)
            {
                // The proposer logged it at warning level with its details; this records that the batch went on without it.
                logger.LogDebug("Continuing without proposer {Proposer} ({Kind}).", proposer.Name, failure.Kind);
            }

            return proposal;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e)
        {
            logger.LogError(e, "Proposer {Proposer} threw instead of reporting a failure.", proposer.Name);
            return Proposal.Failed(proposer.Name, new ProposalFailure(ProposalFailureKind.Internal, $"{proposer.Name} failed unexpectedly ({e.GetType().Name})."));
        }
    }
}
