using System.Diagnostics.Metrics;
using LeanAssist.Lean.Sessions;
using LeanAssist.Lean.Telemetry;
using LeanAssist.Lean.Text;
using LeanAssist.Lean.Verdicts;
using LeanAssist.Suggestions.Candidates;
using LeanAssist.Suggestions.Learning;
using LeanAssist.Suggestions.Llm;
using LeanAssist.Suggestions.Safety;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace LeanAssist.Suggestions.Verification;

/// <summary>
/// The verification pipeline, used by the language server and the command line alike: target → goal
/// (proof state) → candidates (portfolio and, when asked, the LLM; merged, de-duplicated) → safety
/// policy → verdict cache → parallel verification on the warm pool → verdicts (plus the tactics Lean's
/// "Try this" named, and a repair round that shows the LLM Lean's errors) → ranked suggestions.
/// Cancellable end to end: cancelling stops LLM calls and queued Lean work.
/// </summary>
/// <remarks>
/// Over 500 lines because it is the one place where the steps of "verified" meet (cache, tactic mode, the
/// declaration check, the timeout memory, repair rounds); the rules themselves live elsewhere
/// (<see cref="TacticVerdicts"/>, <see cref="DeclarationVerdicts"/>, <see cref="VerdictCache"/>, <see cref="SuggestionRanking"/>).
/// </remarks>
public sealed class SuggestionService
{
    private const string TryThisSource = "try-this";

    /// <summary>What a tactic skipped for an earlier timeout on the same goal says (see <see cref="TimeoutMemoryOptions"/>).</summary>
    public const string TimedOutEarlier = "timed out earlier (skipped)";

    private readonly ILeanSessionPool _pool;
    private readonly CandidateGenerator _generator;
    private readonly VerdictCache _verdicts;
    private readonly TacticOutcomeLearning _learning;
    private readonly IOptionsMonitor<VerificationOptions> _options;
    private readonly IOptionsMonitor<LlmOptions> _llmOptions;
    private readonly SuggestionRunLog _runs;
    private readonly TimeProvider _time;
    private readonly ILogger<SuggestionService> _logger;
    private readonly Counter<long> _candidates;
    private readonly Histogram<double> _duration;

    public SuggestionService(
        ILeanSessionPool pool,
        CandidateGenerator generator,
        VerdictCache verdicts,
        TacticOutcomeLearning learning,
        IOptionsMonitor<VerificationOptions> options,
        IOptionsMonitor<LlmOptions> llmOptions,
        SuggestionRunLog runs,
        TimeProvider time,
        ILogger<SuggestionService> logger,
        LeanAssistMeter meter)
    {
        _pool = pool;
        _generator = generator;
        _verdicts = verdicts;
        _learning = learning;
        _options = options;
        _llmOptions = llmOptions;
        _runs = runs;
        _time = time;
        _logger = logger;
        _candidates = meter.Meter.CreateCounter<long>(LeanAssistMeter.Instruments.Candidates, description: "Candidates by verdict and source.");
        _duration = meter.Meter.CreateHistogram<double>(LeanAssistMeter.Instruments.SuggestDuration, "s", "Target to ranked suggestions.");
    }

    /// <summary>True when an LLM provider is configured (whether it is used is the caller's choice).</summary>
    public bool LlmConfigured => _llmOptions.CurrentValue.Provider != LlmProviderKind.None;

    /// <summary>Loads a file into a warm session and returns its targets (see <see cref="ILeanSessionPool.LoadFileAsync"/>).</summary>
    public Task<LeanFileTargets> LoadAsync(LeanFileRequest request, CancellationToken cancellationToken) =>
        _pool.LoadFileAsync(request, cancellationToken);

