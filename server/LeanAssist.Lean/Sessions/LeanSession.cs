using System.Collections.Immutable;
using System.Diagnostics;
using LeanAssist.Lean.Repl;
using LeanAssist.Lean.Source;

namespace LeanAssist.Lean.Sessions;

/// <summary>Counts what a piece of work asked of Lean (requests and Lean's time), across sessions and threads.</summary>
internal sealed class LeanWorkCounters
{
    private long _requests;
    private long _leanTicks;

    public int Requests => (int)Interlocked.Read(ref _requests);

    public TimeSpan LeanTime => TimeSpan.FromTicks(Interlocked.Read(ref _leanTicks));

    public void Add(ReplExchange exchange)
    {
        Interlocked.Increment(ref _requests);
        Interlocked.Add(ref _leanTicks, exchange.LeanTime.Ticks);
    }
}

/// <summary>
/// One warm REPL process and what it holds: the header environment, the environment after each command
/// it has elaborated (by fingerprint), and the proof states of the sorries it has seen. Owned by the
/// pool, which gives it to one job at a time, so its state needs no locking.
/// </summary>
internal sealed class LeanSession(int id, SessionGroup group, long startedTimestamp)
{
    private readonly Dictionary<LeanFingerprint, int> _environmentAfter = [];
    private readonly Dictionary<LeanFingerprint, int?[]> _sorryProofStates = [];
    private readonly Dictionary<(LeanFingerprint, int), int> _transferredProofStates = [];
    private readonly Dictionary<string, int> _stepProofStates = new(StringComparer.Ordinal);

    public int Id { get; } = id;

    public SessionGroup Group { get; } = group;

    public ReplProcess? Process { get; set; }

    public Sessions.LeanSessionState State { get; set; } = Sessions.LeanSessionState.Starting;

    public long StartedTimestamp { get; } = startedTimestamp;

    public long LastUsedTimestamp { get; set; } = startedTimestamp;

    /// <summary>Set by "restart all": a failure caused by the restart is not charged to the job.</summary>
    public bool RestartRequested { get; set; }

    public bool IsUsable => Process is { IsUsable: true };

    public long RequestsServed => Process?.RequestsServed ?? 0;

    /// <summary>How many commands of <paramref name="chain"/> (from the start) this session has environments for: its affinity for work on that chain.</summary>
    public int CachedPrefixLength(ImmutableArray<LeanChainLink> chain, int upTo)
    {
        for (var j = Math.Min(upTo, chain.Length - 1); j >= 0; j--)
        {
            if (_environmentAfter.ContainsKey(chain[j].Fingerprint))
            {
                return j + 1;
            }
        }

        return 0;
    }

    public bool HasProofState(LeanProofStateHandle handle) =>
        handle.Steps.Count == 0
            ? _sorryProofStates.ContainsKey(handle.DeclarationFingerprint) || _transferredProofStates.ContainsKey((handle.DeclarationFingerprint, handle.SorryIndex))
            : _stepProofStates.ContainsKey(StepKey(handle, handle.Steps.Count));

    /// <summary>How many of the handle's steps this session has the state after (0: at most the sorry's own state).</summary>
    public int CachedStepCount(LeanProofStateHandle handle)
    {
        for (var n = handle.Steps.Count; n > 0; n--)
        {
            if (_stepProofStates.ContainsKey(StepKey(handle, n)))
            {
                return n;
            }
        }

        return 0;
    }

    /// <summary>Starts the process and imports the header (the one request sent without an environment).</summary>
    public async Task StartAsync(ReplLaunchSpec launch, Pool.ReplOptions options, Microsoft.Extensions.Logging.ILogger logger,
        System.Diagnostics.Metrics.Histogram<double>? requestDuration, CancellationToken cancellationToken)
    {
        Process = ReplProcess.Start(launch, options.MaxResponseBytes, logger, $"repl-{Id}", requestDuration);
        var exchange = await Process.SendAsync(new ReplCommandRequest(Group.HeaderText), options.HeaderTimeout, cancellationToken).ConfigureAwait(false);
        switch (exchange.Response)
        {
            case ReplCommandResponse { HasErrors: false } header:
                _environmentAfter[Group.Key.Header] = header.Env;
                break;
            case ReplCommandResponse header:
                throw new LeanHeaderException("Lean could not load the imports: " + string.Join("; ", header.Messages.Where(m => m.IsError).Select(m => m.Data)));
            case ReplErrorResponse error:
                throw new LeanHeaderException("Lean refused the imports: " + error.Message);
        }
    }

