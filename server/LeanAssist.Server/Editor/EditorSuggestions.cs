using System.Collections.Concurrent;
using LeanAssist.Lean.Sessions;
using LeanAssist.Lean.Text;
using LeanAssist.Lean.Toolchain;
using LeanAssist.Protocol.JsonRpc;
using LeanAssist.Server.Documents;
using LeanAssist.Suggestions.Verification;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace LeanAssist.Server.Editor;

/// <summary>What is known for one version of a document: its loaded targets and the finished results.</summary>
public sealed record KnownSuggestions(int Version, LeanFileTargets File, IReadOnlyDictionary<string, TargetSuggestions> Results, IReadOnlySet<string> AskedLlm);

/// <summary>The outcome of an explicit suggestion request.</summary>
public sealed record EditorSuggestOutcome(DocumentSnapshot Snapshot, LeanTarget? Target, TargetSuggestions? Result);

/// <summary>Why Lean is not fully usable, for the status.</summary>
/// <param name="CannotRun">True when Lean cannot be used at all (not configured, or no session could start): an error, not a degradation.</param>
/// <param name="Reason">What the user reads, starting with "Lean".</param>
public sealed record LeanProblem(bool CannotRun, string Reason);

/// <summary>
/// TEST SEAMS: called at the points where concurrent requests used to slip through, so tests can put
/// a request exactly there. Null (nothing runs) outside tests.
/// </summary>
internal sealed class EditorSuggestionsTestHooks
{
    /// <summary>An explicit suggestion has read the document and is about to take the edit-cancellation token.</summary>
    public Action<string>? BeforeSuggestTakesEditToken { get; set; }

    /// <summary>A background run found nothing more to do and is about to end (argument: the document's URI).</summary>
    public Action<string>? BackgroundRanOutOfTargets { get; set; }
}

/// <summary>
/// Owns the suggestion state of every open Lean document: which version's targets are loaded, the
/// finished results (each valid for one version), and the background work that computes them. Edits
/// cancel work for older versions (swapping a CancellationTokenSource), background work waits for the
/// document to be idle, and nothing here ever makes an editor request wait: handlers read what is known.
/// </summary>
public sealed class EditorSuggestions : IDisposable
{
    /// <summary>Work a code action asks for is debounced this much (the cursor moves in bursts).</summary>
    private static readonly TimeSpan FocusDebounce = TimeSpan.FromMilliseconds(100);

    /// <summary>Positions remembered per document version: the newest ones matter, and the cursor can visit many.</summary>
    internal const int MaxFocusPositions = 32;

    /// <summary>
    /// How often a loaded version's imports are checked for a rebuild (a manifest read and a few stats), so
    /// results of a stale build are dropped even when the document itself is not edited. Bounded so that
    /// code actions, asked on every cursor move, do not start one each time.
    /// </summary>
    internal static readonly TimeSpan DependencyCheckInterval = TimeSpan.FromSeconds(2);

    private readonly DocumentStore _documents;
    private readonly SuggestionService _suggestions;
    private readonly ILeanSessionPool _pool;
    private readonly IOptionsMonitor<EditorOptions> _options;
    private readonly TimeProvider _time;
    private readonly ILogger<EditorSuggestions> _logger;
    private readonly ConcurrentDictionary<string, DocumentWork> _work = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _shutdown = new();
    private int _running;
    private string? _leanProblem;

    public EditorSuggestions(DocumentStore documents, SuggestionService suggestions, ILeanSessionPool pool, IOptionsMonitor<EditorOptions> options,
        TimeProvider time, ILogger<EditorSuggestions> logger)
    {
        _documents = documents;
        _suggestions = suggestions;
        _pool = pool;
        _options = options;
        _time = time;
        _logger = logger;
        documents.Changed += OnDocumentChanged;
    }

    /// <summary>Raised when results, running work or Lean's availability changed (the status follows it).</summary>
    public event Action? Changed;

    /// <summary>Suggestion runs in progress (background and explicit).</summary>
    public int Running => Volatile.Read(ref _running);

    internal EditorSuggestionsTestHooks TestHooks { get; } = new();

