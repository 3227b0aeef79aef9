using LeanAssist.Suggestions.Caching;
using LeanAssist.Suggestions.Llm.Budget;
using LeanAssist.Suggestions.Llm.Caching;
using LeanAssist.Suggestions.Llm.Keys;
using LeanAssist.Suggestions.Llm.Resilience;
using Microsoft.Extensions.Options;

namespace LeanAssist.Suggestions.Llm.Status;

/// <summary>What the LLM side is doing, in one word, for the status bar.</summary>
public enum LlmState
{
    /// <summary>No provider: the built-in portfolio alone.</summary>
    Disabled,

    /// <summary>Configured and answering (or not asked yet).</summary>
    Ready,

    /// <summary>The provider needs a key and none is set.</summary>
    MissingKey,

    /// <summary>A budget cap is reached: only the portfolio runs.</summary>
    BudgetReached,

    /// <summary>The endpoint failed repeatedly: calls are paused.</summary>
    Paused,

    /// <summary>The last call failed.</summary>
    Failing,
}

/// <summary>
/// The LLM status the editor shows (status bar, hover, <c>leanassist doctor</c>). Safe to serialise and log:
/// it holds where the key came from, never the key.
/// </summary>
public sealed record LlmStatus(
    LlmState State,
    string Summary,
    string Provider,
    string? Model,
    string? BaseUrl,
    bool KeyPresent,
    string KeySource,
    BudgetStatus Budget,
    LlmCallTotals Calls,
    LayeredCacheStatistics Cache,
    DateTimeOffset? PausedUntil);

/// <summary>
/// Composes <see cref="LlmStatus"/> from the services that own each piece (settings, keys, budget, statistics,
/// cache, circuit) and says when it may have changed. Holds no state of its own beyond the pause deadline it is told about.
/// </summary>
public sealed class LlmStatusReporter
{
    private readonly IOptionsMonitor<LlmOptions> _options;
    private readonly ApiKeyStore _keys;
    private readonly LlmBudget _budget;
    private readonly LlmStatistics _statistics;
    private readonly LlmResponseCache _cache;
    private readonly TimeProvider _timeProvider;
    private readonly Lock _gate = new();
    private (LlmEndpoint Endpoint, DateTimeOffset Until)? _pause;

    public LlmStatusReporter(
        IOptionsMonitor<LlmOptions> options,
        ApiKeyStore keys,
        LlmBudget budget,
        LlmStatistics statistics,
        LlmResponseCache cache,
        LlmResiliencePipelines pipelines,
        TimeProvider timeProvider)
    {
        _options = options;
        _keys = keys;
        _budget = budget;
        _statistics = statistics;
        _cache = cache;
        _timeProvider = timeProvider;
        budget.Changed += RaiseChanged;
        statistics.Changed += RaiseChanged;
        keys.KeyChanged += _ => RaiseChanged();
        pipelines.CircuitOpened += (endpoint, duration) =>
        {
            lock (_gate)
            {
                _pause = (endpoint, _timeProvider.GetUtcNow() + duration);
            }

            RaiseChanged();
        };
        options.OnChange(_ => RaiseChanged());
    }

    /// <summary>Raised when the status may have changed (the editor re-reads <see cref="Current"/>).</summary>
    public event Action? Changed;

    public LlmStatus Current
    {
        get
        {
            var options = _options.CurrentValue;
            var budget = _budget.Status;
            var calls = _statistics.Totals;
            var cache = _cache.Statistics;
            var providerName = LlmProviderDefaults.SettingName(options.Provider);
            if (options.Provider == LlmProviderKind.None)
            {
                return new LlmStatus(LlmState.Disabled, "LLM off: built-in tactic portfolio only", providerName, null, null, false, "no key needed",
                    budget, calls, cache, null);
            }

            var endpoint = LlmEndpoint.From(options);
            var key = _keys.Find(options.Provider);
            DateTimeOffset? pausedUntil;
            lock (_gate)
            {
                pausedUntil = _pause is { } pause && pause.Endpoint == endpoint && pause.Until > _timeProvider.GetUtcNow() ? pause.Until : null;
            }

            var (state, summary) = (key.Present || !endpoint.RequiresApiKey, budget.CapReached, pausedUntil, calls.LastError) switch
            {
                (false, _, _, _) => (LlmState.MissingKey, $"{providerName}: no API key ({key.Describe()}); built-in portfolio only"),
                (_, true, _, _) => (LlmState.BudgetReached, $"{providerName}: {budget.Reason}"),
                (_, _, { } until, _) => (LlmState.Paused, $"{providerName}: endpoint failing, paused until {until:HH:mm:ss} UTC; built-in portfolio only"),
                (_, _, _, { } error) when calls.LastSuccessAt is null || error.At > calls.LastSuccessAt =>
                    (LlmState.Failing, $"{providerName}: last request failed ({error.Kind}): {error.Message}"),
                _ => (LlmState.Ready, $"{providerName} {endpoint.Model} ready"),
            };

            return new LlmStatus(state, summary, providerName, endpoint.Model, endpoint.BaseUrl.AbsoluteUri, key.Present, key.Describe(),
                budget, calls, cache, pausedUntil);
        }
    }

    private void RaiseChanged() => Changed?.Invoke();
}
