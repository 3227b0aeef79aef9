using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;

namespace LeanAssist.Suggestions.Remote;

/// <summary>One Kimina server as the status shows it.</summary>
/// <param name="Healthy">Its circuit is closed (or letting a probe through): work is sent to it.</param>
/// <param name="InFlight">Snippets sent or waiting for one of its request slots.</param>
public sealed record KiminaServerStatus(Uri Url, bool Healthy, int InFlight, long Checked, long Failures, string? LastError);

/// <summary>All servers were failing (every circuit open, or every attempt failed); nothing says anything about the snippets.</summary>
public sealed class KiminaUnavailableException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// Spreads batches of snippets over the configured Kimina servers, in the style of the LLM clients'
/// resilience (Polly): each batch goes to the least-loaded healthy server; a 429 ("No available REPLs"),
/// a 5xx, a broken connection, a timeout or a malformed body is retried on another server (exponential
/// backoff with jitter); every server has its own circuit breaker, so one that keeps failing is skipped for
/// <see cref="BreakDuration"/> and then probed. 401/403 and 422 are not retried (the request is at fault).
/// Cancellation reaches the HTTP request.
/// </summary>
public sealed class KiminaDispatcher
{
    public const int MaxRetries = 4;
    public static readonly TimeSpan BaseDelay = TimeSpan.FromMilliseconds(200);
    public static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(5);
    public const int MinimumThroughput = 3;
    public static readonly TimeSpan SamplingDuration = TimeSpan.FromSeconds(30);
    public static readonly TimeSpan BreakDuration = TimeSpan.FromSeconds(30);

    private static readonly ResiliencePropertyKey<HashSet<Uri>> TriedKey = new("leanassist.kimina.tried");

    private readonly KiminaHttpClient _http;
    private readonly IOptionsMonitor<RemoteVerificationOptions> _options;
    private readonly KiminaApiKey _apiKey;
    private readonly TimeProvider _time;
    private readonly ILogger<KiminaDispatcher> _logger;
    private readonly ConcurrentDictionary<Uri, ServerState> _servers = new();
    private readonly ResiliencePipeline _retry;

