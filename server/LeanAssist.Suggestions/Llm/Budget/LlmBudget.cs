using System.Globalization;
using LeanAssist.Lean.Storage;
using LeanAssist.Suggestions.Caching;
using LeanAssist.Suggestions.Llm.Caching;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace LeanAssist.Suggestions.Llm.Budget;

/// <summary>Whether an LLM request may go out now, and why not.</summary>
public sealed record BudgetDecision(bool Allowed, string? Reason);

/// <summary>The budget as the status shows it.</summary>
/// <param name="SpentTodayUsd">Spent on the current local day (all LeanAssist windows, as far as the ledger file is shared).</param>
/// <param name="CapReached">True when the last check refused a request (or would now).</param>
/// <param name="Reason">Which cap and its numbers, when reached.</param>
public sealed record BudgetStatus(
    DateOnly Day,
    decimal SpentTodayUsd,
    decimal? DailyCapUsd,
    long RequestsToday,
    int RequestsLastMinute,
    int? RequestsPerMinuteCap,
    bool CapReached,
    string? Reason);

/// <summary>
/// Owns the LLM spend and request counts: the daily spend cap (<c>leanAssist.budget.dailyUsd</c>, per local calendar
/// day) and the request-rate cap (<c>leanAssist.budget.requestsPerMinute</c>, a sliding 60 s window). When a cap is
/// reached, requests are refused (the portfolio still runs) until the day or the minute moves on.
/// The day's spend is kept on disk (<c>llm-spend.db</c> beside the LLM cache) so that a restart does not reset it.
/// The request that crosses the daily cap completes; the ones after it are refused.
/// </summary>
public sealed class LlmBudget : IDisposable
{
    public const string LedgerFileName = "llm-spend.db";
    private static readonly TimeSpan RateWindow = TimeSpan.FromMinutes(1);

    private readonly IOptionsMonitor<LlmOptions> _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<LlmBudget> _logger;
    private readonly Lock _gate = new();
    private readonly Queue<DateTimeOffset> _recentRequests = new();
    private readonly SqliteStoreSlot _ledger;
    private DateOnly _day;
    private decimal _spentToday;
    private long _requestsToday;
    private bool _dayLoaded;

    public LlmBudget(IOptionsMonitor<LlmOptions> options, TimeProvider timeProvider, ILogger<LlmBudget> logger)
    {
        _options = options;
        _timeProvider = timeProvider;
        _logger = logger;
        _ledger = new SqliteStoreSlot(path => new SqliteCacheStore(new SqliteCacheStoreOptions(path, "llm-spend", SchemaVersion: 1, MaxEntries: 400), _timeProvider, _logger));
    }

    /// <summary>Raised after a request was counted, spend was recorded, or a cap refused a request.</summary>
    public event Action? Changed;

    /// <summary>Decides whether one more LLM request may go out now; if so, counts it.</summary>
    public BudgetDecision TryStartRequest()
    {
        var budget = _options.CurrentValue.Budget;
        BudgetDecision decision;
        lock (_gate)
        {
            var now = _timeProvider.GetUtcNow();
            RollDay();
            ForgetOldRequests(now);
            var refusal = RefusalReason(now, budget);
            if (refusal is null)
            {
                _recentRequests.Enqueue(now);
                _requestsToday++;
            }

            decision = new BudgetDecision(refusal is null, refusal);
        }

        if (!decision.Allowed)
        {
            _logger.LogInformation("LLM request refused: {Reason}.", decision.Reason);
        }

        Changed?.Invoke();
        return decision;
    }

    /// <summary>Adds the cost of a completed request to today's spend.</summary>
    public void RecordSpend(decimal costUsd)
    {
        if (costUsd <= 0)
        {
            return;
        }

        lock (_gate)
        {
            RollDay();
            // Re-read the ledger first: another window may have spent since.
            var stored = ReadLedger(_day);
            _spentToday = Math.Max(_spentToday, stored ?? 0m) + costUsd;
            Ledger()?.Set(LedgerKey(_day), System.Text.Encoding.UTF8.GetBytes(_spentToday.ToString(CultureInfo.InvariantCulture)));
        }

        Changed?.Invoke();
    }

    public BudgetStatus Status
    {
        get
        {
            var budget = _options.CurrentValue.Budget;
            lock (_gate)
            {
                var now = _timeProvider.GetUtcNow();
                RollDay();
                ForgetOldRequests(now);
                var reason = RefusalReason(now, budget);
                return new BudgetStatus(_day, _spentToday, budget.DailyUsd, _requestsToday, _recentRequests.Count, budget.RequestsPerMinute, reason is not null, reason);
            }
        }
    }

    public void Dispose() => _ledger.Dispose();

    /// <summary>Starts a new day's counts at local midnight, loading what the ledger already holds for it.</summary>
    private void RollDay()
    {
        var today = DateOnly.FromDateTime(_timeProvider.GetLocalNow().DateTime);
        if (_dayLoaded && today == _day)
        {
            return;
        }

        _day = today;
        _spentToday = ReadLedger(today) ?? 0m;
        _requestsToday = 0;
        _dayLoaded = true;
    }

    /// <summary>Why one more request would be refused now, or null when it would go out. Call under the lock.</summary>
    private string? RefusalReason(DateTimeOffset now, LlmBudgetOptions budget)
    {
        if (budget.DailyUsd is { } cap && _spentToday >= cap)
        {
            return string.Create(CultureInfo.InvariantCulture,
                $"daily LLM budget reached: ${_spentToday:0.####} spent of ${cap:0.####} today; only the built-in portfolio runs until tomorrow");
        }

        if (budget.RequestsPerMinute is { } perMinute && _recentRequests.Count >= perMinute)
        {
            var retryIn = _recentRequests.Peek() + RateWindow - now;
            return string.Create(CultureInfo.InvariantCulture,
                $"LLM request rate cap reached: {_recentRequests.Count} requests in the last minute (cap {perMinute}); the next is allowed in {Math.Ceiling(retryIn.TotalSeconds):0} s");
        }

        return null;
    }

    private void ForgetOldRequests(DateTimeOffset now)
    {
        while (_recentRequests.Count > 0 && now - _recentRequests.Peek() >= RateWindow)
        {
            _recentRequests.Dequeue();
        }
    }

    private decimal? ReadLedger(DateOnly day) =>
        Ledger()?.Get(LedgerKey(day)) is { } bytes
        && decimal.TryParse(System.Text.Encoding.UTF8.GetString(bytes), NumberStyles.Number, CultureInfo.InvariantCulture, out var spent)
            ? spent
            : null;

    private SqliteCacheStore? Ledger() =>
        _ledger.For(Path.Combine(LeanAssistDirectories.Resolve(_options.CurrentValue.LlmCache.Directory, LlmResponseCache.DefaultDirectory), LedgerFileName));

    private static string LedgerKey(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
