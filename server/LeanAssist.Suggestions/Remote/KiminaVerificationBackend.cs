using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using LeanAssist.Lean.Repl;
using LeanAssist.Lean.Sessions;
using LeanAssist.Lean.Source;
using LeanAssist.Lean.Text;
using LeanAssist.Lean.Toolchain;
using LeanAssist.Lean.Verdicts;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace LeanAssist.Suggestions.Remote;

/// <summary>
/// Verification on remote Kimina Lean Servers, behind the pool interface the pipeline and the editor use.
/// Kimina checks whole snippets, not proof states, so: loading a file checks the file once (its sorries and
/// "unsolved goals" become targets, as locally); running candidates checks, per candidate, the file's imports,
/// the commands above the declaration, and the declaration with the candidate in place of its sorry
/// (<see cref="DeclarationSnippet"/>), batched over the servers (<see cref="KiminaDispatcher"/>), each answer
/// judged by <see cref="RemoteDeclarationVerdicts"/>. A remote timeout is a timeout, and a server failure
/// "unavailable": neither is ever a verdict on the tactic.
/// </summary>
public sealed class KiminaVerificationBackend : ILeanSessionPool
{
    /// <summary>What names this backend in the status and the hover.</summary>
    public const string BackendName = "Kimina";

    /// <summary>The project root of the session group every handle of this backend names (no local path looks like it).</summary>
    public const string RemoteGroupRoot = "kimina://remote";

    /// <summary>How every toolchain identity of this backend starts (local ones are lean-toolchain contents).</summary>
    public const string ToolchainPrefix = "kimina:";

    /// <summary>How the detail of a remote timeout starts (the hover words it as not the tactic's failure).</summary>
    public const string RemoteTimeoutPrefix = "Remote timeout";

    /// <summary>Loaded files kept (a load is a whole-file check; the editor asks again for unchanged text).</summary>
    private const int LoadCacheEntries = 32;

    private readonly KiminaDispatcher _dispatcher;
    private readonly IOptionsMonitor<RemoteVerificationOptions> _options;
    private readonly ILogger<KiminaVerificationBackend> _logger;
    private readonly ConditionalWeakTable<LeanProofStateHandle, RemoteTarget> _targets = new();
    private readonly ConcurrentDictionary<string, LeanFileTargets> _loads = new(StringComparer.Ordinal);
    private long _snippetSequence;

    // Candidates whose declaration check (their run) just solved, until the pipeline confirms them; bounded below.
    private readonly ConcurrentDictionary<(LeanProofStateHandle, string), TimeSpan> _solved = new();

    public KiminaVerificationBackend(KiminaDispatcher dispatcher, IOptionsMonitor<RemoteVerificationOptions> options, ILogger<KiminaVerificationBackend> logger)
    {
        _dispatcher = dispatcher;
        _options = options;
        _logger = logger;
        _dispatcher.HealthChanged += RaiseSnapshotChanged;
    }

    public event EventHandler<LeanPoolSnapshot>? SnapshotChanged;

    /// <summary>Servers are "warm" when healthy; "busy" when they have work in flight; the queue is the snippets in flight.</summary>
    public LeanPoolSnapshot Snapshot
    {
        get
        {
            var servers = _dispatcher.Status();
            return new LeanPoolSnapshot(servers.Count(s => s.Healthy), 0, servers.Count(s => s.InFlight > 0), servers.Sum(s => s.InFlight), 0, []);
        }
    }

    /// <summary>The servers and their health, for the status.</summary>
    public IReadOnlyList<KiminaServerStatus> Servers => _dispatcher.Status();

    /// <summary>The toolchain identity every fingerprint and verdict key of this backend carries: never a local one.</summary>
    public string ToolchainIdentity
    {
        get
        {
            var kimina = _options.CurrentValue.Kimina;
            return string.IsNullOrWhiteSpace(kimina.Toolchain)
                ? ToolchainPrefix + string.Join(",", kimina.ServerUris().Select(u => u.AbsoluteUri).Order(StringComparer.Ordinal))
                : ToolchainPrefix + kimina.Toolchain.Trim();
        }
    }

