using System.Collections.Immutable;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using LeanAssist.Lean.Repl;
using LeanAssist.Lean.Sessions;
using LeanAssist.Lean.Source;
using LeanAssist.Lean.Storage;
using LeanAssist.Lean.Telemetry;
using LeanAssist.Lean.Text;
using LeanAssist.Lean.Toolchain;
using LeanAssist.Lean.Verdicts;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace LeanAssist.Lean.Pool;

/// <summary>
/// The warm REPL sessions, grouped by (project root, header), and the queue of work for them. The one
/// owner of session and queue state: every change happens under <see cref="_gate"/>, and REPL I/O never does.
/// </summary>
/// <remarks>
/// Scheduling: interactive work before background work, first come first served within a priority; a
/// job goes to the idle warm session of its group that already holds most of what it needs. A group
/// starts sessions when work waits (up to <see cref="ReplOptions.Sessions"/>, within
/// <see cref="ReplOptions.MaxTotalSessions"/>, taking idle sessions of other groups when needed).
/// Failures: a request past its timeout kills the process tree and the job gets a timeout result; a
/// crash, garbage, an oversized answer or the memory limit kills the process and the job is retried once
/// on a fresh session, then completes with a crash result. Sessions that cannot start (twice) fail the
/// jobs that waited for them with the reason. Sessions are recycled after
/// <see cref="ReplOptions.RecycleAfterRequests"/> requests or above the memory limit.
/// </remarks>
public sealed partial class LeanSessionPool : ILeanSessionPool, IDisposable
{
    private readonly Counter<long>? _restartCounter;
    private readonly Histogram<double>? _requestDuration;

    private readonly IOptionsMonitor<ReplOptions> _options;
    private readonly IReplLaunchResolver _launcher;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private readonly Dictionary<SessionGroupKey, SessionGroup> _groups = [];

    /// <summary>Per imports (project and import lines), the group of the newest build seen and when it was seen (see <see cref="Observe"/>).</summary>
    private readonly Dictionary<string, (SessionGroup Group, long Observed)> _newestBuild = new(StringComparer.Ordinal);
    private readonly List<LeanSession> _sessions = [];
    private readonly LinkedList<PoolJob> _interactive = new();
    private readonly LinkedList<PoolJob> _background = new();
    private readonly CancellationTokenSource _shutdown = new();
    private readonly Timer _maintenance;
    private readonly IDisposable? _optionsSubscription;
    private readonly string _pickleDirectory;
    private readonly SqliteStoreSlot _outcomeStores;
    private readonly SemaphoreSlim _snapshotEvents = new(1, 1);
    private string? _lastCommand;
    private long _restarts;
    private long _observations;
    private int _nextSessionId;
    private bool _disposed;
    private LeanPoolSnapshot _lastRaised = LeanPoolSnapshot.Empty;

    /// <param name="maintenanceInterval">How often memory and idleness are checked (tests shorten it).</param>
    /// <param name="meter">Where the pool's metrics go (restarts, request times, sessions by state, queue depth); none when null.</param>
    public LeanSessionPool(IOptionsMonitor<ReplOptions> options, IReplLaunchResolver launcher, ILoggerFactory loggerFactory, TimeSpan? maintenanceInterval = null, LeanAssistMeter? meter = null)
    {
        if (meter is not null)
        {
            _restartCounter = meter.Meter.CreateCounter<long>(LeanAssistMeter.Instruments.LeanSessionRestarts, description: "REPL sessions replaced.");
            _requestDuration = meter.Meter.CreateHistogram<double>(LeanAssistMeter.Instruments.LeanRequestDuration, "s", "Time of one Lean REPL request.");
            meter.Meter.CreateObservableGauge(LeanAssistMeter.Instruments.LeanSessions, ObserveSessions, description: "Lean REPL sessions by state.");
            meter.Meter.CreateObservableGauge(LeanAssistMeter.Instruments.LeanQueueDepth, () => Snapshot.QueueDepth, description: "Lean requests waiting for a session.");
        }

        _options = options;
        _launcher = launcher;
        _loggerFactory = loggerFactory;
        _logger = loggerFactory.CreateLogger<LeanSessionPool>();
        _lastCommand = options.CurrentValue.Command;
        _pickleDirectory = Path.Combine(ProofStatesDirectory, $"{Environment.ProcessId}-{Guid.NewGuid():N}"[..24]);
        RunObserved(() => Task.FromResult(SweepDeadPickleFolders(ProofStatesDirectory, _logger)), "sweeping pickle folders of dead processes");
        // The outcome store is not opened here: the editor's settings may arrive after the pool is built
        // (see OutcomeStore), and with persistOutcomes off nothing may go to disk.
        _outcomeStores = new SqliteStoreSlot(path => OpenOutcomeStore(path, _logger));
        _optionsSubscription = options.OnChange(OnOptionsChanged);
        var interval = maintenanceInterval ?? TimeSpan.FromSeconds(2);
        _maintenance = new Timer(_ => Maintain(), null, interval, interval);
    }

    public event EventHandler<LeanPoolSnapshot>? SnapshotChanged;

