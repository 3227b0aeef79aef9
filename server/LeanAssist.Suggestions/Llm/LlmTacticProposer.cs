using System.Globalization;
using LeanAssist.Suggestions.Candidates;
using LeanAssist.Suggestions.Llm.Budget;
using LeanAssist.Suggestions.Llm.Caching;
using LeanAssist.Suggestions.Llm.Keys;
using LeanAssist.Suggestions.Llm.Prompting;
using LeanAssist.Suggestions.Llm.Providers;
using LeanAssist.Suggestions.Llm.Resilience;
using LeanAssist.Suggestions.Llm.Status;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace LeanAssist.Suggestions.Llm;

/// <summary>
/// The LLM proposer: asks the configured provider (<c>leanAssist.provider</c>) for tactic candidates. In order:
/// the LLM cache (a hit costs nothing and is served even when a cap is reached), the API key, the budget, then the
/// call through the resilience pipeline. Every failure comes back as a <see cref="Proposal"/> with a
/// <see cref="ProposalFailure"/> (logged, counted, and shown by <see cref="LlmStatusReporter"/>), never as an exception,
/// so the portfolio's candidates are unaffected. With provider <c>none</c> it answers with nothing, at once.
/// </summary>
public sealed class LlmTacticProposer : ITacticProposer
{
    public const string ProposerName = "llm";

    private readonly IOptionsMonitor<LlmOptions> _options;
    private readonly ILlmChatClientFactory _clients;
    private readonly ApiKeyStore _keys;
    private readonly LlmBudget _budget;
    private readonly LlmResponseCache _cache;
    private readonly LlmResiliencePipelines _pipelines;
    private readonly LlmStatistics _statistics;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<LlmTacticProposer> _logger;

    public LlmTacticProposer(
        IOptionsMonitor<LlmOptions> options,
        ILlmChatClientFactory clients,
        ApiKeyStore keys,
        LlmBudget budget,
        LlmResponseCache cache,
        LlmResiliencePipelines pipelines,
        LlmStatistics statistics,
        TimeProvider timeProvider,
        ILogger<LlmTacticProposer> logger)
    {
        _options = options;
        _clients = clients;
        _keys = keys;
        _budget = budget;
        _cache = cache;
        _pipelines = pipelines;
        _statistics = statistics;
        _timeProvider = timeProvider;
        _logger = logger;
        pipelines.Retrying += (_, _, _) => statistics.RecordRetry();
    }

    public string Name => ProposerName;

    public ProposerKind Kind => ProposerKind.Llm;