    public async Task<LeanFileTargets> LoadFileAsync(LeanFileRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var toolchain = ToolchainIdentity;
        // The local project's dependency stamps, as a local load has them: the editor compares them to notice rebuilt
        // imports, and a remote server is assumed to serve the same project (docs/remote.md).
        var root = request.ProjectRoot ?? Environment.CurrentDirectory;
        var snapshot = LeanFileSnapshot.Create(request.Text, toolchain, header => LeanHeaderDependencies.Describe(root, header.Modules));
        var loadKey = LeanFingerprint.Compute("kimina-load", toolchain, request.Text.Text).Value;
        if (_loads.TryGetValue(loadKey, out var loaded))
        {
            return loaded;
        }

        if (snapshot.Commands.Count == 0)
        {
            return Assemble(root, snapshot, null, null, [], 0, TimeSpan.Zero);
        }

        var snippet = DeclarationSnippet.ForFile(snapshot);
        KiminaCheckResult result;
        try
        {
            result = (await _dispatcher.CheckAsync([new KiminaSnippet(NextId("file"), snippet.Code)], cancellationToken).ConfigureAwait(false))[0];
        }
        catch (Exception e) when (e is KiminaServerException or KiminaUnavailableException)
        {
            _logger.LogWarning("Kimina could not check {File}: {Error}", request.FilePath, e.Message);
            return Assemble(root, snapshot, null, null, [$"Kimina could not check the file: {e.Message}"], 0, TimeSpan.Zero) with { Failure = LeanLoadFailure.NotStarted };
        }

        RaiseSnapshotChanged();
        if (result.Response is null)
        {
            var failure = result.Error!.Contains("header", StringComparison.OrdinalIgnoreCase) ? LeanLoadFailure.Imports : LeanLoadFailure.Partial;
            return Assemble(root, snapshot, null, null, [$"Kimina: {result.Error}"], 1, result.Time) with { Failure = failure };
        }

        var targets = Assemble(root, snapshot, snippet, result.Response, [], 1, result.Time);
        if (_loads.Count >= LoadCacheEntries)
        {
            _loads.Clear();
        }

        _loads[loadKey] = targets;
        return targets;
    }

    public async Task<IReadOnlyList<TacticRun>> RunTacticsAsync(LeanProofStateHandle target, IReadOnlyList<string> tactics, RequestPriority priority, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(tactics);
        if (!_targets.TryGetValue(target, out var remote))
        {
            return tactics.Select(t => Unavailable(t, "this target was not loaded through the Kimina backend (reload the file)")).ToArray();
        }

        if (remote.SorriesInDeclaration > 1)
        {
            return tactics.Select(t => Unavailable(t,
                $"the declaration has {remote.SorriesInDeclaration} sorries; a remote check confirms a declaration only as a whole, so fill the others first")).ToArray();
        }

        var snippets = new (KiminaSnippet Snippet, DeclarationSnippet Layout)[tactics.Count];
        for (var i = 0; i < tactics.Count; i++)
        {
            var declaration = DeclarationSnippet.WithCandidate(remote.DeclarationText, remote.SorryStart, remote.SorryEnd, tactics[i]);
            var layout = DeclarationSnippet.ForDeclaration(remote.Snapshot, remote.DeclarationIndex, declaration);
            snippets[i] = (new KiminaSnippet(NextId("candidate"), layout.Code), layout);
        }

        var runs = new TacticRun[tactics.Count];
        var batches = Batches(tactics.Count);
        await Task.WhenAll(batches.Select(async batch =>
        {
            var outcome = await CheckBatchAsync(batch.Select(i => snippets[i].Snippet).ToArray(), cancellationToken).ConfigureAwait(false);
            foreach (var i in batch)
            {
                runs[i] = ToRun(tactics[i], snippets[i].Snippet.Id, snippets[i].Layout, outcome);
            }
        })).ConfigureAwait(false);
        if (_solved.Count > 4096)
        {
            _solved.Clear();
        }

        for (var i = 0; i < runs.Length; i++)
        {
            if (runs[i].Verdict.Kind == TacticVerdictKind.Solved)
            {
                _solved[(target, tactics[i])] = runs[i].LeanTime;
            }
        }

        RaiseSnapshotChanged();
        return runs;
    }

    /// <summary>
    /// The declaration check (issue 13's confirmation): remotely every candidate run already is one, so a candidate
    /// solved moments ago is confirmed from that answer; anything else is checked now.
    /// </summary>
    public async Task<DeclarationCheck> CheckDeclarationAsync(LeanProofStateHandle target, string tactic, RequestPriority priority, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        if (_solved.TryRemove((target, tactic), out var time))
        {
            return new DeclarationCheck(new DeclarationVerdict(DeclarationVerdictKind.Confirmed, null), time);
        }

        var run = (await RunTacticsAsync(target, [tactic], priority, cancellationToken).ConfigureAwait(false))[0];
        _solved.TryRemove((target, tactic), out _);
        var verdict = run.Verdict.Kind switch
        {
            TacticVerdictKind.Solved => new DeclarationVerdict(DeclarationVerdictKind.Confirmed, null),
            TacticVerdictKind.Failed => new DeclarationVerdict(DeclarationVerdictKind.Failed, run.Verdict.Detail),
            TacticVerdictKind.Timeout => DeclarationVerdict.NotChecked(run.Verdict.Detail ?? "Remote timeout.", timedOut: true),
            _ => DeclarationVerdict.NotChecked(run.Verdict.Detail ?? "Kimina could not check it."),
        };
        return new DeclarationCheck(verdict, run.LeanTime);
    }

