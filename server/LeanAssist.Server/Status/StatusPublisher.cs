using System.Globalization;
using LeanAssist.Lean.Pool;
using LeanAssist.Lean.Sandbox;
using LeanAssist.Lean.Sessions;
using LeanAssist.Suggestions.Remote;
using LeanAssist.Protocol.Lsp;
using LeanAssist.Server.Editor;
using LeanAssist.Server.LanguageServer;
using LeanAssist.Suggestions.Llm.Caching;
using LeanAssist.Suggestions.Llm.Status;
using LeanAssist.Suggestions.Verification;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace LeanAssist.Server.Status;

/// <summary>
/// Composes the status the client's status bar shows (<c>leanAssist/status</c>) from the services that
/// own each part, and sends it when it changes: coalesced, at most four times a second.
/// </summary>
public sealed class StatusPublisher : IDisposable
{
    public static readonly TimeSpan MinimumInterval = TimeSpan.FromMilliseconds(250);

    private readonly LanguageServerEndpoint _endpoint;
    private readonly ILeanSessionPool _pool;
    private readonly EditorSuggestions _editor;
    private readonly SuggestionRunLog _runs;
    private readonly VerdictCache _verdicts;
    private readonly LlmResponseCache _llmCache;
    private readonly LlmStatusReporter _llm;
    private readonly VerificationBackendRouter _backend;
    private readonly TimeProvider _time;
    private readonly ILogger<StatusPublisher> _logger;
    private readonly IOptionsMonitor<ReplOptions> _replOptions;
    private readonly Lock _gate = new();
    private ITimer? _pending;
    private long _lastSent;
    private StatusParams? _last;
    private bool _started;

    public StatusPublisher(LanguageServerEndpoint endpoint, ILeanSessionPool pool, EditorSuggestions editor, SuggestionRunLog runs, VerdictCache verdicts,
        LlmResponseCache llmCache, LlmStatusReporter llm, VerificationBackendRouter backend, TimeProvider time, ILogger<StatusPublisher> logger, IOptionsMonitor<ReplOptions> replOptions)
    {
        _replOptions = replOptions;
        _backend = backend;
        _endpoint = endpoint;
        _pool = pool;
        _editor = editor;
        _runs = runs;
        _verdicts = verdicts;
        _llmCache = llmCache;
        _llm = llm;
        _time = time;
        _logger = logger;
    }

    /// <summary>How many notifications were sent (tests wait on it).</summary>
    public int Sent { get; private set; }

    public StatusParams Current
    {
        get
        {
            var pool = _pool.Snapshot;
            var llm = _llm.Current;
            var verdicts = _verdicts.Statistics;
            var llmCache = _llmCache.Statistics;
            var last = _runs.Last;
            var sandbox = ReplSandboxPolicy.Describe(_replOptions.CurrentValue.Sandbox, BubblewrapProbe.FromProcess.Check());
            // Lean first: without it nothing is verified, whatever the LLM does.
            var (health, reason) = (_editor.LeanProblem, llm.State) switch
            {
                ({ CannotRun: true } problem, _) => (Health.Error, problem.Reason),
                ({ } problem, _) => (Health.Degraded, problem.Reason),
                (_, LlmState.MissingKey or LlmState.Failing or LlmState.Paused or LlmState.BudgetReached) => (Health.Degraded, llm.Summary),
                _ => (Health.Ok, (string?)null),
            };
            return new StatusParams(
                health,
                reason,
                new SessionStatus(pool.Warm, pool.Starting, pool.Busy, pool.Sessions.Count, (int)pool.Restarts),
                pool.QueueDepth,
                _editor.Running,
                last is null ? null : new LastRunStatus(
                    last.FinishedAt.ToString("O", CultureInfo.InvariantCulture),
                    Math.Round(last.Duration.TotalMilliseconds, 1),
                    last.Tried,
                    last.Verified,
                    last.Solved,
                    FromCache: last.Lean == TimeSpan.Zero && last.Llm == TimeSpan.Zero && last.Tried > 0),
                new CacheStatus(
                    verdicts.Lookups == 0 ? null : Math.Round(verdicts.HitRate, 4), verdicts.Hits, verdicts.Lookups,
                    llmCache.Lookups == 0 ? null : Math.Round(llmCache.HitRate, 4), llmCache.Hits, llmCache.Lookups),
                new SpendStatus(llm.Budget.SpentTodayUsd, llm.Budget.DailyCapUsd, llm.Budget.CapReached, llm.Budget.Reason),
                new LlmStatusView(llm.Provider, llm.Model, llm.State is LlmState.Ready, llm.State is LlmState.Ready or LlmState.Disabled ? null : llm.Summary),
                new SandboxStatusView(sandbox.Mode.ToString().ToLowerInvariant(), sandbox.Active, sandbox.Summary))
            {
                Verification = RemoteStatus.Describe(_backend),
            };
        }
    }

    /// <summary>Starts following the sources (after <c>initialized</c>) and sends the first status.</summary>
    public void Start()
    {
        lock (_gate)
        {
            if (_started)
            {
                return;
            }

            _started = true;
        }

        _pool.SnapshotChanged += (_, _) => RequestPublish();
        _editor.Changed += RequestPublish;
        _runs.Added += _ => RequestPublish();
        _llm.Changed += RequestPublish;
        RequestPublish();
    }

    /// <summary>Publishes soon: at once if the last one was long enough ago, else when the interval has passed (coalescing).</summary>
    public void RequestPublish()
    {
        lock (_gate)
        {
            if (_pending is not null)
            {
                return;
            }

            var wait = MinimumInterval - _time.GetElapsedTime(_lastSent);
            _pending = _time.CreateTimer(_ => Publish(), null, wait > TimeSpan.Zero ? wait : TimeSpan.Zero, Timeout.InfiniteTimeSpan);
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _pending?.Dispose();
            _pending = null;
        }
    }

    private void Publish()
    {
        StatusParams status;
        lock (_gate)
        {
            _pending?.Dispose();
            _pending = null;
            _lastSent = _time.GetTimestamp();
        }

        try
        {
            status = Current;
            lock (_gate)
            {
                // Value equality: StatusParams holds only records of scalars and strings (a collection in it would compare by reference).
                if (status == _last)
                {
                    return;
                }

                _last = status;
                Sent++;
            }

            _ = _endpoint.Client.SendNotificationAsync(LeanAssistMethods.Status, status, LeanAssistJsonContext.Default.StatusParams);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            _logger.LogWarning(e, "Could not publish the status.");
        }
    }
}
