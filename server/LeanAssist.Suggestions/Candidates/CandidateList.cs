namespace LeanAssist.Suggestions.Candidates;

/// <summary>
/// Collects candidates in rank order: normalises each, drops empty ones, duplicates (by
/// <see cref="TacticText.DeduplicationKey"/>) and tactics that already failed on the goal. Used by every
/// proposer and by the merge across proposers, so "the same tactic" means the same thing everywhere.
/// Not thread-safe: one list per proposal.
/// </summary>
public sealed class CandidateList
{
    private readonly HashSet<string> _seen = new(StringComparer.Ordinal);
    private readonly List<TacticCandidate> _candidates = [];

    /// <param name="failedAttempts">Tactics Lean already rejected on this goal; never added.</param>
    public CandidateList(IEnumerable<FailedAttempt>? failedAttempts = null)
    {
        foreach (var attempt in failedAttempts ?? [])
        {
            if (TacticText.Normalize(attempt.Tactic) is { } failed)
            {
                _seen.Add(TacticText.DeduplicationKey(failed));
            }
        }
    }

    public int Count => _candidates.Count;

    public IReadOnlyList<TacticCandidate> Candidates => _candidates;

    /// <summary>Normalises <paramref name="rawTactic"/> and adds it as the next rank, unless empty, seen or failed.</summary>
    /// <returns>True when it was added.</returns>
    public bool TryAdd(string rawTactic, string proposer) =>
        TacticText.Normalize(rawTactic) is { } tactic && TryAddNormalized(tactic, proposer);

    /// <summary>Adds an already normalised tactic (no second normalisation: "Try this" text is exact).</summary>
    public bool TryAddNormalized(string tactic, string proposer)
    {
        if (!_seen.Add(TacticText.DeduplicationKey(tactic)))
        {
            return false;
        }

        _candidates.Add(new TacticCandidate(tactic, proposer, _candidates.Count));
        return true;
    }

    /// <summary>The first <paramref name="max"/> candidates, ranked 0..max-1.</summary>
    public IReadOnlyList<TacticCandidate> Take(int max) => _candidates.Take(Math.Max(0, max)).ToArray();

    /// <summary>
    /// Merges proposals into one ranked list, taking every proposal's rank-0 candidate first (in the order the
    /// proposals are given), then every rank-1 candidate, and so on, so that no proposer crowds the others out.
    /// A candidate two proposers share keeps the first one's name.
    /// </summary>
    public static IReadOnlyList<TacticCandidate> Merge(IEnumerable<Proposal> proposals, IEnumerable<FailedAttempt>? failedAttempts = null)
    {
        var ranked = proposals.Select(p => p.Candidates.OrderBy(c => c.Rank).ToArray()).ToArray();
        var merged = new CandidateList(failedAttempts);
        var depth = ranked.Select(r => r.Length).DefaultIfEmpty(0).Max();
        for (var rank = 0; rank < depth; rank++)
        {
            foreach (var candidates in ranked)
            {
                if (rank < candidates.Length)
                {
                    merged.TryAddNormalized(candidates[rank].Tactic, candidates[rank].Proposer);
                }
            }
        }

        return merged.Candidates;
    }
}
