using LeanAssist.Suggestions.Search;

namespace LeanAssist.Server.Prove;

/// <summary>
/// The <c>--search</c> part of a prove run: one proof search per sorry that no single tactic solved, and how its
/// result enters the report (a found proof makes the sorry solved, with the script as its tactic).
/// </summary>
public sealed class ProveSearches(ProofSearchService search)
{
    public Task<ProofSearchResult> RunAsync(ProofSearchRequest request, CancellationToken cancellationToken) =>
        search.SearchAsync(request, null, cancellationToken);

    public static ProvedTarget WithSearch(ProvedTarget target, ProofSearchResult? result)
    {
        ArgumentNullException.ThrowIfNull(target);
        if (result is null)
        {
            return target;
        }

        var report = new ProvedSearch(
            Outcome(result.Outcome),
            result.Script,
            result.Steps.Select(s => new ProvedSearchStep(s.Tactic, s.Verdict, s.Produced.Count, Math.Round(s.LeanMs, 1), s.Source)).ToArray(),
            result.NodesExplored,
            result.Depth,
            Math.Round(result.Elapsed.TotalSeconds, 3),
            result.LeanRuns,
            result.InputTokens,
            result.OutputTokens,
            result.CostUsd,
            result.FromCache,
            result.StopReason,
            result.RejectedScripts.Select(r => $"{r.Script.Replace("\n", "; ", StringComparison.Ordinal)}: {r.Reason}").ToArray());
        var problems = target.Problems.Concat(result.Problems.Select(p => "search: " + p)).ToArray();
        return result.Script is { } script
            ? target with { Status = "solved", Tactic = script, Search = report, Problems = problems }
            : target with { Search = report, Problems = problems };
    }

    public static string Outcome(ProofSearchOutcome outcome) => outcome switch
    {
        ProofSearchOutcome.Found => "found",
        ProofSearchOutcome.Exhausted => "exhausted",
        ProofSearchOutcome.BudgetSpent => "budget",
        _ => "unavailable",
    };
}
