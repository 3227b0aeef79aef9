using LeanAssist.Lean.Sessions;
using LeanAssist.Lean.Text;
using LeanAssist.Lean.Verdicts;
using LeanAssist.Suggestions.Candidates;
using LeanAssist.Suggestions.Learning;
using LeanAssist.Suggestions.Llm;
using LeanAssist.Suggestions.Safety;
using LeanAssist.Suggestions.Verification;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace LeanAssist.Suggestions.Search;

/// <summary>
/// Best-first proof search over verified steps. A node is a proof state (its open goals and the steps from the
/// sorry); expanding it asks the portfolio (and, on request, the LLM) for steps at its first goal and runs them
/// in Lean on that state, spread over the warm sessions, several nodes at once. Steps that make progress become
/// children; goal sets reached twice are merged, goals proved elsewhere in the tree are reused, every step's
/// verdict is cached per goal. A complete path becomes one script (see <see cref="ProofScript"/>) that is
/// offered only after the declaration with it in place of the sorry elaborates; it is then cached.
/// </summary>
public sealed class ProofSearchService
{
    private readonly ILeanSessionPool _pool;
    private readonly CandidateGenerator _generator;
    private readonly VerdictCache _verdicts;
    private readonly SearchResultCache _results;
    private readonly TacticOutcomeLearning _learning;
    private readonly IScriptConfirmation _confirmation;
    private readonly IOptionsMonitor<ProofSearchOptions> _options;
    private readonly IOptionsMonitor<VerificationOptions> _verification;
    private readonly IOptionsMonitor<LlmOptions> _llm;
    private readonly TimeProvider _time;
    private readonly ILogger<ProofSearchService> _logger;

    public ProofSearchService(
        ILeanSessionPool pool,
        CandidateGenerator generator,
        VerdictCache verdicts,
        SearchResultCache results,
        TacticOutcomeLearning learning,
        IScriptConfirmation confirmation,
        IOptionsMonitor<ProofSearchOptions> options,
        IOptionsMonitor<VerificationOptions> verification,
        IOptionsMonitor<LlmOptions> llm,
        TimeProvider time,
        ILogger<ProofSearchService> logger)
    {
        _pool = pool;
        _generator = generator;
        _verdicts = verdicts;
        _results = results;
        _learning = learning;
        _confirmation = confirmation;
        _options = options;
        _verification = verification;
        _llm = llm;
        _time = time;
        _logger = logger;
    }