    /// <summary>How long a retired group (see <see cref="SessionGroup.Retired"/>) is kept after its last use, for work still holding its targets.</summary>
    internal TimeSpan RetiredGroupGrace { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Groups known to the pool (retired ones included until dropped).</summary>
    internal int GroupCount
    {
        get
        {
            lock (_gate)
            {
                return _groups.Count;
            }
        }
    }

    private IEnumerable<Measurement<int>> ObserveSessions()
    {
        var snapshot = Snapshot;
        yield return new Measurement<int>(snapshot.Warm, new KeyValuePair<string, object?>("state", "warm"));
        yield return new Measurement<int>(snapshot.Starting, new KeyValuePair<string, object?>("state", "starting"));
        yield return new Measurement<int>(snapshot.Busy, new KeyValuePair<string, object?>("state", "busy"));
    }

    public LeanPoolSnapshot Snapshot
    {
        get
        {
            lock (_gate)
            {
                return SnapshotLocked();
            }
        }
    }

    // ---------------------------------------------------------------- public API

    public async Task<LeanFileTargets> LoadFileAsync(LeanFileRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var plan = _launcher.Resolve(request.ProjectRoot);
        var (snapshot, observed, headerText) = Observe(plan, request.Text);
        // No session is wished for yet: when every command's outcome is known (a warm repeat), the file
        // loads without Lean, and starting a session here would import the header for nothing.
        var group = GetOrCreateGroup(plan, snapshot, observed, headerText, desiredSessions: 0);
        var counters = new LeanWorkCounters();
        var problems = new List<string>();
        // Built once: elaboration, the job's affinity and the targets' proof state handles all walk it.
        var chain = snapshot.Commands.Select(c => new LeanChainLink(c.Fingerprint, c.SentText)).ToImmutableArray();
        LeanLoadFailure? failure = null;
        if (snapshot.Commands.Any(c => !group.Outcomes.Contains(c.Fingerprint)))
        {
            // Lean is needed, and candidates for the file's goals follow: every session imports the header
            // now, alongside the one that elaborates the file, not one header import after it.
            WishForAllSessions(group);
            var job = new PoolJob<(string Problem, LeanLoadFailure Kind)?>(group, request.Priority, cancellationToken,
                async (session, token) =>
                {
                    await session.ElaborateAsync(chain, _options.CurrentValue, counters, token).ConfigureAwait(false);
                    return null;
                },
                session => session.CachedPrefixLength(chain, chain.Length - 1),
                // A session failed while elaborating (Lean ran: what came before is usable).
                replFailure => (replFailure.Message, LeanLoadFailure.Partial),
                // No session could start for the group (OnStartFailed records why before failing the jobs).
                reason => (reason, group.LastStartFailedOnImports ? LeanLoadFailure.Imports : LeanLoadFailure.NotStarted));
            Enqueue([job]);
            if (await job.Completion.ConfigureAwait(false) is { } problem)
            {
                problems.Add(problem.Problem);
                failure = problem.Kind;
            }
        }

        var targets = FileTargetsAssembler.Assemble(snapshot, chain, group, plan, problems, counters);
        if (failure is { } kind)
        {
            targets = targets with { Failure = kind };
        }

        _logger.LogDebug("Loaded {File}: {Commands} commands, {Targets} targets, {Requests} Lean requests.", request.FilePath, targets.Commands.Count, targets.Targets.Count, targets.LeanRequests);
        return targets;
    }

    public async Task<IReadOnlyList<TacticRun>> RunTacticsAsync(LeanProofStateHandle target, IReadOnlyList<string> tactics, RequestPriority priority, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(tactics);
        SessionGroup? group;
        lock (_gate)
        {
            ThrowIfDisposed();
            if (_groups.TryGetValue(target.Group, out group))
            {
                WishForAllSessionsLocked(group);
            }
        }

        if (group is null)
        {
            return tactics.Select(t => Unavailable(t, "The file of this target has not been loaded in this session pool.")).ToArray();
        }

        string? pickleFile = null;
        if (tactics.Count > 1 && ShouldPickle(group, target))
        {
            pickleFile = await EnsurePickledAsync(group, target, priority, cancellationToken).ConfigureAwait(false);
        }

        var jobs = tactics.Select(tactic => CreateTacticJob(group, target, tactic, pickleFile, priority, cancellationToken)).ToArray();
        Enqueue(jobs);
        return await Task.WhenAll(jobs.Select(j => j.Completion)).ConfigureAwait(false);
    }

    private void WishForAllSessions(SessionGroup group)
    {
        lock (_gate)
        {
            WishForAllSessionsLocked(group);
        }
    }

    private void WishForAllSessionsLocked(SessionGroup group)
    {
        if (!group.Retired)
        {
            group.DesiredSessions = Math.Max(group.DesiredSessions, _options.CurrentValue.EffectiveSessions);
        }
    }

    public Task WarmUpAsync(string? projectRoot, SourceText text, CancellationToken cancellationToken)
    {
        var plan = _launcher.Resolve(projectRoot);
        var (snapshot, observed, headerText) = Observe(plan, text);
        GetOrCreateGroup(plan, snapshot, observed, headerText, _options.CurrentValue.EffectiveSessions);
        Pump();
        return Task.CompletedTask;
    }

    public async Task RestartAllAsync(CancellationToken cancellationToken)
    {
        List<LeanSession> stopped;
        lock (_gate)
        {
            ThrowIfDisposed();
            stopped = [.. _sessions];
            foreach (var session in stopped)
            {
                session.RestartRequested = true;
            }

            // The user restarts Lean when something outside the text changed (rebuilt imports): forget what Lean
            // said. The disk store is one for every group, so it is emptied once, not once per group.
            if (_groups.Count > 0)
            {
                OutcomeStore()?.Clear();
            }

            foreach (var group in _groups.Values)
            {
                group.Outcomes.ClearMemory();
                group.PickledProofStates.Clear();
                group.ConsecutiveStartFailures = 0;
            }

            foreach (var session in stopped.Where(s => s.State != LeanSessionState.Busy))
            {
                RemoveLocked(session, "restart", countAsRestart: true);
            }
        }

        _logger.LogInformation("Restarting all {Count} Lean sessions.", stopped.Count);
        foreach (var session in stopped)
        {
            // Busy sessions are killed; their jobs are retried on fresh sessions without being charged.
            session.Process?.Kill(new ReplFailureException(ReplFailureKind.Exited, "The Lean sessions were restarted."));
        }

        await Task.WhenAll(stopped.Select(s => s.Process?.Exited.WaitAsync(TimeSpan.FromSeconds(10), cancellationToken) ?? Task.CompletedTask))
            .ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        Pump();
    }

    // ---------------------------------------------------------------- jobs

    private PoolJob<TacticRun> CreateTacticJob(SessionGroup group, LeanProofStateHandle target, string tactic, string? pickleFile, RequestPriority priority, CancellationToken cancellationToken) =>
        new(group, priority, cancellationToken,
            async (session, token) =>
            {
                var options = _options.CurrentValue;
                var preparation = new LeanWorkCounters();
                var prepared = Stopwatch.GetTimestamp();
                var proofState = await session.EnsureProofStateAsync(target, pickleFile, options, preparation, token).ConfigureAwait(false);
                var preparationTime = Stopwatch.GetElapsedTime(prepared);
                if (proofState is not { } id)
                {
                    return Unavailable(tactic, "Lean recorded no proof state for this sorry.", session.Id);
                }

                var exchange = await session.SendAsync(new ReplTacticRequest(tactic, id), options.RequestTimeout, new LeanWorkCounters(), token).ConfigureAwait(false);
                var verdict = TacticVerdicts.Classify(exchange.Response, target.GoalsBefore);
                return exchange.Response switch
                {
                    ReplTacticResponse response => new TacticRun(tactic, TacticRunStatus.Responded, response, null, verdict, exchange.LeanTime, preparationTime, session.Id),
                    ReplErrorResponse error => new TacticRun(tactic, TacticRunStatus.ReplError, null, error.Message, verdict, exchange.LeanTime, preparationTime, session.Id),
                    _ => throw new ReplFailureException(ReplFailureKind.Protocol, "The REPL answered a tactic with a command response."),
                };
            },
            session => ProofStateAffinity(session, target),
            failure => failure.Kind == ReplFailureKind.Timeout
                ? new TacticRun(tactic, TacticRunStatus.Timeout, null, null, TacticVerdict.Timeout(failure.Message), TimeSpan.Zero, TimeSpan.Zero, -1)
                : new TacticRun(tactic, TacticRunStatus.Crash, null, null, TacticVerdict.Crash(failure.Message), TimeSpan.Zero, TimeSpan.Zero, -1),
            reason => Unavailable(tactic, reason));

    /// <summary>Whether other sessions should unpickle the proof state rather than replay its declaration (see <see cref="ProofStateTransfer"/>).</summary>
    private bool ShouldPickle(SessionGroup group, LeanProofStateHandle target)
    {
        var options = _options.CurrentValue;
        return options.ProofStateTransfer switch
        {
            ProofStateTransfer.Pickle => true,
            ProofStateTransfer.Auto => group.Outcomes.TryGet(target.DeclarationFingerprint, out var outcome)
                && outcome.LeanTime > TimeSpan.FromMilliseconds(options.PickleAboveMilliseconds),
            _ => false,
        };
    }

    /// <summary>A session holding the proof state needs nothing; otherwise, the more of the declaration's chain it has, the less it replays.</summary>
    private static int ProofStateAffinity(LeanSession session, LeanProofStateHandle target) =>
        session.HasProofState(target) ? int.MaxValue : session.CachedPrefixLength(target.Chain, target.DeclarationIndex);

    private static TacticRun Unavailable(string tactic, string reason, int sessionId = -1) =>
        new(tactic, TacticRunStatus.Unavailable, null, null, TacticVerdict.Unavailable(reason), TimeSpan.Zero, TimeSpan.Zero, sessionId);

    /// <summary>Pickles the target's proof state once per group (in a session that has it, or rebuilds it), for other sessions to unpickle.</summary>
    private async Task<string?> EnsurePickledAsync(SessionGroup group, LeanProofStateHandle target, RequestPriority priority, CancellationToken cancellationToken)
    {
        var key = (target.DeclarationFingerprint, target.SorryIndex);
        if (group.PickledProofStates.TryGetValue(key, out var existing))
        {
            return existing;
        }

        Directory.CreateDirectory(_pickleDirectory);
        var file = Path.Combine(_pickleDirectory, $"{target.DeclarationFingerprint.Value}-{target.SorryIndex}.olean");
        var job = new PoolJob<string?>(group, priority, cancellationToken,
            async (session, token) =>
            {
                var options = _options.CurrentValue;
                var counters = new LeanWorkCounters();
                if (await session.EnsureProofStateAsync(target, null, options, counters, token).ConfigureAwait(false) is not { } id)
                {
                    return null;
                }

                var exchange = await session.SendAsync(new ReplPickleProofStateRequest(id, file), options.RequestTimeout, counters, token).ConfigureAwait(false);
                return exchange.Response is ReplTacticResponse ? file : null;
            },
            session => ProofStateAffinity(session, target),
            _ => null,
            _ => null);
        Enqueue([job]);
        var pickled = await job.Completion.ConfigureAwait(false);
        if (pickled is not null)
        {
            group.PickledProofStates[key] = pickled;
        }

        return pickled;
    }

    private void Enqueue(IReadOnlyList<PoolJob> jobs)
    {
        lock (_gate)
        {
            ThrowIfDisposed();
            var limit = _options.CurrentValue.QueueLimit;
            var depth = _interactive.Count + _background.Count;
            if (depth + jobs.Count > limit)
            {
                throw new LeanUnavailableException(LeanUnavailableReason.QueueFull,
                    $"Lean is busy: {depth} requests are waiting (leanAssist.repl.queueLimit is {limit}). Try again shortly.");
            }

            foreach (var job in jobs)
            {
                (job.Priority == RequestPriority.Interactive ? _interactive : _background).AddLast(job);
                job.Group.LastUsedTimestamp = Stopwatch.GetTimestamp();
            }
        }

        // Outside the lock: an already canceled token runs the callback at once.
        foreach (var job in jobs)
        {
            job.TrackCancellation(Pump);
        }

        Pump();
    }

    // ---------------------------------------------------------------- scheduling

    /// <summary>Assigns waiting jobs to idle sessions and starts or retires sessions as needed. Safe to call any time.</summary>
    private void Pump()
    {
        var toRun = new List<(PoolJob Job, LeanSession Session)>();
        var toStart = new List<LeanSession>();
        var canceled = new List<PoolJob>();
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            foreach (var queue in new[] { _interactive, _background })
            {
                for (var node = queue.First; node is not null;)
                {
                    var next = node.Next;
                    var job = node.Value;
                    if (job.Cancellation.IsCancellationRequested || job.IsCompleted)
                    {
                        queue.Remove(node);
                        canceled.Add(job);
                    }
                    else if (BestIdleSession(job) is { } session)
                    {
                        queue.Remove(node);
                        session.State = LeanSessionState.Busy;
                        toRun.Add((job, session));
                    }

                    node = next;
                }
            }

            toStart.AddRange(PlanSessionStartsLocked());
        }

        foreach (var job in canceled)
        {
            job.CompleteCanceled();
        }

        foreach (var (job, session) in toRun)
        {
            _ = Task.Run(() => RunJobAsync(job, session));
        }

        foreach (var session in toStart)
        {
            RunObserved(() => StartSessionAsync(session), $"starting Lean session {session.Id}");
        }

        RaiseSnapshotIfChanged();
    }