    /// <summary>How many code-action positions are remembered for the document (tests check it stays bounded).</summary>
    internal int FocusCount(string uri)
    {
        if (!_work.TryGetValue(uri, out var work))
        {
            return 0;
        }

        lock (work.Gate)
        {
            return work.Focus.Count;
        }
    }

    /// <summary>
    /// Why Lean is not fully usable now, or null: Lean not usable at all (cleared by the next load that
    /// reaches Lean), else the worst problem of the open documents' last loads (each cleared by that
    /// document's next clean load, or when it closes).
    /// </summary>
    public LeanProblem? LeanProblem
    {
        get
        {
            if (Volatile.Read(ref _leanProblem) is { } unavailable)
            {
                return new LeanProblem(CannotRun: true, "Lean: " + unavailable);
            }

            LeanProblem? worst = null;
            foreach (var work in _work.Values.OrderBy(w => w.Uri, StringComparer.Ordinal))
            {
                if (work.LoadProblem is { } problem && (worst is null || problem.CannotRun && !worst.CannotRun))
                {
                    worst = problem;
                }
            }

            return worst;
        }
    }

    /// <summary>
    /// What is known for exactly this version of the document, or null (never results of another version, nor of
    /// a build of its imports that has since been replaced: those are forgotten, and the next request reloads).
    /// </summary>
    /// <remarks>
    /// A rebuild is noticed by a check this starts in the background (see <see cref="DependencyCheckInterval"/>),
    /// so the request that starts it still answers from memory: code actions and hovers never wait on the disk.
    /// </remarks>
    public KnownSuggestions? Known(string uri, int version)
    {
        if (!_work.TryGetValue(uri, out var work))
        {
            return null;
        }

        LoadedFile loaded;
        KnownSuggestions known;
        lock (work.Gate)
        {
            if (work.Loaded is not { } current || current.Version != version)
            {
                return null;
            }

            loaded = current;
            known = new KnownSuggestions(version, loaded.File, new Dictionary<string, TargetSuggestions>(work.Results), new HashSet<string>(work.AskedLlm));
        }

        var now = _time.GetTimestamp();
        var checkedAt = Volatile.Read(ref loaded.DependenciesCheckedAt);
        // The exchange claims the check: of concurrent requests past the interval, one starts it.
        if (_time.GetElapsedTime(checkedAt, now) >= DependencyCheckInterval
            && Interlocked.CompareExchange(ref loaded.DependenciesCheckedAt, now, checkedAt) == checkedAt)
        {
            _ = Task.Run(() => ForgetIfImportsRebuilt(work, loaded));
        }

        return known;
    }