    /// <summary>Kimina keeps its own warm REPLs per header (its INIT_REPLS); nothing to start here.</summary>
    public Task WarmUpAsync(string? projectRoot, SourceText text, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Forgets loaded files and closes every server's circuit, so the next checks try each server again.</summary>
    public Task RestartAllAsync(CancellationToken cancellationToken)
    {
        _loads.Clear();
        _dispatcher.Reset();
        return Task.CompletedTask;
    }

    public ValueTask DisposeAsync()
    {
        _dispatcher.HealthChanged -= RaiseSnapshotChanged;
        return ValueTask.CompletedTask;
    }

    /// <summary>Candidates split into batches: spread over the healthy servers (at least one batch each when there are enough), at most batchSize each.</summary>
    private List<int[]> Batches(int count)
    {
        var settings = _options.CurrentValue.Kimina;
        var healthy = Math.Max(1, _dispatcher.Status().Count(s => s.Healthy));
        var size = Math.Clamp((count + healthy - 1) / healthy, 1, settings.BatchSize);
        return Enumerable.Range(0, count).Chunk(size).ToList();
    }

    private async Task<BatchOutcome> CheckBatchAsync(IReadOnlyList<KiminaSnippet> batch, CancellationToken cancellationToken)
    {
        try
        {
            var results = await _dispatcher.CheckAsync(batch, cancellationToken).ConfigureAwait(false);
            return new BatchOutcome(results.ToDictionary(r => r.Id, StringComparer.Ordinal), null);
        }
        catch (Exception e) when (e is KiminaServerException or KiminaUnavailableException)
        {
            _logger.LogWarning("Kimina could not check {Count} candidates: {Error}", batch.Count, e.Message);
            return new BatchOutcome(null, e);
        }
    }

    private static TacticRun ToRun(string tactic, string id, DeclarationSnippet layout, BatchOutcome outcome)
    {
        if (outcome.Failure is KiminaServerException { Kind: KiminaFailureKind.Timeout } timeout)
        {
            return new TacticRun(tactic, TacticRunStatus.Timeout, null, null, TacticVerdict.Timeout($"{RemoteTimeoutPrefix} (says nothing about the tactic): {timeout.Message}"), TimeSpan.Zero, TimeSpan.Zero, 0);
        }

        if (outcome.Failure is { } failure)
        {
            return Unavailable(tactic, $"Kimina: {failure.Message}");
        }

        var result = outcome.Results![id];
        if (result.Response is null)
        {
            var error = result.Error ?? "no response";
            return error.Contains(KiminaWire.TimedOutFragment, StringComparison.Ordinal)
                ? new TacticRun(tactic, TacticRunStatus.Timeout, null, error, TacticVerdict.Timeout($"{RemoteTimeoutPrefix} (says nothing about the tactic): {error}"), result.Time, TimeSpan.Zero, 0)
                : new TacticRun(tactic, TacticRunStatus.Crash, null, error, TacticVerdict.Crash($"Kimina: {error}"), result.Time, TimeSpan.Zero, 0);
        }

        return new TacticRun(tactic, TacticRunStatus.Responded, null, null, RemoteDeclarationVerdicts.Classify(result.Response, layout.LastCommandLine), result.Time, TimeSpan.Zero, 0);
    }

    private static TacticRun Unavailable(string tactic, string why) =>
        new(tactic, TacticRunStatus.Unavailable, null, why, TacticVerdict.Unavailable(why), TimeSpan.Zero, TimeSpan.Zero, 0);

    /// <summary>Turns Kimina's answer for the whole file into the same targets and messages a local load gives.</summary>
    private LeanFileTargets Assemble(string root, LeanFileSnapshot snapshot, DeclarationSnippet? snippet, ReplCommandResponse? response, IReadOnlyList<string> problems, int requests, TimeSpan time)
    {
        var chain = snapshot.Commands.Select(c => new LeanChainLink(c.Fingerprint, c.SentText)).ToImmutableArray();
        var group = new SessionGroupKey(RemoteGroupRoot, snapshot.HeaderFingerprint);
        var commands = snapshot.Commands.Select(c => new LeanCommandInfo(c.Index, c.Source.Kind, c.Source.Keyword, c.Source.DeclarationName,
            snapshot.Text.GetRange(c.Source.Start, c.Source.End), c.Fingerprint, c.EnvironmentBefore)).ToArray();
        var messages = new List<LeanDocumentMessage>();
        var targets = new List<LeanTarget>();
        if (snippet is not null && response is not null)
        {
            var texts = new Dictionary<int, SourceText>();
            SourceText Sent(int index) => texts.TryGetValue(index, out var t) ? t : texts[index] = new SourceText(snapshot.Commands[index].SentText);

            foreach (var message in response.Messages)
            {
                if (!message.HasPosition || snippet.CommandAt(message.Pos.Line) is not { } index)
                {
                    messages.Add(new LeanDocumentMessage(message.Severity, null, null, null, message.Data, snapshot.HeaderFingerprint));
                    continue;
                }

                var command = snapshot.Commands[index];
                var start = Sent(index).GetOffset(snippet.InCommand(index, message.Pos));
                var end = Sent(index).GetOffset(snippet.InCommand(index, message.EndPos ?? message.Pos));
                var (range, leanStart, leanEnd) = snapshot.ToDocumentRange(command, start, end);
                messages.Add(new LeanDocumentMessage(message.Severity, range, leanStart, leanEnd, message.Data, command.Fingerprint));
                const string unsolved = "unsolved goals";
                if (message.IsError && message.Data.StartsWith(unsolved, StringComparison.Ordinal))
                {
                    targets.Add(new LeanTarget($"{command.Fingerprint}!{messages.Count - 1}", LeanTargetKind.UnsolvedGoals, message.Data[unsolved.Length..].TrimStart('\n'),
                        range, leanStart, leanEnd, command.EnvironmentBefore, command.Fingerprint, command.SentText, start, command.Source.DeclarationName, ProofState: null));
                }
            }

            var sorriesByCommand = response.Sorries
                .Where(s => s.Pos is { } p && snippet.CommandAt(p.Line) is not null)
                .GroupBy(s => snippet.CommandAt(s.Pos!.Value.Line)!.Value);
            foreach (var group_ in sorriesByCommand)
            {
                var index = group_.Key;
                var command = snapshot.Commands[index];
                var sorries = group_.ToArray();
                for (var i = 0; i < sorries.Length; i++)
                {
                    var sorry = sorries[i];
                    var start = Sent(index).GetOffset(snippet.InCommand(index, sorry.Pos!.Value));
                    var end = Sent(index).GetOffset(snippet.InCommand(index, sorry.EndPos ?? sorry.Pos!.Value));
                    var (range, leanStart, leanEnd) = snapshot.ToDocumentRange(command, start, end);
                    var handle = new LeanProofStateHandle(group, chain, index, i, [sorry.Goal]);
                    _targets.AddOrUpdate(handle, new RemoteTarget(snapshot, index, command.SentText, start, end, sorries.Length));
                    targets.Add(new LeanTarget($"{command.Fingerprint}#{i}", LeanTargetKind.Sorry, sorry.Goal, range, leanStart, leanEnd,
                        command.EnvironmentBefore, command.Fingerprint, command.SentText, start, command.Source.DeclarationName, handle));
                }
            }
        }

        var header = snapshot.Layout.Header;
        var complete = problems.Count == 0 && response is not null || snapshot.Commands.Count == 0;
        return new LeanFileTargets(
            root,
            snapshot.Toolchain,
            snapshot.HeaderFingerprint,
            snapshot.HeaderDependencies,
            header.Imports,
            header.Modules,
            snapshot.Text.GetRange(header.Start, header.End),
            commands,
            targets.OrderBy(t => t.Range.Start).ToArray(),
            messages,
            problems,
            complete,
            requests,
            time);
    }

    private string NextId(string kind) => $"leanassist-{kind}-{Interlocked.Increment(ref _snippetSequence)}";

    private void RaiseSnapshotChanged() => SnapshotChanged?.Invoke(this, Snapshot);

    /// <summary>What a proof-state handle of this backend stands for: the declaration and where its sorry is in its sent text.</summary>
    private sealed record RemoteTarget(LeanFileSnapshot Snapshot, int DeclarationIndex, string DeclarationText, int SorryStart, int SorryEnd, int SorriesInDeclaration);

    private sealed record BatchOutcome(Dictionary<string, KiminaCheckResult>? Results, Exception? Failure);
}