    private LeanSession? BestIdleSession(PoolJob job)
    {
        LeanSession? best = null;
        var bestAffinity = int.MinValue;
        foreach (var session in _sessions)
        {
            if (session.Group != job.Group || session.State != LeanSessionState.Warm || !session.IsUsable)
            {
                continue;
            }

            var affinity = job.Affinity(session);
            if (affinity > bestAffinity)
            {
                best = session;
                bestAffinity = affinity;
            }
        }

        return best;
    }

    /// <summary>Sessions to start now: per group, enough for its waiting and running work or its warm-up wish, within the limits.</summary>
    private List<LeanSession> PlanSessionStartsLocked()
    {
        var options = _options.CurrentValue;
        var perGroup = options.EffectiveSessions;
        var total = options.EffectiveMaxTotalSessions;
        var starts = new List<LeanSession>();
        foreach (var group in _groups.Values)
        {
            var sessions = _sessions.Where(s => s.Group == group).ToList();
            var waiting = _interactive.Concat(_background).Count(j => j.Group == group);
            if (group.Retired && waiting == 0)
            {
                // A stale environment: sessions are kept only while they serve work asked of it before the rebuild was seen.
                foreach (var idle in sessions.Where(s => s.State == LeanSessionState.Warm))
                {
                    RemoveLocked(idle, "superseded", countAsRestart: false);
                }

                continue;
            }

            if (waiting == 0 && group.ConsecutiveStartFailures >= 2)
            {
                continue;
            }

            var busy = sessions.Count(s => s.State == LeanSessionState.Busy);
            var wanted = Math.Min(perGroup, Math.Max(group.DesiredSessions, busy + waiting));
            if (waiting > 0)
            {
                wanted = Math.Max(wanted, 1);
            }

            if (group.Retired)
            {
                // Its remaining work is old and little: one session (a full header import) is enough.
                wanted = Math.Min(wanted, 1);
            }

            // Shrink when the setting went down: retire idle sessions beyond the limit.
            foreach (var surplus in sessions.Where(s => s.State == LeanSessionState.Warm).Take(Math.Max(0, sessions.Count - perGroup)).ToList())
            {
                RemoveLocked(surplus, "shrink", countAsRestart: false);
                sessions.Remove(surplus);
            }

            for (var count = sessions.Count; count < wanted; count++)
            {
                if (_sessions.Count >= total && !EvictIdleSessionLocked(group))
                {
                    break;
                }

                var session = new LeanSession(++_nextSessionId, group, Stopwatch.GetTimestamp());
                _sessions.Add(session);
                starts.Add(session);
            }
        }

        return starts;
    }