    public async Task<Proposal> ProposeAsync(ProposalRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        cancellationToken.ThrowIfCancellationRequested();
        var options = _options.CurrentValue;
        if (options.Provider == LlmProviderKind.None)
        {
            return new Proposal(Name, [], ProposalUsage.None);
        }

        var started = _timeProvider.GetTimestamp();
        var endpoint = LlmEndpoint.From(options);
        var count = Math.Clamp(Math.Min(request.MaxCandidates, options.MaxCandidates), 1, LlmOptionsValidation.MaxCandidatesLimit);
        var completionRequest = new LlmCompletionRequest(endpoint, ApiKey: null, TacticPrompt.Build(request, count), options.Temperature, options.MaxOutputTokens);
        var cacheKey = LlmCacheKey.Compute(completionRequest);
        var baseUsage = new ProposalUsage { Provider = LlmProviderDefaults.SettingName(endpoint.Provider), Model = endpoint.Model };

        if (_cache.TryGet(cacheKey) is { } cached)
        {
            var fromCache = baseUsage with { FromCache = true, Latency = _timeProvider.GetElapsedTime(started) };
            _logger.LogDebug("LLM answer for {Endpoint} served from the {Layer} cache.", endpoint, cached.Layer);
            return new Proposal(Name, ToCandidates(cached.Answer.Texts.SelectMany(TacticResponseParser.Parse), request, count), fromCache);
        }

        var key = _keys.Find(endpoint.Provider);
        if (!key.Present && endpoint.RequiresApiKey)
        {
            return Fail(endpoint, baseUsage, started, sent: false, new ProposalFailure(ProposalFailureKind.MissingApiKey,
                $"No API key for {LlmProviderDefaults.SettingName(endpoint.Provider)}: {key.Describe()}. Set it with the command \"LeanAssist: Set API key\", or in that environment variable."));
        }

        var budget = _budget.TryStartRequest();
        if (!budget.Allowed)
        {
            return Fail(endpoint, baseUsage, started, sent: false, new ProposalFailure(ProposalFailureKind.BudgetExhausted, budget.Reason!));
        }

        var attempts = 0;
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(LlmResiliencePipelines.TimeoutKey, TimeSpan.FromMilliseconds(options.TimeoutMs));
        LlmCompletion completion;
        try
        {
            var client = _clients.Create(endpoint.Provider);
            var keyed = completionRequest with { ApiKey = key.Key };
            completion = await _pipelines.For(endpoint).ExecuteAsync(
                async ctx =>
                {
                    Interlocked.Increment(ref attempts);
                    return await client.CompleteAsync(keyed, ctx.CancellationToken).ConfigureAwait(false);
                },
                context).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e)
        {
            if (e is not (LlmProviderException or TimeoutRejectedException or BrokenCircuitException))
            {
                _logger.LogError("Unexpected failure calling {Endpoint}: {Details}", endpoint, _keys.Redact(e.ToString()));
            }

            return Fail(endpoint, baseUsage with { Attempts = attempts }, started, sent: attempts > 0, FailureOf(e, endpoint, options));
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }

        var (cost, priceKnown) = new LlmPriceTable(options.Prices).Cost(endpoint.Model, completion.Usage);
        var usage = baseUsage with
        {
            InputTokens = completion.Usage.InputTokens,
            OutputTokens = completion.Usage.OutputTokens,
            CachedInputTokens = completion.Usage.CachedInputTokens,
            CacheWriteInputTokens = completion.Usage.CacheWriteInputTokens,
            CostUsd = cost,
            PriceKnown = priceKnown,
            Attempts = attempts,
            Latency = _timeProvider.GetElapsedTime(started),
        };
        _budget.RecordSpend(cost);
        _statistics.RecordSuccess(endpoint, usage);

        var parsed = completion.Texts.SelectMany(TacticResponseParser.Parse).ToArray();
        var candidates = ToCandidates(parsed, request, count);
        if (parsed.Length > 0)
        {
            // Cache what held tactics (even ones already tried), not chatter: asking again may do better.
            _cache.Set(cacheKey, CachedLlmAnswer.From(completion));
        }
        else
        {
            return Fail(endpoint, usage, started, sent: true, new ProposalFailure(ProposalFailureKind.EmptyResponse,
                $"{endpoint} answered, but its answer held no tactic."));
        }

        _logger.LogInformation("{Endpoint} proposed {Count} candidates in {Ms} ms ({Input} input / {Output} output tokens, ${Cost}).",
            endpoint, candidates.Count, (long)usage.Latency.TotalMilliseconds, usage.InputTokens, usage.OutputTokens, cost.ToString("0.######", CultureInfo.InvariantCulture));
        return new Proposal(Name, candidates, usage);
    }

    private static IReadOnlyList<TacticCandidate> ToCandidates(IEnumerable<string> parsedTactics, ProposalRequest request, int count)
    {
        var list = new CandidateList(request.FailedAttempts);
        foreach (var raw in parsedTactics)
        {
            list.TryAdd(raw, ProposerName);
        }

        return list.Take(count);
    }

    private ProposalFailure FailureOf(Exception exception, LlmEndpoint endpoint, LlmOptions options) => exception switch
    {
        LlmProviderException e => e.ToFailure() with { Message = _keys.Redact(e.Message) },
        TimeoutRejectedException => new ProposalFailure(ProposalFailureKind.Timeout,
            $"{endpoint} gave no answer within {options.TimeoutMs} ms (leanAssist.timeoutMs)."),
        BrokenCircuitException e => new ProposalFailure(ProposalFailureKind.CircuitOpen,
            $"{endpoint} failed repeatedly; LeanAssist stopped calling it for a while.", RetryAfter: e.RetryAfter),
        _ => new ProposalFailure(ProposalFailureKind.Internal, _keys.Redact($"Calling {endpoint} failed unexpectedly: {exception.GetType().Name}: {exception.Message}")),
    };

    private Proposal Fail(LlmEndpoint endpoint, ProposalUsage usage, long started, bool sent, ProposalFailure failure)
    {
        var latency = _timeProvider.GetElapsedTime(started);
        var redacted = failure with { Message = _keys.Redact(failure.Message) };
        _statistics.RecordFailure(endpoint, redacted, latency, sent);
        _logger.LogWarning("LLM proposer failed ({Kind}): {Message}", redacted.Kind, redacted.Message);
        return Proposal.Failed(Name, redacted, usage with { Latency = latency });
    }
}