    /// <summary>Drops what was loaded on a build of the imports that has since been replaced (file-system calls: off the request path).</summary>
    private void ForgetIfImportsRebuilt(DocumentWork work, LoadedFile file)
    {
        try
        {
            // An imported module rebuilt (or the manifest changed) since the load.
            if (LeanHeaderDependencies.Describe(file.File.ProjectRoot, file.File.ImportedModules) == file.File.HeaderDependencies)
            {
                return;
            }

            lock (work.Gate)
            {
                if (work.Loaded == file)
                {
                    _logger.LogInformation("What {Uri} imports was rebuilt; its suggestions are computed again.", work.Uri);
                    work.Loaded = null;
                    work.Results.Clear();
                    work.AskedLlm.Clear();
                    work.BackgroundDone = true;
                }
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            _logger.LogError(e, "Checking whether what {Uri} imports was rebuilt failed.", work.Uri);
        }
    }

    /// <summary>
    /// Makes sure the target at <paramref name="position"/> of this version is being worked on, first,
    /// in the background (a code action asked and nothing was known). Returns at once.
    /// </summary>
    public void RequestInBackground(DocumentSnapshot snapshot, Utf16Position position, bool useLlm)
    {
        if (GetWork(snapshot) is not { } work)
        {
            return;
        }

        bool start;
        lock (work.Gate)
        {
            work.AddFocus(position, useLlm);
            // BackgroundDone is set under this lock in the same step in which a run finds nothing more to
            // do (NextTarget), so a run either still sees this focus or is already marked done here.
            start = work.BackgroundVersion != snapshot.Version || work.BackgroundDone;
        }

        if (start)
        {
            Schedule(work, snapshot, FocusDebounce, allTargets: _options.CurrentValue.Prefetch);
        }
    }

    /// <summary>
    /// Suggests for the target at <paramref name="position"/> now (the <c>leanAssist.suggest</c> command):
    /// loads the document if needed, runs the pipeline with progress, remembers the result for code actions.
    /// </summary>
    /// <exception cref="JsonRpcException">ContentModified when the document changed meanwhile (the result would be stale).</exception>
    public async Task<EditorSuggestOutcome> SuggestNowAsync(string uri, Utf16Position position, int? version, bool useLlm,
        IProgress<SuggestProgress>? progress, CancellationToken cancellationToken)
    {
        if (!_documents.TryGet(uri, out var snapshot))
        {
            throw new JsonRpcException(ErrorCodes.InvalidParams, $"{uri} is not open.");
        }

        if (version is { } expected && expected != snapshot.Version)
        {
            throw new JsonRpcException(ErrorCodes.ContentModified, $"{uri} is at version {snapshot.Version}, not {expected}.");
        }

        var work = GetWork(snapshot) ?? throw new JsonRpcException(ErrorCodes.InvalidParams, $"{uri} is not a Lean file on disk.");
        TestHooks.BeforeSuggestTakesEditToken?.Invoke(uri);
        CancellationToken edits;
        bool stale;
        lock (work.Gate)
        {
            edits = work.Edits.Token;
            // The token is cancelled only by edits after it was taken: an edit between reading the snapshot
            // and here would go unnoticed and the suggestion would run on old text. The store has the new
            // version before the edit swaps the token, so comparing versions now catches every such edit.
            stale = !_documents.TryGet(uri, out var current) || current.Version != snapshot.Version;
        }

        if (stale)
        {
            throw new JsonRpcException(ErrorCodes.ContentModified, $"{uri} changed before suggestions started; ask again on the new text.");
        }

        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, edits, _shutdown.Token);
        Interlocked.Increment(ref _running);
        Changed?.Invoke();
        try
        {
            var (request, file) = await LoadAsync(work, snapshot, RequestPriority.Interactive, linked.Token).ConfigureAwait(false);
            var target = TargetLocator.TargetsAt(file, position).FirstOrDefault();
            if (target is null)
            {
                return new EditorSuggestOutcome(snapshot, null, null);
            }

            var result = await _suggestions.SuggestAsync(request, file, target, new SuggestOptions(useLlm, RequestPriority.Interactive), progress, linked.Token).ConfigureAwait(false);
            Store(work, snapshot.Version, target, result, useLlm && _suggestions.LlmConfigured);
            return new EditorSuggestOutcome(snapshot, target, result);
        }
        catch (OperationCanceledException) when (edits.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new JsonRpcException(ErrorCodes.ContentModified, "The document changed while suggestions were computed; they were dropped.");
        }
        finally
        {
            Interlocked.Decrement(ref _running);
            Changed?.Invoke();
        }
    }

    /// <summary>Forgets every result and loaded state (after the caches were cleared or Lean was restarted), and starts over.</summary>
    public void Reset()
    {
        foreach (var work in _work.Values)
        {
            lock (work.Gate)
            {
                work.Loaded = null;
                work.Results.Clear();
                work.AskedLlm.Clear();
            }

            if (_documents.TryGet(work.Uri, out var snapshot))
            {
                Schedule(work, snapshot, TimeSpan.Zero, allTargets: _options.CurrentValue.Prefetch);
            }
        }

        Changed?.Invoke();
    }

    public void Dispose()
    {
        _documents.Changed -= OnDocumentChanged;
        _shutdown.Cancel();
        foreach (var work in _work.Values)
        {
            work.CancelAll();
        }
    }