    public KiminaDispatcher(KiminaHttpClient http, IOptionsMonitor<RemoteVerificationOptions> options, KiminaApiKey apiKey, TimeProvider time, ILogger<KiminaDispatcher> logger)
    {
        _http = http;
        _options = options;
        _apiKey = apiKey;
        _time = time;
        _logger = logger;
        _retry = new ResiliencePipelineBuilder { TimeProvider = time, Name = "kimina" }
            .AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = MaxRetries,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = BaseDelay,
                MaxDelay = MaxDelay,
                ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is KiminaServerException { IsTransient: true } or BrokenCircuitException),
                OnRetry = args =>
                {
                    _logger.LogWarning("Kimina check failed ({Error}); attempt {Attempt} on another server in {Delay} ms.",
                        args.Outcome.Exception?.Message, args.AttemptNumber + 2, (long)args.RetryDelay.TotalMilliseconds);
                    return ValueTask.CompletedTask;
                },
            })
            .Build();
    }

    /// <summary>Raised when a server's health changes (its circuit opened or closed).</summary>
    public event Action? HealthChanged;

    /// <summary>The configured servers, healthy or not, in the configured order.</summary>
    public IReadOnlyList<KiminaServerStatus> Status() =>
        _options.CurrentValue.Kimina.ServerUris().Select(uri => State(uri).Describe()).ToArray();

    /// <summary>Checks a batch on one server (chosen least-loaded, retried on others), returning one result per snippet.</summary>
    /// <exception cref="KiminaServerException">A failure that no other server can fix (401/403, 422), or the last one when retries ran out.</exception>
    /// <exception cref="KiminaUnavailableException">No server is configured, or every one's circuit is open.</exception>
    public async Task<IReadOnlyList<KiminaCheckResult>> CheckAsync(IReadOnlyList<KiminaSnippet> snippets, CancellationToken cancellationToken)
    {
        var settings = _options.CurrentValue.Kimina;
        var servers = settings.ServerUris();
        if (servers.Count == 0)
        {
            throw new KiminaUnavailableException("No Kimina server is configured (leanAssist.kimina.urls).");
        }

        var request = new KiminaChecksRequest(snippets, settings.TimeoutSeconds, Debug: false, Reuse: settings.Reuse);
        var requestTimeout = TimeSpan.FromSeconds(settings.TimeoutSeconds + Math.Min(30, settings.TimeoutSeconds) + 2);
        var key = _apiKey.Find().Key;
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(TriedKey, []);
        try
        {
            return await _retry.ExecuteAsync(async ctx =>
            {
                var tried = ctx.Properties.GetValue(TriedKey, []);
                var server = Choose(servers, tried);
                tried.Add(server.Url);
                return await server.SendAsync(_http, request, key, requestTimeout, settings.MaxConcurrentRequests, ctx.CancellationToken).ConfigureAwait(false);
            }, context).ConfigureAwait(false);
        }
        catch (BrokenCircuitException e)
        {
            throw new KiminaUnavailableException(
                $"Every Kimina server is failing and skipped for now: {string.Join("; ", servers.Select(s => $"{KiminaHttpClient.Authority(s)} ({State(s).LastError ?? "circuit open"})"))}.", e);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    /// <summary>Closes every circuit (the restart command): the next checks try every server again.</summary>
    public void Reset()
    {
        foreach (var state in _servers.Values)
        {
            state.Reset();
        }

        _servers.Clear();
        HealthChanged?.Invoke();
    }

    /// <summary>Healthy servers first, least-loaded first among them; one not yet tried by this batch when there is one.</summary>
    private ServerState Choose(IReadOnlyList<Uri> servers, HashSet<Uri> tried)
    {
        var states = servers.Select(State).ToArray();
        return states
            .OrderBy(s => s.Healthy ? 0 : 1)
            .ThenBy(s => tried.Contains(s.Url) ? 1 : 0)
            .ThenBy(s => s.Load)
            .ThenBy(s => s.Checked)
            .First();
    }

    private ServerState State(Uri uri) => _servers.GetOrAdd(uri, u => new ServerState(u, this));

    /// <summary>One server: its request slots, its load, its circuit.</summary>
    private sealed class ServerState
    {
        private readonly ResiliencePipeline _circuit;
        private readonly CircuitBreakerStateProvider _stateProvider = new();
        private readonly CircuitBreakerManualControl _control = new();
        private readonly Lock _gate = new();
        private SemaphoreSlim? _slots;
        private int _slotCount;
        private int _load;
        private long _checked;
        private long _failures;
        private long _openedAtTicks;
        private readonly KiminaDispatcher _owner;

        public ServerState(Uri url, KiminaDispatcher owner)
        {
            Url = url;
            _owner = owner;
            var name = KiminaHttpClient.Authority(url);
            _circuit = new ResiliencePipelineBuilder { TimeProvider = owner._time, Name = $"kimina {name}" }
                .AddCircuitBreaker(new CircuitBreakerStrategyOptions
                {
                    FailureRatio = 0.5,
                    MinimumThroughput = MinimumThroughput,
                    SamplingDuration = SamplingDuration,
                    BreakDuration = BreakDuration,
                    StateProvider = _stateProvider,
                    ManualControl = _control,
                    ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is KiminaServerException { IsServerFault: true }),
                    OnOpened = args =>
                    {
                        Volatile.Write(ref _openedAtTicks, owner._time.GetUtcNow().UtcTicks);
                        owner._logger.LogError("Kimina server {Server} keeps failing: skipped for {Seconds} s.", name, (int)args.BreakDuration.TotalSeconds);
                        owner.HealthChanged?.Invoke();
                        return ValueTask.CompletedTask;
                    },
                    OnClosed = _ =>
                    {
                        owner._logger.LogInformation("Kimina server {Server} answers again.", name);
                        owner.HealthChanged?.Invoke();
                        return ValueTask.CompletedTask;
                    },
                })
                .Build();
        }

        public Uri Url { get; }

        /// <summary>
        /// Closed or half-open; or open for longer than the break (Polly reports "open" until a call is tried, and this
        /// is what lets that probe be chosen while other servers are healthy).
        /// </summary>
        public bool Healthy => _stateProvider.CircuitState switch
        {
            CircuitState.Closed or CircuitState.HalfOpen => true,
            CircuitState.Open => _owner._time.GetUtcNow().UtcTicks - Volatile.Read(ref _openedAtTicks) >= BreakDuration.Ticks,
            _ => false,
        };

        public int Load => Volatile.Read(ref _load);

        public long Checked => Interlocked.Read(ref _checked);

        public string? LastError { get; private set; }

        public KiminaServerStatus Describe() => new(Url, Healthy, Load, Checked, Interlocked.Read(ref _failures), LastError);

        public async Task<IReadOnlyList<KiminaCheckResult>> SendAsync(KiminaHttpClient http, KiminaChecksRequest request, string? key, TimeSpan timeout, int slots, CancellationToken cancellationToken)
        {
            var gate = Slots(slots);
            Interlocked.Add(ref _load, request.Snippets.Count);
            try
            {
                await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
                try
                {
                    var results = await _circuit.ExecuteAsync(
                        async token => await http.ChecksAsync(Url, request, key, timeout, token).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
                    Interlocked.Add(ref _checked, request.Snippets.Count);
                    return results;
                }
                catch (KiminaServerException e)
                {
                    Interlocked.Increment(ref _failures);
                    LastError = e.Message;
                    throw;
                }
                finally
                {
                    gate.Release();
                }
            }
            finally
            {
                Interlocked.Add(ref _load, -request.Snippets.Count);
            }
        }

        public void Reset() => _ = _control.CloseAsync();

        /// <summary>The request slots, rebuilt when leanAssist.kimina.maxConcurrentRequests changes (requests holding an old one finish on it).</summary>
        private SemaphoreSlim Slots(int count)
        {
            lock (_gate)
            {
                if (_slots is null || _slotCount != count)
                {
                    _slots = new SemaphoreSlim(count, count);
                    _slotCount = count;
                }

                return _slots;
            }
        }
    }
}