    /// <summary>Frees a slot for <paramref name="needy"/> by stopping the least recently used idle session of a group with no waiting work.</summary>
    private bool EvictIdleSessionLocked(SessionGroup needy)
    {
        var waitingGroups = _interactive.Concat(_background).Select(j => j.Group).ToHashSet();
        var victim = _sessions
            .Where(s => s.Group != needy && s.State == LeanSessionState.Warm && !waitingGroups.Contains(s.Group))
            .OrderBy(s => s.LastUsedTimestamp)
            .FirstOrDefault();
        if (victim is null)
        {
            return false;
        }

        victim.Group.DesiredSessions = Math.Min(victim.Group.DesiredSessions, _sessions.Count(s => s.Group == victim.Group) - 1);
        RemoveLocked(victim, "evicted", countAsRestart: false);
        return true;
    }

    private async Task StartSessionAsync(LeanSession session)
    {
        var options = _options.CurrentValue;
        try
        {
            await session.StartAsync(session.Group.Launch, options, _loggerFactory.CreateLogger($"LeanAssist.Lean.Repl.Session{session.Id}"), _requestDuration, _shutdown.Token).ConfigureAwait(false);
            bool kept;
            lock (_gate)
            {
                kept = _sessions.Contains(session);
                if (kept)
                {
                    session.State = LeanSessionState.Warm;
                    session.LastUsedTimestamp = Stopwatch.GetTimestamp();
                    session.Group.ConsecutiveStartFailures = 0;
                }
            }

            if (!kept)
            {
                // Removed while it started (restart, shutdown): never leave its process behind.
                await (session.Process?.DisposeAsync() ?? ValueTask.CompletedTask).ConfigureAwait(false);
                return;
            }

            WatchForExit(session);
            _logger.LogInformation("Lean session {Id} is warm for {Group} (process {ProcessId}).", session.Id, session.Group.Key, session.Process?.ProcessId);
        }
        catch (Exception e) when (e is ReplFailureException or LeanHeaderException or OperationCanceledException)
        {
            OnStartFailed(session, e);
        }
        catch (Exception e)
        {
            // Whatever it was, the session must not stay "Starting" with work waiting for it.
            _logger.LogError(e, "Lean session {Id} failed to start unexpectedly.", session.Id);
            OnStartFailed(session, new ReplFailureException(ReplFailureKind.Exited, $"the session could not start ({e.GetType().Name}: {e.Message})", e));
        }

        Pump();
    }