    /// <summary>Runs on the serial document-sync path: only cancels, records and schedules.</summary>
    private void OnDocumentChanged(DocumentChange change)
    {
        var snapshot = change.Snapshot;
        if (change.Kind == DocumentChangeKind.Closed)
        {
            if (_work.TryRemove(snapshot.Uri, out var closed))
            {
                closed.CancelAll();
                if (closed.LoadProblem is not null)
                {
                    // Its problem no longer counts for the status.
                    Changed?.Invoke();
                }
            }

            return;
        }

        if (GetWork(snapshot) is not { } work)
        {
            return;
        }

        lock (work.Gate)
        {
            // Work for older versions is stale from here on.
            work.Edits.Cancel();
            work.Edits.Dispose();
            work.Edits = new CancellationTokenSource();
            work.Focus.Clear();
        }

        if (change.Kind == DocumentChangeKind.Opened)
        {
            // On the pool: the warm-up resolves the toolchain and hashes the manifest before its first await.
            _ = Task.Run(() => WarmUpAsync(work, snapshot));
        }

        var options = _options.CurrentValue;
        if (options.Prefetch)
        {
            Schedule(work, snapshot, options.PrefetchIdle, allTargets: true);
        }
    }

    private DocumentWork? GetWork(DocumentSnapshot snapshot)
    {
        if (!snapshot.IsLean || !Uri.TryCreate(snapshot.Uri, UriKind.Absolute, out var uri) || !uri.IsFile)
        {
            return null;
        }

        return _work.GetOrAdd(snapshot.Uri, _ => new DocumentWork(snapshot.Uri, uri.LocalPath, LeanProjectLocator.FindProjectRoot(uri.LocalPath)));
    }

    private async Task WarmUpAsync(DocumentWork work, DocumentSnapshot snapshot)
    {
        try
        {
            await _pool.WarmUpAsync(work.ProjectRoot, snapshot.Text, _shutdown.Token).ConfigureAwait(false);
        }
        catch (LeanUnavailableException e)
        {
            SetLeanProblem(e.Message);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            _logger.LogDebug(e, "Warm-up for {Uri} did not complete.", work.Uri);
        }
    }

    /// <summary>Starts (replacing any) background work for this version after <paramref name="delay"/>.</summary>
    private void Schedule(DocumentWork work, DocumentSnapshot snapshot, TimeSpan delay, bool allTargets)
    {
        CancellationTokenSource cancellation;
        lock (work.Gate)
        {
            work.Background?.Cancel();
            work.Background?.Dispose();
            work.Background = cancellation = CancellationTokenSource.CreateLinkedTokenSource(_shutdown.Token, work.Edits.Token);
            work.BackgroundVersion = snapshot.Version;
            work.BackgroundDone = false;
        }

        _ = Task.Run(() => RunBackgroundAsync(work, snapshot, delay, allTargets, cancellation));
    }

    /// <param name="run">This run's cancellation source: identifies the run, so only the current one marks the work done.</param>
    private async Task RunBackgroundAsync(DocumentWork work, DocumentSnapshot snapshot, TimeSpan delay, bool allTargets, CancellationTokenSource run)
    {
        CancellationToken cancellationToken;
        try
        {
            cancellationToken = run.Token;
        }
        catch (ObjectDisposedException)
        {
            // Replaced (and disposed) by a newer Schedule before this run began.
            return;
        }

        try
        {
            if (delay > TimeSpan.Zero)
            {
                await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
            }

            var (request, file) = await LoadAsync(work, snapshot, RequestPriority.Background, cancellationToken).ConfigureAwait(false);
            var useLlmInBackground = _options.CurrentValue.PrefetchWithLlm;
            while (NextTarget(work, run, snapshot.Version, file, allTargets, useLlmInBackground) is { } next)
            {
                Interlocked.Increment(ref _running);
                Changed?.Invoke();
                try
                {
                    var priority = next.Focused ? RequestPriority.Interactive : RequestPriority.Background;
                    var result = await _suggestions.SuggestAsync(request, file, next.Target, new SuggestOptions(next.UseLlm, priority), null, cancellationToken).ConfigureAwait(false);
                    Store(work, snapshot.Version, next.Target, result, next.UseLlm && _suggestions.LlmConfigured);
                }
                finally
                {
                    Interlocked.Decrement(ref _running);
                    Changed?.Invoke();
                }
            }

            TestHooks.BackgroundRanOutOfTargets?.Invoke(work.Uri);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // A newer version (or shutdown) took over.
        }
        catch (LeanUnavailableException e)
        {
            SetLeanProblem(e.Message);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            _logger.LogError(e, "Background suggestions for {Uri} failed.", work.Uri);
        }
        finally
        {
            // Ended by a failure or cancellation (a normal end was marked in NextTarget). Only while this run
            // is still the current one: a newer run's state is not this run's to change.
            lock (work.Gate)
            {
                if (work.Background == run)
                {
                    work.BackgroundDone = true;
                }
            }
        }
    }