    /// <summary>Elaborates every command whose outcome is not cached yet, each on the environment after the one before.</summary>
    public async Task ElaborateAsync(ImmutableArray<LeanChainLink> chain, Pool.ReplOptions options, LeanWorkCounters counters, CancellationToken cancellationToken)
    {
        for (var k = 0; k < chain.Length; k++)
        {
            if (Group.Outcomes.Contains(chain[k].Fingerprint))
            {
                continue;
            }

            var environment = await EnsureEnvironmentAsync(chain, k - 1, options, counters, cancellationToken).ConfigureAwait(false);
            await RunCommandAsync(chain[k], environment, options, counters, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The environment after <c>chain[index]</c> (the header's for -1), elaborating what this session lacks from its longest cached prefix.</summary>
    public async Task<int> EnsureEnvironmentAsync(ImmutableArray<LeanChainLink> chain, int index, Pool.ReplOptions options, LeanWorkCounters counters, CancellationToken cancellationToken)
    {
        var cached = CachedPrefixLength(chain, index);
        var environment = cached == 0 ? _environmentAfter[Group.Key.Header] : _environmentAfter[chain[cached - 1].Fingerprint];
        for (var m = cached; m <= index; m++)
        {
            environment = await RunCommandAsync(chain[m], environment, options, counters, cancellationToken).ConfigureAwait(false);
        }

        return environment;
    }

    /// <summary>Runs one command on <paramref name="environment"/>; records the new environment, the outcome and the sorries' proof states.</summary>
    private async Task<int> RunCommandAsync(LeanChainLink link, int environment, Pool.ReplOptions options, LeanWorkCounters counters, CancellationToken cancellationToken)
    {
        ReplExchange exchange;
        try
        {
            exchange = await SendAsync(new ReplCommandRequest(link.SentText, environment), options.RequestTimeout, counters, cancellationToken).ConfigureAwait(false);
        }
        catch (ReplFailureException e) when (e.Kind == ReplFailureKind.Timeout)
        {
            // Say which command: a timeout is about the command, and the user can look at it.
            var firstLine = link.SentText.Split('\n', 2)[0];
            throw new ReplFailureException(e.Kind, $"{e.Message} It was elaborating: {(firstLine.Length > 120 ? firstLine[..120] + "…" : firstLine)}", e);
        }

        switch (exchange.Response)
        {
            case ReplCommandResponse response:
                _environmentAfter[link.Fingerprint] = response.Env;
                _sorryProofStates[link.Fingerprint] = response.Sorries.Select(s => s.ProofState).ToArray();
                Group.Outcomes.Set(link.Fingerprint, new CommandOutcome(response.Messages, response.Sorries, null, exchange.LeanTime));
                return response.Env;
            case ReplErrorResponse error:
                // No environment came of it: the commands after it run on the one before.
                _environmentAfter[link.Fingerprint] = environment;
                _sorryProofStates[link.Fingerprint] = [];
                Group.Outcomes.Set(link.Fingerprint, new CommandOutcome([], [], error.Message, exchange.LeanTime));
                return environment;
            default:
                throw new ReplFailureException(ReplFailureKind.Protocol, "The REPL answered a command with a proof-state response.");
        }
    }

    /// <summary>
    /// The REPL id of the handle's proof state in this session, rebuilding it if needed: by replaying the
    /// declaration on its prefix environment, or by unpickling <paramref name="pickleFile"/> there.
    /// Null when Lean records no proof state for that sorry.
    /// </summary>
    public async Task<int?> EnsureProofStateAsync(LeanProofStateHandle handle, string? pickleFile, Pool.ReplOptions options, LeanWorkCounters counters, CancellationToken cancellationToken)
    {
        if (handle.Steps.Count == 0)
        {
            return await EnsureSorryProofStateAsync(handle, pickleFile, options, counters, cancellationToken).ConfigureAwait(false);
        }

        var cached = CachedStepCount(handle);
        int? state = cached > 0
            ? _stepProofStates[StepKey(handle, cached)]
            : await EnsureSorryProofStateAsync(handle, pickleFile, options, counters, cancellationToken).ConfigureAwait(false);
        for (var n = cached; n < handle.Steps.Count && state is { } id; n++)
        {
            // Replaying a step that worked before: anything but a new proof state means this session cannot rebuild it.
            var exchange = await SendAsync(new ReplTacticRequest(handle.Steps[n], id), options.RequestTimeout, counters, cancellationToken).ConfigureAwait(false);
            if (exchange.Response is not ReplTacticResponse { ProofStatus: { } status } step || status.StartsWith("Error", StringComparison.Ordinal)
                || step.Messages.Any(m => m.IsError))
            {
                throw new LeanHeaderException($"Session {Id} could not replay step {n + 1} (`{handle.Steps[n]}`) of a proof-search path.");
            }

            _stepProofStates[StepKey(handle, n + 1)] = step.ProofState;
            state = step.ProofState;
        }

        return state;
    }

    private static string StepKey(LeanProofStateHandle handle, int count) =>
        string.Join('\u0000', handle.Steps.Take(count).Prepend(handle.SorryIndex.ToString(System.Globalization.CultureInfo.InvariantCulture)).Prepend(handle.DeclarationFingerprint.Value));

    private async Task<int?> EnsureSorryProofStateAsync(LeanProofStateHandle handle, string? pickleFile, Pool.ReplOptions options, LeanWorkCounters counters, CancellationToken cancellationToken)
    {
        var declaration = handle.DeclarationFingerprint;
        if (_transferredProofStates.TryGetValue((declaration, handle.SorryIndex), out var transferred))
        {
            return transferred;
        }

        if (!_sorryProofStates.ContainsKey(declaration))
        {
            if (pickleFile is not null)
            {
                var environment = await EnsureEnvironmentAsync(handle.Chain, handle.DeclarationIndex - 1, options, counters, cancellationToken).ConfigureAwait(false);
                var exchange = await SendAsync(new ReplUnpickleProofStateRequest(pickleFile, environment), options.RequestTimeout, counters, cancellationToken).ConfigureAwait(false);
                if (exchange.Response is ReplTacticResponse unpickled)
                {
                    _transferredProofStates[(declaration, handle.SorryIndex)] = unpickled.ProofState;
                    return unpickled.ProofState;
                }

                // The pickle could not be read here: fall back to replaying.
            }

            await EnsureEnvironmentAsync(handle.Chain, handle.DeclarationIndex, options, counters, cancellationToken).ConfigureAwait(false);
        }

        var states = _sorryProofStates[declaration];
        if (handle.SorryIndex >= states.Length)
        {
            throw new LeanHeaderException($"The declaration elaborated with {states.Length} sorries in session {Id}, but the target is sorry {handle.SorryIndex + 1}.");
        }

        return states[handle.SorryIndex];
    }

    public async Task<ReplExchange> SendAsync(ReplRequest request, TimeSpan timeout, LeanWorkCounters counters, CancellationToken cancellationToken)
    {
        var process = Process ?? throw new InvalidOperationException("The session has not started.");
        var exchange = await process.SendAsync(request, timeout, cancellationToken).ConfigureAwait(false);
        counters.Add(exchange);
        return exchange;
    }

    public TimeSpan Age(long now) => Stopwatch.GetElapsedTime(StartedTimestamp, now);
}

/// <summary>The imports could not be loaded, or the session could not rebuild what was asked: not a crash, but the work cannot go on here.</summary>
internal sealed class LeanHeaderException(string message) : Exception(message);