    /// <summary>
    /// Suggests tactics for one target of a loaded file. A target without a proof state (an "unsolved
    /// goals" error) gets one by adding a <c>sorry</c> after its block and loading that text; the edit
    /// plan of the result then inserts after the block instead of replacing a <c>sorry</c>.
    /// </summary>
    public async Task<TargetSuggestions> SuggestAsync(
        LeanFileRequest request,
        LeanFileTargets file,
        LeanTarget target,
        SuggestOptions options,
        IProgress<SuggestProgress>? progress,
        CancellationToken cancellationToken)
    {
        var started = _time.GetTimestamp();
        var plan = TargetEditPlan.ReplaceSorry(target.Range);
        var problems = new List<string>();
        if (target.ProofState is null)
        {
            (target, plan) = await ProvideProofStateAsync(request, target, problems, cancellationToken).ConfigureAwait(false);
            if (target.ProofState is null)
            {
                return Finish(target, [], GoalFeatures.Unknown, new Tally(), problems, plan, started, options);
            }
        }

        var run = new Tally();
        var settings = _options.CurrentValue;
        var useLlm = options.UseLlm && LlmConfigured;
        var features = GoalFeatures.Of(target.Goal);
        var proposalRequest = new ProposalRequest
        {
            Goal = target.Goal,
            Declaration = target.DeclarationText,
            Imports = file.Imports,
            NearbyText = NearbyText(request.Text, target),
            MaxCandidates = settings.PortfolioCandidates,
        };

        progress?.Report(new SuggestProgress(useLlm ? "Asking the portfolio and the LLM" : "Choosing tactics", 0, 0));

        // The LLM takes seconds; the portfolio's candidates are verified while it thinks.
        var llmBatch = useLlm
            ? _generator.GenerateAsync(proposalRequest, p => p.Kind == ProposerKind.Llm, cancellationToken)
            : null;

        // Keyed by TacticText.DeduplicationKey: the batches are merged here, so the LLM's "simp [a,b]" is not
        // run again after the portfolio's "simp [a, b]" (each batch is de-duplicated by the same key already).
        var results = new Dictionary<string, Suggestion>(StringComparer.Ordinal);
        var verification = new TargetVerification(file, target, features, options, settings, results, run, progress) { Problems = problems };
        try
        {
            var builtIn = await _generator.GenerateAsync(proposalRequest, p => p.Kind == ProposerKind.BuiltIn, cancellationToken).ConfigureAwait(false);
            Account(builtIn, run, problems);
            await VerifyAsync(verification, Order(builtIn, features, settings, run), cancellationToken).ConfigureAwait(false);
            if (llmBatch is not null)
            {
                progress?.Report(new SuggestProgress("Waiting for the LLM", results.Count, results.Count));
                var fromLlm = await llmBatch.ConfigureAwait(false);
                Account(fromLlm, run, problems);
                await VerifyAsync(verification, Order(fromLlm, features, settings, run), cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            // Never leave the LLM call unobserved (it only throws on cancellation, which the caller sees anyway).
            if (llmBatch is { IsCompleted: false })
            {
                _ = llmBatch.ContinueWith(static t => _ = t.Exception, TaskScheduler.Default);
            }
        }

        await FollowTryThisAsync(verification, cancellationToken).ConfigureAwait(false);

        for (var round = 0; useLlm && round < settings.Repair.Rounds && !results.Values.Any(s => s.Verdict == SuggestionVerdict.Solved); round++)
        {
            // The LLM's own attempts first: those are what it can repair best.
            var failures = results.Values
                .Where(s => s.Verdict == SuggestionVerdict.Failed && s.Error is not null)
                .OrderBy(s => s.Llm is null)
                .Take(settings.Repair.MaxFailures)
                .Select(s => new FailedAttempt(s.Tactic, s.Error!))
                .ToArray();
            if (failures.Length == 0)
            {
                break;
            }

            progress?.Report(new SuggestProgress($"Repair round {round + 1}: showing the LLM Lean's errors", results.Count, results.Count));
            var repair = await _generator.GenerateAsync(proposalRequest with { FailedAttempts = failures, IsRepairRound = true },
                p => p.Kind == ProposerKind.Llm, cancellationToken).ConfigureAwait(false);
            Account(repair, run, problems);
            var fresh = repair.Candidates.Where(c => !results.ContainsKey(SameTactic(c.Tactic))).Select(c => (c, Share(repair, c))).ToArray();
            if (fresh.Length == 0)
            {
                break;
            }

            await VerifyAsync(verification, fresh, cancellationToken).ConfigureAwait(false);
        }

        return Finish(target, results.Values, features, run, problems, plan, started, options);
    }

    /// <summary>Removes every verdict and learned outcome (the <c>leanAssist.clearCache</c> command).</summary>
    public long ClearVerdicts()
    {
        _learning.Clear();
        return _verdicts.Clear();
    }

    private async Task<(LeanTarget Target, TargetEditPlan Plan)> ProvideProofStateAsync(LeanFileRequest request, LeanTarget target, List<string> problems, CancellationToken cancellationToken)
    {
        var plan = TargetEditPlan.ReplaceSorry(target.Range);
        if (target.Kind != LeanTargetKind.UnsolvedGoals || TacticInsertion.AddSorryAfterBlock(request.Text, target.Range) is not { } placed)
        {
            problems.Add("Lean recorded no proof state here; put a `sorry` where the next tactic goes to get suggestions.");
            return (target, plan);
        }

        var reloaded = await _pool.LoadFileAsync(request with { Text = placed.WithSorry }, cancellationToken).ConfigureAwait(false);
        var sorry = reloaded.Targets.FirstOrDefault(t => t.Kind == LeanTargetKind.Sorry && t.Range.Start == placed.Sorry.Start && t.ProofState is not null);
        if (sorry is null)
        {
            problems.Add("Lean gave no proof state after the unsolved block.");
            return (target, plan);
        }

        return (sorry, placed.Plan);
    }

    /// <summary>Portfolio candidates ordered by experience (persistent failures skipped), then the LLM's.</summary>
    private IReadOnlyList<(TacticCandidate Candidate, LlmShare? Share)> Order(CandidateBatch batch, GoalFeatures features, VerificationOptions settings, Tally run)
    {
        var portfolio = batch.Candidates.Where(c => c.Proposer == Portfolio.PortfolioProposer.ProposerName).ToArray();
        if (settings.Learning.Enabled)
        {
            var (kept, skipped) = _learning.Order(portfolio, features);
            run.SkippedByLearning += skipped.Count;
            portfolio = kept.ToArray();
        }

        return portfolio.Take(settings.PortfolioCandidates).Select(c => (c, (LlmShare?)null))
            .Concat(batch.Candidates.Where(c => c.Proposer != Portfolio.PortfolioProposer.ProposerName).Select(c => (c, Share(batch, c))))
            .ToArray();
    }

    private async Task VerifyAsync(TargetVerification verification, IReadOnlyList<(TacticCandidate Candidate, LlmShare? Share)> candidates, CancellationToken cancellationToken)
    {
        var (file, target, _, _, settings, results, run, _) = verification;
        var toRun = new List<PlannedRun>();
        var planned = new HashSet<string>(StringComparer.Ordinal);
        var repeats = new List<(string Key, string Proposer)>();
        foreach (var (candidate, share) in candidates)
        {
            var key = SameTactic(candidate.Tactic);
            if (results.ContainsKey(key) || !planned.Add(key))
            {
                // Already verified (or about to be) as proposed by someone else: Lean would say the same again.
                repeats.Add((key, candidate.Proposer));
                continue;
            }

            var safety = TacticSafetyPolicy.Check(candidate.Tactic, allowCompilerTrust: settings.AllowNativeDecide);
            if (!safety.Accepted)
            {
                Add(results, new Suggestion(candidate.Tactic, SuggestionVerdict.Rejected, [], 0, candidate.Proposer, false, false, $"Not run: {safety.Reason}.", share));
                continue;
            }

            var verdictKey = VerdictCacheKey.For(file, target, candidate.Tactic);
            var previousTimeouts = 0;
            if (_verdicts.TryGet(verdictKey) is { } cached)
            {
                if (cached.Kind == TacticVerdictKind.Timeout)
                {
                    previousTimeouts = cached.Timeouts;
                    if (_time.GetUtcNow().ToUnixTimeMilliseconds() < cached.SkipUntilUnixMs)
                    {
                        // Running it again would most likely time out again, and a timeout costs a session (and its header import).
                        run.VerdictCacheHits++;
                        run.SkippedTimeouts++;
                        Add(results, new Suggestion(candidate.Tactic, SuggestionVerdict.TimedOut, [], 0, candidate.Proposer, true, safety.TrustsCompiler, TimedOutEarlier, share));
                        continue;
                    }
                }
                else
                {
                    run.VerdictCacheHits++;
                    var suggestion = FromVerdict(candidate, cached.ToVerdict(), cached.LeanMilliseconds, fromCache: true, safety.TrustsCompiler, share, run);
                    if (suggestion.Verdict == SuggestionVerdict.Solved && !cached.Confirmed)
                    {
                        verification.ToConfirm.Add(new PendingConfirmation(candidate, verdictKey, cached.ToVerdict(), TimeSpan.FromMilliseconds(cached.LeanMilliseconds)));
                    }

                    Add(results, suggestion);
                    continue;
                }
            }

            toRun.Add(new PlannedRun(candidate, share, safety.TrustsCompiler, verdictKey, previousTimeouts));
        }

        if (toRun.Count > 0)
        {
            await RunInLeanAsync(verification, toRun, cancellationToken).ConfigureAwait(false);
        }

        await ConfirmAsync(verification, cancellationToken).ConfigureAwait(false);

        foreach (var (key, proposer) in repeats)
        {
            if (results.TryGetValue(key, out var first) && first.Source != proposer && !first.AlsoProposedBy.Contains(proposer))
            {
                results[key] = first with { AlsoProposedBy = [.. first.AlsoProposedBy, proposer] };
            }
        }
    }

    private async Task RunInLeanAsync(TargetVerification verification, List<PlannedRun> toRun, CancellationToken cancellationToken)
    {
        var (_, target, features, options, settings, results, run, progress) = verification;
        progress?.Report(new SuggestProgress($"Verifying {toRun.Count} candidates in Lean", results.Count, results.Count + toRun.Count));
        var runs = await _pool.RunTacticsAsync(target.ProofState!, toRun.Select(c => c.Candidate.Tactic).ToArray(), options.Priority, cancellationToken).ConfigureAwait(false);
        for (var i = 0; i < runs.Count; i++)
        {
            var (candidate, share, trustsCompiler, verdictKey, previousTimeouts) = toRun[i];
            var tacticRun = runs[i];
            run.Lean += tacticRun.LeanTime;
            run.LeanRuns++;
            var verdict = tacticRun.Verdict;
            if (verdict.Kind == TacticVerdictKind.Solved)
            {
                // Only tactic mode has spoken: stored as unconfirmed until the declaration check says more.
                verification.ToConfirm.Add(new PendingConfirmation(candidate, verdictKey, verdict, tacticRun.LeanTime));
            }
            else
            {
                Learn(candidate.Tactic, features, verdict, settings);
            }

            _verdicts.Set(verdictKey, verdict, tacticRun.LeanTime);
            if (verdict.Kind == TacticVerdictKind.Timeout)
            {
                RememberTimeout(verdictKey, verdict, previousTimeouts + 1, settings);
            }
            else if (verdict.Kind == TacticVerdictKind.Refused)
            {
                verification.Problems.Add($"Lean session problem: the REPL refused to run `{candidate.Tactic}` ({verdict.Detail}); it was not verified and nothing was cached.");
            }

            Add(results, FromVerdict(candidate, verdict, tacticRun.LeanTime.TotalMilliseconds, fromCache: false, trustsCompiler, share, run));
        }

        progress?.Report(new SuggestProgress($"{results.Values.Count(s => s.IsVerified)} of {results.Count} verified", results.Count, results.Count));
    }

    /// <summary>
    /// The declaration check: the best candidates that closed the goal in tactic mode (up to
    /// <see cref="ConfirmationOptions.Candidates"/> per target, cached confirmations free) are elaborated in place of the
    /// sorry as a command on the environment above the declaration. Solved only if that works; otherwise the verdict
    /// says what happened. The rest stay <see cref="SuggestionVerdict.Unconfirmed"/> and are never offered as closing the goal.
    /// </summary>
    private async Task ConfirmAsync(TargetVerification verification, CancellationToken cancellationToken)
    {
        var (_, target, features, options, settings, results, run, progress) = verification;
        if (verification.ToConfirm.Count == 0)
        {
            return;
        }

        var pending = verification.ToConfirm.ToArray();
        verification.ToConfirm.Clear();
        var byKey = pending.ToDictionary(p => SameTactic(p.Candidate.Tactic), StringComparer.Ordinal);
        var ranked = SuggestionRanking.Rank(byKey.Keys.Select(k => results[k]), s => _learning.Get(s.Tactic, features).SuccessRate);
        var budget = Math.Max(0, settings.Confirmation.Candidates - verification.ConfirmationsAttempted);
        var chosen = ranked.Take(budget).Select(s => byKey[SameTactic(s.Tactic)]).ToArray();
        verification.ConfirmationsAttempted += chosen.Length;
        progress?.Report(new SuggestProgress($"Checking {chosen.Length} declarations with the tactic in place", results.Count, results.Count));
        var checks = await Task.WhenAll(chosen.Select(p => _pool.CheckDeclarationAsync(target.ProofState!, p.Candidate.Tactic, options.Priority, cancellationToken))).ConfigureAwait(false);
        for (var i = 0; i < chosen.Length; i++)
        {
            var (candidate, key, tacticVerdict, tacticTime) = chosen[i];
            var (verdict, leanTime) = checks[i];
            var sameTactic = SameTactic(candidate.Tactic);
            var shown = results[sameTactic];
            run.Lean += leanTime;
            run.Confirmations++;
            run.ConfirmationLean += leanTime;
            var total = tacticTime + leanTime;
            switch (verdict.Kind)
            {
                case DeclarationVerdictKind.Confirmed:
                    _verdicts.Set(key, tacticVerdict, total, confirmed: true);
                    Learn(candidate.Tactic, features, tacticVerdict, settings);
                    results[sameTactic] = shown with { LeanMilliseconds = total.TotalMilliseconds };
                    break;
                case DeclarationVerdictKind.Failed:
                    var failed = new TacticVerdict(TacticVerdictKind.Failed, TacticFailureReason.DeclarationFailed,
                        $"the tactic closes the goal, but the declaration fails: {verdict.Detail}", [], tacticVerdict.TryThisMessages);
                    _verdicts.Set(key, failed, total);
                    Learn(candidate.Tactic, features, failed, settings);
                    results[sameTactic] = shown with { Verdict = SuggestionVerdict.Failed, Error = failed.Detail, LeanMilliseconds = total.TotalMilliseconds };
                    break;
                default:
                    // A session problem: the tactic-mode verdict stays cached as unconfirmed, and the check runs again next time.
                    verification.Problems.Add($"Lean session problem: the declaration with `{candidate.Tactic}` could not be checked: {verdict.Detail}");
                    results[sameTactic] = shown with
                    {
                        Verdict = verdict.TimedOut ? SuggestionVerdict.TimedOut : SuggestionVerdict.Unconfirmed,
                        Error = "closes the goal in tactic mode; the declaration could not be checked: " + verdict.Detail,
                    };
                    break;
            }
        }

        foreach (var left in pending.Except(chosen))
        {
            var sameTactic = SameTactic(left.Candidate.Tactic);
            results[sameTactic] = results[sameTactic] with
            {
                Verdict = SuggestionVerdict.Unconfirmed,
                Error = $"closes the goal in tactic mode; not checked at the declaration (only the {settings.Confirmation.Candidates} best candidates are: leanAssist.confirmation.candidates)",
            };
        }
    }

    /// <summary>Remembers a timeout: the tactic is skipped on this goal for a while, twice as long after each timeout in a row.</summary>
    private void RememberTimeout(VerdictCacheKey key, TacticVerdict verdict, int timeouts, VerificationOptions settings)
    {
        var minutes = settings.Timeouts.SkipMinutes;
        if (minutes <= 0)
        {
            return;
        }

        var skip = Math.Min(Math.Max(minutes, settings.Timeouts.MaxSkipMinutes), minutes * Math.Pow(2, Math.Min(timeouts - 1, 20)));
        _verdicts.SetTimeout(key, verdict.Detail ?? "timed out", timeouts, _time.GetUtcNow().AddMinutes(skip));
    }

    /// <summary>The concrete tactics that <c>exact?</c>, <c>apply?</c> and friends named become candidates of their own.</summary>
    private async Task FollowTryThisAsync(TargetVerification verification, CancellationToken cancellationToken)
    {
        var (results, run) = (verification.Results, verification.Run);
        var named = new List<(TacticCandidate, LlmShare?)>();
        foreach (var messages in run.TryThis)
        {
            foreach (var candidate in TryThisSuggestions.ToCandidates(messages, TryThisSource))
            {
                if (!results.ContainsKey(SameTactic(candidate.Tactic)))
                {
                    named.Add((candidate, null));
                }
            }
        }

        // One level only: this runs once per target, so tactics named by a named tactic are not followed.
        if (named.Count > 0)
        {
            await VerifyAsync(verification, named, cancellationToken).ConfigureAwait(false);
        }
    }

    private static Suggestion FromVerdict(TacticCandidate candidate, TacticVerdict verdict, double leanMilliseconds, bool fromCache, bool trustsCompiler, LlmShare? share, Tally run)
    {
        if (verdict.TryThisMessages.Count > 0)
        {
            run.TryThis.Add(verdict.TryThisMessages);
        }

        var (kind, error) = verdict.Kind switch
        {
            TacticVerdictKind.Solved => (SuggestionVerdict.Solved, (string?)null),
            TacticVerdictKind.Progress => (SuggestionVerdict.Progress, null),
            TacticVerdictKind.Timeout => (SuggestionVerdict.TimedOut, verdict.Detail ?? "Lean did not answer in time."),
            TacticVerdictKind.Crash => (SuggestionVerdict.Failed, $"Lean crashed while running it: {verdict.Detail}"),
            TacticVerdictKind.Unavailable => (SuggestionVerdict.Failed, $"Not run: {verdict.Detail}"),
            TacticVerdictKind.Refused => (SuggestionVerdict.Failed, $"Not verified: the Lean session refused the request ({verdict.Detail})"),
            _ => (SuggestionVerdict.Failed, verdict.Detail ?? verdict.Reason.ToString()),
        };
        return new Suggestion(candidate.Tactic, kind, kind == SuggestionVerdict.Progress ? verdict.GoalsAfter : [], leanMilliseconds, candidate.Proposer, fromCache, trustsCompiler, error, share);
    }

    private void Learn(string tactic, GoalFeatures features, TacticVerdict verdict, VerificationOptions settings)
    {
        if (settings.Learning.Enabled)
        {
            _learning.Record(tactic, features, verdict);
        }
    }

    private void Add(Dictionary<string, Suggestion> results, Suggestion suggestion)
    {
        results[SameTactic(suggestion.Tactic)] = suggestion;
        _candidates.Add(1,
            new KeyValuePair<string, object?>("leanassist.verdict", Verdict(suggestion.Verdict)),
            new KeyValuePair<string, object?>("leanassist.candidate.source", suggestion.Source));
    }

    /// <param name="features">Of the goal the suggestions were verified on (their learning scores break ties).</param>
    private TargetSuggestions Finish(LeanTarget target, IEnumerable<Suggestion> suggestions, GoalFeatures features, Tally run, List<string> problems, TargetEditPlan plan, long started, SuggestOptions options)
    {
        var ranked = SuggestionRanking.Rank(suggestions, s => _learning.Get(s.Tactic, features).SuccessRate);
        var elapsed = _time.GetElapsedTime(started);
        var costs = new SuggestionCosts(elapsed, run.Lean, run.LeanRuns, run.Llm, run.LlmCalls, run.InputTokens, run.OutputTokens, run.CostUsd, run.VerdictCacheHits, run.LlmCacheHits)
        {
            Confirmations = run.Confirmations,
            ConfirmationLean = run.ConfirmationLean,
            SkippedTimeouts = run.SkippedTimeouts,
        };
        _duration.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>("leanassist.llm", options.UseLlm ? "true" : "false"));
        var result = new TargetSuggestions(target, ranked, costs, problems, plan, _time.GetUtcNow());
        _runs.Add(new SuggestionRun(result.FinishedAt, elapsed, ranked.Count, ranked.Count(s => s.IsVerified), ranked.Count(s => s.Verdict == SuggestionVerdict.Solved),
            run.Lean, run.Llm, run.VerdictCacheHits + run.LlmCacheHits, run.CostUsd, options.UseLlm && LlmConfigured));
        if (run.SkippedByLearning > 0)
        {
            _logger.LogDebug("Skipped {Count} portfolio tactics that keep failing on goals like this one.", run.SkippedByLearning);
        }

        return result;
    }

    private static void Account(CandidateBatch batch, Tally run, List<string> problems)
    {
        foreach (var proposal in batch.Proposals.Where(p => p.Usage.Provider is not null))
        {
            run.Llm += proposal.Usage.Latency;
            run.LlmCalls += proposal.Usage.FromCache ? 0 : 1;
            run.LlmCacheHits += proposal.Usage.FromCache ? 1 : 0;
            run.InputTokens += proposal.Usage.InputTokens;
            run.OutputTokens += proposal.Usage.OutputTokens;
            run.CostUsd += proposal.Usage.CostUsd;
        }

        foreach (var failure in batch.Failures)
        {
            problems.Add($"{failure.ProposerName}: {failure.Failure!.Message}");
        }
    }

    /// <summary>The proposal's LLM time, tokens and cost divided among its candidates.</summary>
    private static LlmShare? Share(CandidateBatch batch, TacticCandidate candidate)
    {
        var proposal = batch.Proposals.FirstOrDefault(p => p.Candidates.Any(c => c.Tactic == candidate.Tactic) && p.Usage.Provider is not null);
        if (proposal is null)
        {
            return null;
        }

        var count = Math.Max(1, proposal.Candidates.Count);
        var usage = proposal.Usage;
        return new LlmShare(usage.Latency.TotalMilliseconds / count, (double)usage.InputTokens / count, (double)usage.OutputTokens / count, usage.CostUsd / count, usage.FromCache);
    }

    /// <summary>Candidates with the same key are one tactic to Lean (spacing Lean ignores), whoever proposed them.</summary>
    private static string SameTactic(string tactic) => TacticText.DeduplicationKey(tactic);

    /// <summary>A few lines above the declaration (definitions it may use) for the LLM's context.</summary>
    private static string NearbyText(SourceText text, LeanTarget target)
    {
        var declarationStart = text.Text.IndexOf(target.DeclarationText, StringComparison.Ordinal);
        var end = declarationStart >= 0 ? declarationStart : text.GetOffset(target.Range.Start);
        var start = Math.Max(0, end - 2000);
        return text.Text[start..end];
    }

    public static string Verdict(SuggestionVerdict verdict) => verdict switch
    {
        SuggestionVerdict.Solved => "solved",
        SuggestionVerdict.Progress => "progress",
        SuggestionVerdict.Failed => "failed",
        SuggestionVerdict.Rejected => "rejected",
        SuggestionVerdict.Unconfirmed => "unconfirmed",
        _ => "timeout",
    };

    /// <summary>What stays fixed while one target's candidates are verified, and where their results and costs collect.</summary>
    private sealed record TargetVerification(
        LeanFileTargets File,
        LeanTarget Target,
        GoalFeatures Features,
        SuggestOptions Options,
        VerificationOptions Settings,
        Dictionary<string, Suggestion> Results,
        Tally Run,
        IProgress<SuggestProgress>? Progress)
    {
        /// <summary>Candidates that closed the goal in tactic mode and wait for the declaration check.</summary>
        public List<PendingConfirmation> ToConfirm { get; } = [];

        /// <summary>Where session problems found while verifying go (the target's problems).</summary>
        public List<string> Problems { get; init; } = [];

        /// <summary>Declaration checks chosen so far for this target (the budget is per target).</summary>
        public int ConfirmationsAttempted { get; set; }
    }

    /// <summary>A candidate to run in Lean: its cache key, and how many times in a row it timed out on this goal before.</summary>
    private sealed record PlannedRun(TacticCandidate Candidate, LlmShare? Share, bool TrustsCompiler, VerdictCacheKey Key, int PreviousTimeouts);

    /// <summary>A candidate that closed the goal in tactic mode (its verdict and Lean time), waiting for the declaration check.</summary>
    private sealed record PendingConfirmation(TacticCandidate Candidate, VerdictCacheKey Key, TacticVerdict Verdict, TimeSpan LeanTime);

    /// <summary>What one run spent, added up as it goes.</summary>
    private sealed class Tally
    {
        public TimeSpan Lean { get; set; }

        public int LeanRuns { get; set; }

        public TimeSpan Llm { get; set; }

        public int LlmCalls { get; set; }

        public long InputTokens { get; set; }

        public long OutputTokens { get; set; }

        public decimal CostUsd { get; set; }

        public int VerdictCacheHits { get; set; }

        public int LlmCacheHits { get; set; }

        public int SkippedByLearning { get; set; }

        /// <summary>Declaration checks run in Lean for this target (cached confirmations are not counted), and their Lean time.</summary>
        public int Confirmations { get; set; }

        public TimeSpan ConfirmationLean { get; set; }

        /// <summary>Tactics not run because they timed out on this goal earlier.</summary>
        public int SkippedTimeouts { get; set; }

        /// <summary>The "Try this" messages of each tactic verified so far that printed some.</summary>
        public List<IReadOnlyList<string>> TryThis { get; } = [];
    }
}