    /// <summary>
    /// Focused targets first (what code actions asked about, newest first), then, when prefetching, the rest
    /// in file order. Returning null ends the run, so that is marked here, under the same lock as
    /// RequestInBackground's check: a focus added after this sees the run done and starts a new one.
    /// </summary>
    private static (LeanTarget Target, bool UseLlm, bool Focused)? NextTarget(DocumentWork work, CancellationTokenSource run, int version, LeanFileTargets file, bool allTargets, bool useLlmInBackground)
    {
        lock (work.Gate)
        {
            var next = NextTargetLocked(work, version, file, allTargets, useLlmInBackground);
            if (next is null && work.Background == run)
            {
                work.BackgroundDone = true;
            }

            return next;
        }
    }

    /// <summary>The next target to work on, or null. Call under the work's lock.</summary>
    private static (LeanTarget Target, bool UseLlm, bool Focused)? NextTargetLocked(DocumentWork work, int version, LeanFileTargets file, bool allTargets, bool useLlmInBackground)
    {
        if (work.Loaded?.Version != version)
        {
            return null;
        }

        foreach (var (position, useLlm) in work.Focus)
        {
            foreach (var target in TargetLocator.TargetsAt(file, position))
            {
                var wantsLlm = useLlm || useLlmInBackground;
                if (!work.Results.ContainsKey(target.Id) || wantsLlm && !work.AskedLlm.Contains(target.Id))
                {
                    return (target, wantsLlm, true);
                }
            }
        }

        if (!allTargets)
        {
            return null;
        }

        var pending = file.Targets.FirstOrDefault(t => !work.Results.ContainsKey(t.Id));
        return pending is null ? null : (pending, useLlmInBackground, false);
    }

    /// <summary>The targets of this version, loading them (and carrying over results that are still valid) if needed.</summary>
    private async Task<(LeanFileRequest Request, LeanFileTargets File)> LoadAsync(DocumentWork work, DocumentSnapshot snapshot, RequestPriority priority, CancellationToken cancellationToken)
    {
        var request = new LeanFileRequest(work.ProjectRoot, work.Path, snapshot.Text, priority);
        lock (work.Gate)
        {
            if (work.Loaded is { } loaded && loaded.Version == snapshot.Version)
            {
                return (request, loaded.File);
            }
        }

        var file = await _suggestions.LoadAsync(request, cancellationToken).ConfigureAwait(false);
        // The load reached Lean's pool (so Lean is configured); what Lean then did is this file's problem.
        SetLeanProblem(null);
        SetLoadProblem(work, file);
        lock (work.Gate)
        {
            if (_documents.TryGet(work.Uri, out var current) && current.Version == snapshot.Version && work.Loaded?.Version != snapshot.Version)
            {
                // A result stays valid when its target is the same (same declaration and everything above):
                // its position may have moved (comments edited above), so it is re-anchored on the new target.
                var carried = new Dictionary<string, TargetSuggestions>();
                foreach (var target in file.Targets)
                {
                    if (work.Results.TryGetValue(target.Id, out var old) && Rebase(old, target) is { } rebased)
                    {
                        carried[target.Id] = rebased;
                    }
                }

                work.Results = carried;
                work.AskedLlm.IntersectWith(carried.Keys);
                work.Loaded = new LoadedFile(snapshot.Version, file, _time.GetTimestamp());
            }
        }

        Changed?.Invoke();
        return (request, file);
    }

    private static TargetSuggestions? Rebase(TargetSuggestions result, LeanTarget target) =>
        result.EditPlan.InsertsAfterBlock
            ? (result.Target.Range == target.Range ? result with { Target = target } : null)
            : result with { Target = target, EditPlan = TargetEditPlan.ReplaceSorry(target.Range) };

