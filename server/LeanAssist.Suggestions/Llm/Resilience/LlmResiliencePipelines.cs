using System.Collections.Concurrent;
using LeanAssist.Suggestions.Llm.Providers;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Polly.Timeout;

namespace LeanAssist.Suggestions.Llm.Resilience;

/// <summary>
/// The Polly pipelines around LLM calls, one per endpoint (provider and base URL) so that a failing endpoint's
/// circuit does not stop another. Outer to inner:
/// <list type="number">
/// <item>Timeout: the whole call, retries included, within <c>leanAssist.timeoutMs</c> (read per call, so a settings change applies at once).</item>
/// <item>Retry: up to <see cref="MaxRetries"/> more attempts on transient failures (408, 409, 429, 5xx, Anthropic 529,
/// network), exponential backoff with jitter from <see cref="BaseDelay"/>, or exactly the provider's Retry-After when it
/// gave one. A Retry-After longer than <see cref="MaxRetryAfter"/> is not waited for: the failure is reported instead.</item>
/// <item>Circuit breaker: when at least half of the last <see cref="MinimumThroughput"/>+ calls within
/// <see cref="SamplingDuration"/> failed transiently, calls fail at once for <see cref="BreakDuration"/>, then one probe is let through.</item>
/// </list>
/// Cancellation from the caller flows through every strategy into the HTTP request.
/// </summary>
public sealed class LlmResiliencePipelines(TimeProvider timeProvider, ILogger<LlmResiliencePipelines> logger)
{
    public const int MaxRetries = 3;
    public static readonly TimeSpan BaseDelay = TimeSpan.FromSeconds(1);
    public static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(20);
    public static readonly TimeSpan MaxRetryAfter = TimeSpan.FromSeconds(60);
    public const int MinimumThroughput = 4;
    public static readonly TimeSpan SamplingDuration = TimeSpan.FromSeconds(60);
    public static readonly TimeSpan BreakDuration = TimeSpan.FromSeconds(30);

    /// <summary>The key under which a call's total timeout travels in its <see cref="ResilienceContext"/>.</summary>
    public static readonly ResiliencePropertyKey<TimeSpan> TimeoutKey = new("leanassist.llm.timeout");

    private readonly ConcurrentDictionary<string, ResiliencePipeline> _pipelines = new(StringComparer.Ordinal);

    /// <summary>Raised when an endpoint's circuit opens (argument: the endpoint and how long it stays open).</summary>
    public event Action<LlmEndpoint, TimeSpan>? CircuitOpened;

    /// <summary>Raised before each retry (argument: the endpoint, the attempt about to be made, the delay before it).</summary>
    public event Action<LlmEndpoint, int, TimeSpan>? Retrying;

    public ResiliencePipeline For(LlmEndpoint endpoint) =>
        _pipelines.GetOrAdd(Key(endpoint), _ => Build(endpoint));

    private static string Key(LlmEndpoint endpoint) => $"{endpoint.Provider}|{endpoint.BaseUrl.AbsoluteUri}";

    private ResiliencePipeline Build(LlmEndpoint endpoint)
    {
        var name = $"{LlmProviderDefaults.SettingName(endpoint.Provider)} at {endpoint.BaseUrl.GetLeftPart(UriPartial.Authority)}";
        return new ResiliencePipelineBuilder { TimeProvider = timeProvider, Name = name }
            .AddTimeout(new TimeoutStrategyOptions
            {
                TimeoutGenerator = args => ValueTask.FromResult(args.Context.Properties.GetValue(TimeoutKey, TimeSpan.FromSeconds(30))),
            })
            .AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = MaxRetries,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = BaseDelay,
                MaxDelay = MaxDelay,
                ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is LlmProviderException { IsTransient: true } e
                    && (e.RetryAfter is null || e.RetryAfter <= MaxRetryAfter)),
                DelayGenerator = args => ValueTask.FromResult(args.Outcome.Exception is LlmProviderException { RetryAfter: { } retryAfter } ? retryAfter : (TimeSpan?)null),
                OnRetry = args =>
                {
                    var error = args.Outcome.Exception as LlmProviderException;
                    logger.LogWarning("LLM call to {Endpoint} failed ({Status} {Kind}); attempt {Attempt} in {Delay} ms.",
                        name, error?.HttpStatus, error?.Kind, args.AttemptNumber + 2, (long)args.RetryDelay.TotalMilliseconds);
                    Retrying?.Invoke(endpoint, args.AttemptNumber + 2, args.RetryDelay);
                    return ValueTask.CompletedTask;
                },
            })
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions
            {
                FailureRatio = 0.5,
                MinimumThroughput = MinimumThroughput,
                SamplingDuration = SamplingDuration,
                BreakDuration = BreakDuration,
                ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is LlmProviderException { IsTransient: true }),
                OnOpened = args =>
                {
                    logger.LogError("LLM endpoint {Endpoint} keeps failing: no calls for {Seconds} s.", name, (int)args.BreakDuration.TotalSeconds);
                    CircuitOpened?.Invoke(endpoint, args.BreakDuration);
                    return ValueTask.CompletedTask;
                },
                OnClosed = _ =>
                {
                    logger.LogInformation("LLM endpoint {Endpoint} answers again.", name);
                    return ValueTask.CompletedTask;
                },
            })
            .Build();
    }
}
