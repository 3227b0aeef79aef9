using System.Diagnostics.Metrics;
using LeanAssist.Lean.Telemetry;
using LeanAssist.Suggestions.Candidates;

namespace LeanAssist.Suggestions.Llm.Status;

/// <summary>The last failure of the LLM proposer (message redacted).</summary>
public sealed record LlmError(ProposalFailureKind Kind, string Message, int? HttpStatus, DateTimeOffset At);

/// <summary>Totals since the server started.</summary>
public sealed record LlmCallTotals(
    long Calls,
    long Failures,
    long Retries,
    long InputTokens,
    long OutputTokens,
    long CachedInputTokens,
    decimal CostUsd,
    LlmError? LastError,
    DateTimeOffset? LastSuccessAt,
    TimeSpan? LastLatency);

/// <summary>
/// Owns the LLM call statistics (calls, failures, retries, tokens, cost, last error) and records them on
/// <see cref="LeanAssistMeter"/> with the OpenTelemetry GenAI names. Metric attributes carry provider, model and
/// error kind only: never prompt text or keys.
/// </summary>
public sealed class LlmStatistics(TimeProvider timeProvider, LeanAssistMeter meter)
{
    private readonly Histogram<double> _duration = meter.Meter.CreateHistogram<double>(
        LeanAssistMeter.Instruments.GenAiOperationDuration, "s", "Duration of LLM calls, retries included.");

    private readonly Histogram<long> _tokens = meter.Meter.CreateHistogram<long>(
        LeanAssistMeter.Instruments.GenAiTokenUsage, "{token}", "Tokens used per LLM call.");

    private readonly Counter<double> _costCounter = meter.Meter.CreateCounter<double>(
        LeanAssistMeter.Instruments.LlmCost, "USD", "LLM spend from the configured price table.");

    private readonly Lock _gate = new();
    private long _calls;
    private long _failures;
    private long _retries;
    private long _inputTokens;
    private long _outputTokens;
    private long _cachedInputTokens;
    private decimal _cost;
    private LlmError? _lastError;
    private DateTimeOffset? _lastSuccess;
    private TimeSpan? _lastLatency;

    /// <summary>Raised after anything was recorded.</summary>
    public event Action? Changed;

    public LlmCallTotals Totals
    {
        get
        {
            lock (_gate)
            {
                return new LlmCallTotals(_calls, _failures, _retries, _inputTokens, _outputTokens, _cachedInputTokens, _cost, _lastError, _lastSuccess, _lastLatency);
            }
        }
    }

    /// <summary>Records a call that reached the provider and answered.</summary>
    public void RecordSuccess(LlmEndpoint endpoint, ProposalUsage usage)
    {
        lock (_gate)
        {
            _calls++;
            _inputTokens += usage.InputTokens;
            _outputTokens += usage.OutputTokens;
            _cachedInputTokens += usage.CachedInputTokens;
            _cost += usage.CostUsd;
            _lastSuccess = timeProvider.GetUtcNow();
            _lastLatency = usage.Latency;
        }

        var provider = Attribute("gen_ai.provider.name", LlmProviderDefaults.TelemetryName(endpoint.Provider));
        var model = Attribute("gen_ai.request.model", endpoint.Model);
        var operation = Attribute("gen_ai.operation.name", "chat");
        _duration.Record(usage.Latency.TotalSeconds, operation, provider, model);
        _tokens.Record(usage.InputTokens, Attribute("gen_ai.token.type", "input"), provider, model);
        _tokens.Record(usage.OutputTokens, Attribute("gen_ai.token.type", "output"), provider, model);
        if (usage.CostUsd > 0)
        {
            _costCounter.Add((double)usage.CostUsd, provider, model);
        }

        Changed?.Invoke();
    }

    /// <summary>Records a failed call (sent or refused before sending).</summary>
    public void RecordFailure(LlmEndpoint endpoint, ProposalFailure failure, TimeSpan latency, bool sent)
    {
        lock (_gate)
        {
            _failures++;
            if (sent)
            {
                _calls++;
            }

            _lastError = new LlmError(failure.Kind, failure.Message, failure.HttpStatus, timeProvider.GetUtcNow());
        }

        if (sent)
        {
            _duration.Record(latency.TotalSeconds,
                Attribute("gen_ai.operation.name", "chat"),
                Attribute("gen_ai.provider.name", LlmProviderDefaults.TelemetryName(endpoint.Provider)),
                Attribute("gen_ai.request.model", endpoint.Model),
                Attribute("error.type", failure.Kind.ToString()));
        }

        Changed?.Invoke();
    }

    public void RecordRetry()
    {
        lock (_gate)
        {
            _retries++;
        }

        Changed?.Invoke();
    }

    private static KeyValuePair<string, object?> Attribute(string name, string value) => new(name, value);
}