    private void Store(DocumentWork work, int version, LeanTarget target, TargetSuggestions result, bool usedLlm)
    {
        lock (work.Gate)
        {
            if (work.Loaded?.Version != version)
            {
                return;
            }

            work.Results[target.Id] = result;
            if (usedLlm)
            {
                work.AskedLlm.Add(target.Id);
            }
        }

        Changed?.Invoke();
    }

    private void SetLeanProblem(string? problem)
    {
        if (Interlocked.Exchange(ref _leanProblem, problem) != problem)
        {
            Changed?.Invoke();
        }
    }

    /// <summary>
    /// Records how the document's last load went: loading never throws for what Lean did (a session that
    /// cannot start, imports that fail, a command that times out), so this is where the status learns of it.
    /// </summary>
    private void SetLoadProblem(DocumentWork work, LeanFileTargets file)
    {
        var name = System.IO.Path.GetFileName(work.Path);
        var detail = file.Problems.Count > 0 ? string.Join(" ", file.Problems) : "Lean did not finish loading the file.";
        var problem = file.Failure switch
        {
            LeanLoadFailure.None => null,
            LeanLoadFailure.NotStarted => new LeanProblem(CannotRun: true, $"Lean ({name}): {detail}"),
            _ => new LeanProblem(CannotRun: false, $"Lean ({name}): {detail}"),
        };
        if (work.ExchangeLoadProblem(problem) != problem)
        {
            Changed?.Invoke();
        }
    }

    private sealed class LoadedFile(int version, LeanFileTargets file, long loadedAt)
    {
        public int Version { get; } = version;

        public LeanFileTargets File { get; } = file;

        /// <summary>When a comparison of the build of its imports with the one it was loaded on was last started (a timestamp of the server's clock).</summary>
        public long DependenciesCheckedAt = loadedAt;
    }

    private sealed class DocumentWork(string uri, string path, string? projectRoot)
    {
        public Lock Gate { get; } = new();

        public string Uri { get; } = uri;

        public string Path { get; } = path;

        public string? ProjectRoot { get; } = projectRoot;

        public LoadedFile? Loaded { get; set; }

        public Dictionary<string, TargetSuggestions> Results { get; set; } = new(StringComparer.Ordinal);

        public HashSet<string> AskedLlm { get; } = new(StringComparer.Ordinal);

        /// <summary>
        /// Positions code actions asked about in this version, newest first, and whether the LLM may be used
        /// for them. Each position is kept once (a lightbulb asks again and again at the same place) and at
        /// most <see cref="MaxFocusPositions"/> are kept. Change under <see cref="Gate"/>.
        /// </summary>
        public List<(Utf16Position Position, bool UseLlm)> Focus { get; } = [];

        private LeanProblem? _loadProblem;

        /// <summary>What went wrong in the last load of this document, or null.</summary>
        public LeanProblem? LoadProblem => Volatile.Read(ref _loadProblem);

        public LeanProblem? ExchangeLoadProblem(LeanProblem? problem) => Interlocked.Exchange(ref _loadProblem, problem);

        /// <summary>Puts the position first; asking for the LLM once keeps it asked for that position in this version.</summary>
        public void AddFocus(Utf16Position position, bool useLlm)
        {
            var existing = Focus.FindIndex(f => f.Position == position);
            if (existing >= 0)
            {
                useLlm |= Focus[existing].UseLlm;
                Focus.RemoveAt(existing);
            }

            Focus.Insert(0, (position, useLlm));
            if (Focus.Count > MaxFocusPositions)
            {
                Focus.RemoveRange(MaxFocusPositions, Focus.Count - MaxFocusPositions);
            }
        }

        /// <summary>Cancelled by every edit: work for the text before it is stale.</summary>
        public CancellationTokenSource Edits { get; set; } = new();

        public CancellationTokenSource? Background { get; set; }

        public int BackgroundVersion { get; set; } = -1;

        public bool BackgroundDone { get; set; } = true;

        public void CancelAll()
        {
            lock (Gate)
            {
                Edits.Cancel();
                Background?.Cancel();
            }
        }
    }
}