    /// <summary>Searches a proof for the request's target within its budget.</summary>
    /// <exception cref="OperationCanceledException">When <paramref name="cancellationToken"/> is cancelled (a spent budget is a result, not an exception).</exception>
    public async Task<ProofSearchResult> SearchAsync(ProofSearchRequest request, IProgress<SearchProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var started = _time.GetTimestamp();
        var target = request.Target;
        if (target.ProofState is null)
        {
            return Empty(ProofSearchOutcome.Unavailable, "no proof state", "Lean recorded no proof state here; put a `sorry` where the proof goes to search for one.");
        }

        var cacheKey = SearchResultCache.KeyFor(request.Targets, target);
        if (_results.TryGet(cacheKey) is { } cached)
        {
            progress?.Report(new SearchProgress("Found in the search cache", 0, 0, cached.Steps.Count, 0));
            return new ProofSearchResult(ProofSearchOutcome.Found, cached.Script, cached.Steps, 0, 0, 0, cached.Steps.Count, _time.GetElapsedTime(started),
                TimeSpan.Zero, 0, 0, 0, 0, 0, FromCache: true, null, [], []);
        }

        var limits = Limits.Of(_options.CurrentValue, request.Budget);
        using var clock = new CancellationTokenSource(TimeSpan.FromSeconds(limits.MaxSeconds), _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, clock.Token);
        var run = new SearchRun(request, new SearchTree(target.ProofState.GoalsBefore.Count > 0 ? target.ProofState.GoalsBefore : [target.Goal]), limits,
            request.UseLlm && _llm.CurrentValue.Provider != LlmProviderKind.None, progress);
        try
        {
            if (run.UseLlm && _options.CurrentValue.WholeProofRounds > 0)
            {
                await WholeProofAsync(run, _options.CurrentValue.WholeProofRounds, linked.Token).ConfigureAwait(false);
            }

            if (run.Found is null)
            {
                await SearchTreeAsync(run, linked.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (clock.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            run.StopReason = $"the time budget ({limits.MaxSeconds:0.#} s) ran out";
        }
        catch (LeanUnavailableException e)
        {
            run.Problems.Add(e.Message);
            run.StopReason = "Lean cannot be asked";
            return Finish(run, ProofSearchOutcome.Unavailable, started);
        }

        if (run.Found is { } found)
        {
            _results.Set(cacheKey, new CachedSearch(found.Script, found.Node.Path, run.Explored, _time.GetElapsedTime(started).TotalSeconds));
            return Finish(run, ProofSearchOutcome.Found, started);
        }

        return Finish(run, run.StopReason is null ? ProofSearchOutcome.Exhausted : ProofSearchOutcome.BudgetSpent, started);
    }

    /// <summary>
    /// Whole proofs from the LLM: each answer (after the safety policy) is checked as the whole declaration; the
    /// next round shows the LLM Lean's errors for the attempts that failed. Sets <see cref="SearchRun.Found"/> on success.
    /// </summary>
    private async Task WholeProofAsync(SearchRun run, int rounds, CancellationToken cancellationToken)
    {
        var target = run.Request.Target;
        var goal = run.Tree.Root.Goals[0];
        var failures = new List<FailedAttempt>();
        var tried = new HashSet<string>(StringComparer.Ordinal);
        var settings = _verification.CurrentValue;
        for (var round = 0; round < rounds && run.CostUsd < run.Limits.MaxCostUsd; round++)
        {
            run.Progress?.Report(new SearchProgress(round == 0 ? "Asking the LLM for a whole proof" : $"Repair round {round}: showing the LLM Lean's errors", 0, 0, 0, run.CostUsd));
            var request = new ProposalRequest
            {
                Goal = goal,
                Declaration = target.DeclarationText,
                Imports = run.Request.Targets.Imports,
                MaxCandidates = 3,
                WholeProof = true,
                FailedAttempts = failures.ToArray(),
                IsRepairRound = round > 0,
            };
            var batch = await _generator.GenerateAsync(request, p => p.Kind == ProposerKind.Llm, cancellationToken).ConfigureAwait(false);
            foreach (var proposal in batch.Proposals.Where(p => p.Usage.Provider is not null))
            {
                run.InputTokens += proposal.Usage.InputTokens;
                run.OutputTokens += proposal.Usage.OutputTokens;
                run.CostUsd += proposal.Usage.CostUsd;
            }

            foreach (var failure in batch.Failures)
            {
                run.Problems.Add($"{failure.ProposerName}: {failure.Failure!.Message}");
            }

            var fresh = batch.Candidates.Where(c => tried.Add(c.Tactic)).ToArray();
            if (fresh.Length == 0)
            {
                return;
            }

            foreach (var candidate in fresh)
            {
                var safety = TacticSafetyPolicy.Check(candidate.Tactic, allowCompilerTrust: settings.AllowNativeDecide);
                if (!safety.Accepted)
                {
                    failures.Add(new FailedAttempt(candidate.Tactic, $"Not run: {safety.Reason}."));
                    continue;
                }

                var check = await _confirmation.ConfirmAsync(target.ProofState!, candidate.Tactic, run.Request.Priority, cancellationToken).ConfigureAwait(false);
                run.LeanRuns++;
                run.LeanTime += check.LeanTime;
                switch (check.Verdict.Kind)
                {
                    case DeclarationVerdictKind.Confirmed:
                        var step = new SearchStep(candidate.Tactic, goal, [], "solved", check.LeanTime.TotalMilliseconds, false, candidate.Proposer);
                        run.Found = (new SearchNode(-1, run.Tree.Root, [step], [], structured: true), candidate.Tactic);
                        return;
                    case DeclarationVerdictKind.Failed:
                        failures.Add(new FailedAttempt(candidate.Tactic, check.Verdict.Detail ?? "the declaration fails"));
                        run.Rejected.Add(new RejectedScript(candidate.Tactic, "the declaration fails with it: " + check.Verdict.Detail));
                        break;
                    default:
                        run.Problems.Add($"The declaration check could not run: {check.Verdict.Detail}");
                        break;
                }
            }
        }
    }

    private async Task SearchTreeAsync(SearchRun run, CancellationToken cancellationToken)
    {
        var tree = run.Tree;
        while (run.Found is null && tree.FrontierCount > 0)
        {
            if (run.Explored >= run.Limits.MaxNodes)
            {
                run.StopReason = $"the node budget ({run.Limits.MaxNodes}) was spent";
                return;
            }

            var expansions = new List<Task<Expansion>>();
            var solved = new List<SearchNode>();
            while (expansions.Count < _options.CurrentValue.ParallelNodes && run.Explored < run.Limits.MaxNodes && tree.TryTakeNext(out var node))
            {
                run.Explored++;
                if (tree.ProofOf(node.Goals[0]) is { } proof)
                {
                    // Proved elsewhere in the tree: the same steps close it here (the declaration check sees the whole script anyway).
                    run.GoalsReused++;
                    if (tree.Add(node, proof, node.Goals.Skip(1).ToArray(), structured: true, learnedSuccess: 1) is { Goals.Count: 0 } complete)
                    {
                        solved.Add(complete);
                    }

                    continue;
                }

                expansions.Add(ExpandAsync(run, node, cancellationToken));
            }

            foreach (var expansion in await Task.WhenAll(expansions).ConfigureAwait(false))
            {
                Integrate(run, expansion, solved);
            }

            foreach (var leaf in solved.OrderBy(n => n.Depth))
            {
                if (await ConfirmAsync(run, leaf, cancellationToken).ConfigureAwait(false))
                {
                    return;
                }
            }

            run.Progress?.Report(new SearchProgress($"{run.Explored} proof states explored", run.Explored, tree.FrontierCount, tree.DeepestDepth, run.CostUsd));
        }
    }

    /// <summary>Asks for steps at the node's first goal and runs those without a cached verdict in Lean, in parallel.</summary>
    private async Task<Expansion> ExpandAsync(SearchRun run, SearchNode node, CancellationToken cancellationToken)
    {
        var goal = node.Goals[0];
        var settings = _verification.CurrentValue;
        var request = new ProposalRequest
        {
            Goal = goal,
            Declaration = run.Request.Target.DeclarationText,
            Imports = run.Request.Targets.Imports,
            MaxCandidates = _options.CurrentValue.StepsPerNode,
        };
        var features = GoalFeatures.Of(goal);
        var expansion = new Expansion(node, features);
        var askLlm = run.UseLlm && run.CostUsd < run.Limits.MaxCostUsd;
        var batch = await _generator.GenerateAsync(request, p => p.Kind == ProposerKind.BuiltIn || askLlm && p.Kind == ProposerKind.Llm, cancellationToken).ConfigureAwait(false);
        foreach (var proposal in batch.Proposals.Where(p => p.Usage.Provider is not null))
        {
            expansion.InputTokens += proposal.Usage.InputTokens;
            expansion.OutputTokens += proposal.Usage.OutputTokens;
            expansion.CostUsd += proposal.Usage.CostUsd;
        }

        foreach (var failure in batch.Failures)
        {
            expansion.Problems.Add($"{failure.ProposerName}: {failure.Failure!.Message}");
        }

        var candidates = OrderByExperience(batch.Candidates, features, settings);
        var toRun = new List<(TacticCandidate Candidate, VerdictCacheKey Key)>();
        foreach (var candidate in candidates.Take(_options.CurrentValue.StepsPerNode))
        {
            if (!TacticSafetyPolicy.Check(candidate.Tactic, allowCompilerTrust: settings.AllowNativeDecide).Accepted)
            {
                continue;
            }

            var key = KeyFor(run, goal, candidate.Tactic);
            if (_verdicts.TryGet(key) is { Kind: TacticVerdictKind.Solved or TacticVerdictKind.Progress or TacticVerdictKind.Failed } cached)
            {
                expansion.CacheHits++;
                if (cached.Kind != TacticVerdictKind.Failed)
                {
                    var produced = cached.Kind == TacticVerdictKind.Solved ? [] : cached.GoalsAfter;
                    expansion.Steps.Add(new StepOutcome(Step(candidate, goal, produced, cached.LeanMilliseconds, fromCache: true), [.. produced, .. node.Goals.Skip(1)], true));
                }

                continue;
            }

            toRun.Add((candidate, key));
        }

        if (toRun.Count == 0)
        {
            return expansion;
        }

        var handle = run.Request.Target.ProofState!.After(node.Tactics, node.Goals);
        var runs = await _pool.RunTacticsAsync(handle, toRun.Select(c => c.Candidate.Tactic).ToArray(), run.Request.Priority, cancellationToken).ConfigureAwait(false);
        for (var i = 0; i < runs.Count; i++)
        {
            var (candidate, key) = toRun[i];
            var tacticRun = runs[i];
            expansion.LeanRuns++;
            expansion.LeanTime += tacticRun.LeanTime + tacticRun.PreparationTime;
            Learn(candidate.Tactic, features, tacticRun.Verdict, settings);
            if (tacticRun.Verdict.Kind == TacticVerdictKind.Refused)
            {
                expansion.Problems.Add($"Lean session problem: the REPL refused `{candidate.Tactic}` ({tacticRun.Verdict.Detail}).");
            }

            if (StepOf(candidate, node, tacticRun) is { } step)
            {
                if (step.Structured)
                {
                    // Per goal: what the step made of the first goal, whatever else was open.
                    _verdicts.Set(key, step.Step.Produced.Count == 0
                        ? new TacticVerdict(TacticVerdictKind.Solved, TacticFailureReason.None, TacticVerdicts.Completed, [], tacticRun.Verdict.TryThisMessages)
                        : tacticRun.Verdict with { GoalsAfter = step.Step.Produced }, tacticRun.LeanTime);
                }

                expansion.Steps.Add(step);
            }
            else if (tacticRun.Verdict.Kind == TacticVerdictKind.Failed)
            {
                _verdicts.Set(key, tacticRun.Verdict, tacticRun.LeanTime);
            }
        }

        return expansion;
    }

    /// <summary>A step that made progress, with the goals it left: structured when the goals after the first were left as they were.</summary>
    private static StepOutcome? StepOf(TacticCandidate candidate, SearchNode node, TacticRun run)
    {
        var verdict = run.Verdict;
        var rest = node.Goals.Skip(1).ToArray();
        var ms = run.LeanTime.TotalMilliseconds;
        if (verdict.Kind == TacticVerdictKind.Solved)
        {
            // Every goal closed: the first only, if it was the only one; otherwise the tactic worked on all of them.
            return new StepOutcome(Step(candidate, node.Goals[0], [], ms, fromCache: false), [], rest.Length == 0);
        }

        if (verdict.Kind != TacticVerdictKind.Progress)
        {
            return null;
        }

        var after = verdict.GoalsAfter;
        var keepsRest = after.Count >= rest.Length && after.Skip(after.Count - rest.Length).SequenceEqual(rest, StringComparer.Ordinal);
        var produced = keepsRest ? after.Take(after.Count - rest.Length).ToArray() : after.ToArray();
        return new StepOutcome(Step(candidate, node.Goals[0], produced, ms, fromCache: false), after, keepsRest);
    }

    private void Integrate(SearchRun run, Expansion expansion, List<SearchNode> solved)
    {
        run.LeanRuns += expansion.LeanRuns;
        run.LeanTime += expansion.LeanTime;
        run.CacheHits += expansion.CacheHits;
        run.InputTokens += expansion.InputTokens;
        run.OutputTokens += expansion.OutputTokens;
        run.CostUsd += expansion.CostUsd;
        foreach (var problem in expansion.Problems.Where(p => !run.Problems.Contains(p)))
        {
            run.Problems.Add(problem);
        }

        // Closing steps first, then those leaving the fewest goals: the frontier orders the rest.
        foreach (var step in expansion.Steps.OrderBy(s => s.GoalsAfter.Count))
        {
            if (expansion.Node.Depth + 1 > run.Limits.MaxDepth)
            {
                run.PrunedByDepth++;
                continue;
            }

            var learned = _learning.Get(step.Step.Tactic, expansion.Features).SuccessRate;
            if (run.Tree.Add(expansion.Node, [step.Step], step.GoalsAfter, step.Structured, learned) is { Goals.Count: 0 } complete)
            {
                solved.Add(complete);
            }
        }
    }

    /// <summary>The declaration check of a complete path's script; true when it is the proof.</summary>
    private async Task<bool> ConfirmAsync(SearchRun run, SearchNode leaf, CancellationToken cancellationToken)
    {
        var script = ProofScript.Build(leaf.Path, leaf.Structured);
        if (run.Rejected.Any(r => r.Script == script))
        {
            return false;
        }

        run.Progress?.Report(new SearchProgress($"Checking a {leaf.Depth}-step proof on the whole declaration", run.Explored, run.Tree.FrontierCount, leaf.Depth, run.CostUsd));
        var check = await _confirmation.ConfirmAsync(run.Request.Target.ProofState!, script, run.Request.Priority, cancellationToken).ConfigureAwait(false);
        run.LeanRuns++;
        run.LeanTime += check.LeanTime;
        switch (check.Verdict.Kind)
        {
            case DeclarationVerdictKind.Confirmed:
                run.Found = (leaf, script);
                return true;
            case DeclarationVerdictKind.Failed:
                run.Rejected.Add(new RejectedScript(script, "the declaration fails with it: " + check.Verdict.Detail));
                return false;
            default:
                run.Rejected.Add(new RejectedScript(script, "not checked: " + check.Verdict.Detail));
                run.Problems.Add($"The declaration check could not run: {check.Verdict.Detail}");
                return false;
        }
    }

    private IReadOnlyList<TacticCandidate> OrderByExperience(IReadOnlyList<TacticCandidate> candidates, GoalFeatures features, VerificationOptions settings)
    {
        if (!settings.Learning.Enabled)
        {
            return candidates;
        }

        var portfolio = candidates.Where(c => c.Proposer == Portfolio.PortfolioProposer.ProposerName).ToArray();
        var (kept, _) = _learning.Order(portfolio, features);

        // The LLM's steps first (asked for this goal, and paid for), then the portfolio by experience.
        return candidates.Where(c => c.Proposer != Portfolio.PortfolioProposer.ProposerName).Concat(kept).ToArray();
    }

    private void Learn(string tactic, GoalFeatures features, TacticVerdict verdict, VerificationOptions settings)
    {
        if (settings.Learning.Enabled)
        {
            _learning.Record(tactic, features, verdict);
        }
    }

    /// <summary>The verdict key of a step: the target's declaration and environment, and the goal the step runs on (as for the sorry's own goal).</summary>
    private static VerdictCacheKey KeyFor(SearchRun run, string goal, string tactic)
    {
        var target = run.Request.Target;
        return new VerdictCacheKey(run.Request.Targets.Toolchain, target.EnvironmentBefore, target.DeclarationTextBefore, target.DeclarationTextFrom, goal, tactic);
    }

    private static SearchStep Step(TacticCandidate candidate, string goal, IReadOnlyList<string> produced, double leanMs, bool fromCache) =>
        new(candidate.Tactic, goal, produced, produced.Count == 0 ? "solved" : "progress", leanMs, fromCache, candidate.Proposer);

    private ProofSearchResult Finish(SearchRun run, ProofSearchOutcome outcome, long started)
    {
        var elapsed = _time.GetElapsedTime(started);
        _logger.LogDebug("Proof search {Outcome}: {Nodes} nodes, {Runs} Lean runs, {Seconds:0.00} s.", outcome, run.Explored, run.LeanRuns, elapsed.TotalSeconds);
        var steps = run.Found?.Node.Path ?? [];
        return new ProofSearchResult(outcome, run.Found?.Script, steps, run.Explored, run.Tree.Merged, run.GoalsReused,
            run.Found is { } found ? found.Node.Depth : run.Tree.DeepestDepth, elapsed, run.LeanTime, run.LeanRuns, run.CacheHits,
            run.InputTokens, run.OutputTokens, run.CostUsd, FromCache: false,
            outcome == ProofSearchOutcome.Exhausted ? $"no proof within depth {run.Limits.MaxDepth} with these tactics" : run.StopReason,
            run.Rejected, run.Problems);
    }

    private static ProofSearchResult Empty(ProofSearchOutcome outcome, string reason, string problem) =>
        new(outcome, null, [], 0, 0, 0, 0, TimeSpan.Zero, TimeSpan.Zero, 0, 0, 0, 0, 0, false, reason, [], [problem]);

    /// <summary>The budget of one search: the request's limits, else the settings'.</summary>
    internal sealed record Limits(int MaxNodes, int MaxDepth, double MaxSeconds, decimal MaxCostUsd)
    {
        public static Limits Of(ProofSearchOptions settings, SearchBudget budget) => new(
            budget.MaxNodes ?? settings.MaxNodes, budget.MaxDepth ?? settings.MaxDepth, budget.MaxSeconds ?? settings.MaxSeconds, budget.MaxCostUsd ?? settings.MaxCostUsd);
    }

    /// <summary>A step that made progress and the goal list after it.</summary>
    private sealed record StepOutcome(SearchStep Step, IReadOnlyList<string> GoalsAfter, bool Structured);

    /// <summary>What expanding one node produced (collected off the search's thread, merged on it).</summary>
    private sealed class Expansion(SearchNode node, GoalFeatures features)
    {
        public SearchNode Node { get; } = node;

        public GoalFeatures Features { get; } = features;

        public List<StepOutcome> Steps { get; } = [];

        public List<string> Problems { get; } = [];

        public int LeanRuns { get; set; }

        public TimeSpan LeanTime { get; set; }

        public int CacheHits { get; set; }

        public long InputTokens { get; set; }

        public long OutputTokens { get; set; }

        public decimal CostUsd { get; set; }
    }

    /// <summary>One search's state and tallies.</summary>
    private sealed class SearchRun(ProofSearchRequest request, SearchTree tree, Limits limits, bool useLlm, IProgress<SearchProgress>? progress)
    {
        public ProofSearchRequest Request { get; } = request;

        public SearchTree Tree { get; } = tree;

        public Limits Limits { get; } = limits;

        public bool UseLlm { get; } = useLlm;

        public IProgress<SearchProgress>? Progress { get; } = progress;

        public int Explored { get; set; }

        public int GoalsReused { get; set; }

        public int PrunedByDepth { get; set; }

        public int LeanRuns { get; set; }

        public TimeSpan LeanTime { get; set; }

        public int CacheHits { get; set; }

        public long InputTokens { get; set; }

        public long OutputTokens { get; set; }

        public decimal CostUsd { get; set; }

        public string? StopReason { get; set; }

        public (SearchNode Node, string Script)? Found { get; set; }

        public List<RejectedScript> Rejected { get; } = [];

        public List<string> Problems { get; } = [];
    }
}