    private void OnStartFailed(LeanSession session, Exception failure)
    {
        var message = failure is OperationCanceledException ? "The session pool is shutting down." : failure.Message;
        var failed = new List<PoolJob>();
        lock (_gate)
        {
            if (!_sessions.Contains(session))
            {
                // Removed meanwhile (restart, shutdown): not the session's fault.
                session.Process?.Dispose();
                return;
            }

            var group = session.Group;
            RemoveLocked(session, failure is ReplFailureException { Kind: ReplFailureKind.Timeout } ? "timeout" : "crash", countAsRestart: true);
            group.ConsecutiveStartFailures++;
            group.LastStartFailedOnImports = failure is LeanHeaderException;
            foreach (var queue in new[] { _interactive, _background })
            {
                for (var node = queue.First; node is not null;)
                {
                    var next = node.Next;
                    if (node.Value.Group == group && ++node.Value.StartFailures >= 2)
                    {
                        queue.Remove(node);
                        failed.Add(node.Value);
                    }

                    node = next;
                }
            }
        }

        _logger.LogWarning("A Lean session for {Group} could not start: {Message}", session.Group.Key, message);
        foreach (var job in failed)
        {
            job.CompleteUnavailable($"Lean could not start for {session.Group.Key.ProjectRoot}: {message}");
        }
    }

    private void WatchForExit(LeanSession session)
    {
        session.Process?.Exited.ContinueWith(_ =>
        {
            lock (_gate)
            {
                // A busy session's job sees the failure itself; an idle one that dies is replaced here.
                if (!_sessions.Contains(session) || session.State != LeanSessionState.Warm)
                {
                    return;
                }

                RemoveLocked(session, "crash", countAsRestart: true);
            }

            _logger.LogWarning("Lean session {Id} exited while idle; it will be replaced. {Stderr}", session.Id, session.Process?.RecentStderr);
            Pump();
        }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    private async Task RunJobAsync(PoolJob job, LeanSession session)
    {
        try
        {
            await job.RunAsync(session).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (job.Cancellation.IsCancellationRequested)
        {
            job.CompleteCanceled();
        }
        catch (ReplFailureException failure)
        {
            OnJobSessionFailed(job, session, failure);
            Pump();
            return;
        }
        catch (LeanHeaderException e)
        {
            job.CompleteUnavailable(e.Message);
        }
        catch (Exception e)
        {
            _logger.LogError(e, "Lean work failed unexpectedly in session {Id}.", session.Id);
            job.CompleteWithException(e);
        }

        lock (_gate)
        {
            if (_sessions.Contains(session))
            {
                session.State = LeanSessionState.Warm;
                session.LastUsedTimestamp = Stopwatch.GetTimestamp();
                if (session.RestartRequested)
                {
                    RemoveLocked(session, "restart", countAsRestart: true);
                }
                else if (!session.IsUsable)
                {
                    RemoveLocked(session, "crash", countAsRestart: true);
                }
                else if (session.RequestsServed >= _options.CurrentValue.RecycleAfterRequests)
                {
                    RemoveLocked(session, "recycle", countAsRestart: true);
                }
            }
        }

        Pump();
    }

    private void OnJobSessionFailed(PoolJob job, LeanSession session, ReplFailureException failure)
    {
        bool retry;
        lock (_gate)
        {
            var reason = failure.Kind switch
            {
                ReplFailureKind.Timeout => "timeout",
                ReplFailureKind.MemoryLimit => "memory",
                _ => "crash",
            };
            RemoveLocked(session, session.RestartRequested ? "restart" : reason, countAsRestart: true);
            retry = !_disposed && (session.RestartRequested || failure.Kind != ReplFailureKind.Timeout && job.Retries < 1);
            if (retry)
            {
                if (!session.RestartRequested)
                {
                    job.Retries++;
                }

                (job.Priority == RequestPriority.Interactive ? _interactive : _background).AddFirst(job);
            }
        }

        _logger.LogWarning("Lean session {Id} failed ({Kind}): {Message} The work {Action}.", session.Id, failure.Kind, failure.Message, retry ? "is retried on a fresh session" : "fails");
        if (retry)
        {
            return;
        }

        if (_disposed)
        {
            job.CompleteUnavailable("The Lean sessions were shut down.");
        }
        else
        {
            job.CompleteWithFailure(failure);
        }
    }

    /// <summary>Removes a session from the pool and stops its process tree in the background.</summary>
    private void RemoveLocked(LeanSession session, string reason, bool countAsRestart)
    {
        if (!_sessions.Remove(session))
        {
            return;
        }

        if (countAsRestart)
        {
            _restarts++;
            _restartCounter?.Add(1, new KeyValuePair<string, object?>("reason", reason));
        }

        _logger.LogInformation("Lean session {Id} stopped ({Reason}).", session.Id, reason);
        if (session.Process is { } process)
        {
            RunObserved(async () => await process.DisposeAsync().ConfigureAwait(false), $"stopping Lean session {session.Id}");
        }
    }

    // ---------------------------------------------------------------- maintenance

    private void Maintain()
    {
        try
        {
            LeanSession[] sessions;
            lock (_gate)
            {
                if (_disposed)
                {
                    return;
                }

                sessions = [.. _sessions];
            }

            var options = _options.CurrentValue;
            var limit = options.EffectiveMemoryLimitBytes;

            // One reading of the process table for all sessions (on macOS each reading runs ps).
            var table = sessions.Length > 0 ? ProcessTree.Read() : null;
            foreach (var session in sessions)
            {
                if (session.Process is not { IsUsable: true } process || process.GetResidentBytes(table) is var bytes && bytes <= limit)
                {
                    continue;
                }

                var message = $"The REPL process used {bytes / (1024 * 1024)} MB, above the limit of {limit / (1024 * 1024)} MB (leanAssist.repl.memoryLimitMegabytes).";
                lock (_gate)
                {
                    if (session.State == LeanSessionState.Warm)
                    {
                        RemoveLocked(session, "memory", countAsRestart: true);
                        continue;
                    }
                }

                // Working: kill it; its job is retried once on a fresh session.
                process.Kill(new ReplFailureException(ReplFailureKind.MemoryLimit, message));
            }

            lock (_gate)
            {
                // Retired groups nothing has used for a while: their outcomes and pickles are of a stale build.
                var grace = RetiredGroupGrace;
                foreach (var group in _groups.Values.Where(g => g.Retired).ToList())
                {
                    if (!_sessions.Any(s => s.Group == group) && !_interactive.Concat(_background).Any(j => j.Group == group)
                        && Stopwatch.GetElapsedTime(group.LastUsedTimestamp) > grace)
                    {
                        ForgetGroupLocked(group);
                    }
                }

                ReleaseIdleGroupsLocked();
            }

            if (options.IdleMinutes > 0)
            {
                lock (_gate)
                {
                    var idleFor = TimeSpan.FromMinutes(options.IdleMinutes);
                    foreach (var group in _groups.Values)
                    {
                        var members = _sessions.Where(s => s.Group == group).ToList();
                        if (members.Count > 0 && members.All(s => s.State == LeanSessionState.Warm)
                            && Stopwatch.GetElapsedTime(group.LastUsedTimestamp) > idleFor
                            && !_interactive.Concat(_background).Any(j => j.Group == group))
                        {
                            group.DesiredSessions = 0;
                            foreach (var session in members)
                            {
                                RemoveLocked(session, "idle", countAsRestart: false);
                            }
                        }
                    }
                }
            }

            Pump();
        }
        catch (Exception e)
        {
            _logger.LogError(e, "Lean session maintenance failed.");
        }
    }

    private void OnOptionsChanged(ReplOptions options, string? name)
    {
        // At once rather than on next use: switching persistence off must close the store now.
        UpdateOutcomeStore(options);
        if (options.Command != _lastCommand)
        {
            _lastCommand = options.Command;
            _logger.LogInformation("The REPL command changed; restarting the Lean sessions.");
            lock (_gate)
            {
                foreach (var group in _groups.Values)
                {
                    try
                    {
                        group.Launch = _launcher.Resolve(group.Key.ProjectRoot).Launch;
                    }
                    catch (LeanUnavailableException e)
                    {
                        _logger.LogWarning("The new REPL command cannot be used for {Root}: {Message}", group.Key.ProjectRoot, e.Message);
                    }
                }
            }

            RunObserved(() => RestartAllAsync(CancellationToken.None), "restarting the Lean sessions after the REPL command changed");
            return;
        }

        lock (_gate)
        {
            // Groups in use follow a new session count at once (started or retired by Pump).
            foreach (var group in _groups.Values.Where(g => g.DesiredSessions > 0))
            {
                group.DesiredSessions = options.EffectiveSessions;
            }
        }

        Pump();
    }

    // ---------------------------------------------------------------- groups and snapshots

    /// <summary>
    /// Splits the text and fingerprints its header, including the current state of what it imports (a few
    /// stat calls: see <see cref="LeanHeaderDependencies"/>). The observation number, taken after looking at
    /// the disk, orders what was seen: a higher number saw the same build or a newer one.
    /// </summary>
    private (LeanFileSnapshot Snapshot, long Observed, string HeaderText) Observe(ReplLaunchPlan plan, SourceText text)
    {
        // Read once: the options in the fingerprint are the ones the sessions apply (see LakeLeanOptions).
        var leanOptions = LakeLeanOptions.Read(plan.ProjectRoot);
        var snapshot = LeanFileSnapshot.Create(text, plan.Toolchain, header => LeanHeaderDependencies.Describe(plan.ProjectRoot, header.Modules, leanOptions));
        return (snapshot, Interlocked.Increment(ref _observations), LakeLeanOptions.ApplyToHeader(snapshot.HeaderText, leanOptions));
    }

    /// <param name="headerText">What the sessions send first: the header, and the lakefile's options (see <see cref="LakeLeanOptions.ApplyToHeader"/>).</param>
    private SessionGroup GetOrCreateGroup(ReplLaunchPlan plan, LeanFileSnapshot snapshot, long observed, string headerText, int desiredSessions)
    {
        var key = new SessionGroupKey(plan.ProjectRoot, snapshot.HeaderFingerprint);
        // Without the state of their build: groups sharing it are one header at different builds, and only the newest is kept warm.
        var imports = LeanHeaderDependencies.NormalizeRoot(plan.ProjectRoot) + "\n" + snapshot.Layout.Header.ImportsText;
        lock (_gate)
        {
            ThrowIfDisposed();
            if (!_groups.TryGetValue(key, out var group))
            {
                group = new SessionGroup(key, plan.Launch, headerText, OutcomeStore);
                _groups[key] = group;
            }

            if (!_newestBuild.TryGetValue(imports, out var newest) || observed >= newest.Observed)
            {
                // The newest build of these imports: sessions of an older build hold a stale environment.
                if (newest.Group is { } older && older != group)
                {
                    RetireLocked(older);
                }

                group.Retired = false;
                _newestBuild[imports] = (group, observed);
            }
            else if (newest.Group != group)
            {
                // Seen before a newer build was (a load that raced a rebuild): serve it, keep nothing warm for it.
                group.Retired = true;
            }

            group.DesiredSessions = group.Retired ? 0 : Math.Max(group.DesiredSessions, desiredSessions);
            group.LastUsedTimestamp = Stopwatch.GetTimestamp();
            if (group.ConsecutiveStartFailures >= 2)
            {
                // A new request is a new chance (the user may have fixed the imports or built the project).
                group.ConsecutiveStartFailures = 0;
            }

            return group;
        }
    }

    /// <summary>Stops keeping <paramref name="group"/> warm; <see cref="Pump"/> stops its idle sessions, <see cref="Maintain"/> drops it once unused.</summary>
    private void RetireLocked(SessionGroup group)
    {
        if (!group.Retired)
        {
            _logger.LogInformation("What {Group} imports was rebuilt or changed; its sessions are replaced by fresh ones.", group.Key);
        }

        group.Retired = true;
        group.DesiredSessions = 0;
        group.PickledProofStates.Clear();
    }

    /// <summary>
    /// The disk store of command outcomes for the settings in effect now (see <see cref="ReplOptions.PersistOutcomes"/>
    /// and <see cref="ReplOptions.OutcomeCacheDirectory"/>), or null. Asked on every use, like the other caches'
    /// stores, so settings that arrive after the pool was built (the editor sends them with or after
    /// <c>initialize</c>) or change later are what count.
    /// </summary>
    private SqliteCacheStore? OutcomeStore() => UpdateOutcomeStore(_options.CurrentValue);

    /// <summary>Opens, reopens (another directory) or closes (persistence switched off) the outcome store to match <paramref name="options"/>.</summary>
    private SqliteCacheStore? UpdateOutcomeStore(ReplOptions options)
    {
        var path = options.PersistOutcomes ? Path.Combine(LeanAssistDirectories.Resolve(options.OutcomeCacheDirectory, "lean-outcomes"), "outcomes.db") : null;
        return _outcomeStores.For(path, _ =>
        {
            if (path is null)
            {
                _logger.LogInformation("Lean command outcomes are no longer kept on disk.");
            }
            else
            {
                _logger.LogInformation("Lean command outcomes are kept in {Path}.", path);
            }
        });
    }

    private static SqliteCacheStore? OpenOutcomeStore(string path, ILogger logger)
    {
        try
        {
            // Version 2: fingerprints include the project and the build of the imports; version 1 entries may be stale.
            return new SqliteCacheStore(new SqliteCacheStoreOptions(path, CommandOutcomeCache.StoreKind, CommandOutcomeCache.StoreSchemaVersion, MaxEntries: 200_000), TimeProvider.System, logger);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            logger.LogWarning(e, "Command outcomes will not be kept across restarts: {Path} cannot be used.", path);
            return null;
        }
    }

    private LeanPoolSnapshot SnapshotLocked()
    {
        var now = Stopwatch.GetTimestamp();
        var sessions = _sessions.Select(s => new LeanSessionSnapshot(s.Id, s.Group.Key, s.State, s.Process?.ProcessId, s.RequestsServed, s.Age(now))).ToArray();
        return new LeanPoolSnapshot(
            sessions.Count(s => s.State == LeanSessionState.Warm),
            sessions.Count(s => s.State == LeanSessionState.Starting),
            sessions.Count(s => s.State == LeanSessionState.Busy),
            _interactive.Count + _background.Count,
            _restarts,
            sessions);
    }

    private void RaiseSnapshotIfChanged()
    {
        if (SnapshotChanged is null)
        {
            return;
        }

        _ = Task.Run(async () =>
        {
            // One raiser at a time, always with the newest snapshot, so handlers see changes in order.
            await _snapshotEvents.WaitAsync().ConfigureAwait(false);
            try
            {
                var snapshot = Snapshot;
                if (!snapshot.SameCounts(_lastRaised))
                {
                    _lastRaised = snapshot;
                    SnapshotChanged?.Invoke(this, snapshot);
                }
            }
            catch (Exception e)
            {
                _logger.LogWarning(e, "A pool snapshot handler failed.");
            }
            finally
            {
                _snapshotEvents.Release();
            }
        });
    }

    private void ThrowIfDisposed()
    {
        if (_disposed)
        {
            throw new LeanUnavailableException(LeanUnavailableReason.ShutDown, "The Lean sessions have been shut down.");
        }
    }

    // ---------------------------------------------------------------- shutdown

    /// <summary>Fails waiting work, stops every session (closing stdin, then killing the process tree) and removes pickle files.</summary>
    public async ValueTask DisposeAsync()
    {
        var (sessions, jobs) = BeginShutdown();
        foreach (var job in jobs)
        {
            job.CompleteUnavailable("The Lean sessions were shut down.");
        }

        await Task.WhenAll(sessions.Where(s => s.Process is not null).Select(s => s.Process!.DisposeAsync().AsTask())).ConfigureAwait(false);
        await _maintenance.DisposeAsync().ConfigureAwait(false);
        CleanUp();
    }

    /// <summary>Synchronous shutdown: kills every process tree at once.</summary>
    public void Dispose()
    {
        var (sessions, jobs) = BeginShutdown();
        foreach (var job in jobs)
        {
            job.CompleteUnavailable("The Lean sessions were shut down.");
        }

        foreach (var session in sessions)
        {
            session.Process?.Dispose();
        }

        _maintenance.Dispose();
        CleanUp();
    }

    private (List<LeanSession> Sessions, List<PoolJob> Jobs) BeginShutdown()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return ([], []);
            }

            _disposed = true;
            var sessions = new List<LeanSession>(_sessions);
            var jobs = _interactive.Concat(_background).ToList();
            _sessions.Clear();
            _interactive.Clear();
            _background.Clear();
            _shutdown.Cancel();
            _logger.LogInformation("Shutting down {Count} Lean sessions.", sessions.Count);
            return (sessions, jobs);
        }
    }

    private void CleanUp()
    {
        _optionsSubscription?.Dispose();
        _outcomeStores.Dispose();
        try
        {
            if (Directory.Exists(_pickleDirectory))
            {
                Directory.Delete(_pickleDirectory, recursive: true);
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }

        RaiseSnapshotIfChanged();
    }
}
