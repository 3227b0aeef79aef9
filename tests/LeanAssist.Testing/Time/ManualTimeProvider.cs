namespace LeanAssist.Testing.Time;

/// <summary>
/// A clock tests move by hand (Microsoft.Extensions.TimeProvider.Testing is not available here). Timers created
/// through it (Task.Delay, CancellationTokenSource timeouts, Polly's delays and timeouts) fire only when
/// <see cref="Advance"/> passes their due time, so backoff, timeouts, circuit breaks and budget days are tested
/// without waiting. Local time is UTC.
/// </summary>
public sealed class ManualTimeProvider : TimeProvider
{
    private readonly Lock _gate = new();
    private readonly List<ManualTimer> _timers = [];
    private DateTimeOffset _now;
    private TaskCompletionSource _timersChanged = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public ManualTimeProvider(DateTimeOffset? start = null) =>
        _now = start ?? new DateTimeOffset(2025, 3, 14, 9, 0, 0, TimeSpan.Zero);

    public override DateTimeOffset GetUtcNow()
    {
        lock (_gate)
        {
            return _now;
        }
    }

    public override TimeZoneInfo LocalTimeZone => TimeZoneInfo.Utc;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override long GetTimestamp() => GetUtcNow().UtcTicks;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new ManualTimer(this, callback, state);
        timer.Change(dueTime, period);
        return timer;
    }

    /// <summary>How long until each active timer fires, soonest first.</summary>
    public IReadOnlyList<TimeSpan> PendingTimers
    {
        get
        {
            lock (_gate)
            {
                return _timers.Where(t => t.Due is not null).Select(t => t.Due!.Value - _now).Order().ToArray();
            }
        }
    }

    /// <summary>Moves the clock forward, firing every timer that falls due on the way, in order.</summary>
    public void Advance(TimeSpan by)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(by, TimeSpan.Zero);
        DateTimeOffset end;
        lock (_gate)
        {
            end = _now + by;
        }

        while (true)
        {
            ManualTimer? next;
            lock (_gate)
            {
                next = _timers.Where(t => t.Due is { } due && due <= end).MinBy(t => t.Due);
                if (next is null)
                {
                    _now = end;
                    return;
                }

                _now = next.Due!.Value;
                next.Due = next.Period is { } period && period > TimeSpan.Zero ? _now + period : null;
            }

            next.Fire();
        }
    }

    /// <summary>Advances exactly to the soonest pending timer and fires it.</summary>
    public TimeSpan AdvanceToNextTimer()
    {
        var next = PendingTimers.FirstOrDefault();
        Advance(next);
        return next;
    }

    /// <summary>Waits (in real time, up to <paramref name="timeout"/>) until a pending timer satisfies <paramref name="condition"/>.</summary>
    public async Task WaitForTimerAsync(Func<TimeSpan, bool> condition, TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        while (true)
        {
            Task changed;
            lock (_gate)
            {
                if (_timers.Any(t => t.Due is { } due && condition(due - _now)))
                {
                    return;
                }

                changed = _timersChanged.Task;
            }

            try
            {
                await changed.WaitAsync(deadline.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"No timer matching the condition was created within {timeout}. Pending: {string.Join(", ", PendingTimers)}.");
            }
        }
    }

    private void Changed(ManualTimer timer, DateTimeOffset? due, TimeSpan? period)
    {
        TaskCompletionSource signal;
        lock (_gate)
        {
            timer.Due = due is null ? null : due < _now ? _now : due;
            timer.Period = period;
            if (timer.Due is not null && !_timers.Contains(timer))
            {
                _timers.Add(timer);
            }
            else if (timer.Due is null)
            {
                _timers.Remove(timer);
            }

            signal = _timersChanged;
            _timersChanged = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        signal.TrySetResult();

        // A timer due now fires at once, as a real one would.
        if (due is { } d && d <= GetUtcNow())
        {
            Advance(TimeSpan.Zero);
        }
    }

    private sealed class ManualTimer(ManualTimeProvider owner, TimerCallback callback, object? state) : ITimer
    {
        public DateTimeOffset? Due { get; set; }

        public TimeSpan? Period { get; set; }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            owner.Changed(this, dueTime == Timeout.InfiniteTimeSpan ? null : owner.GetUtcNow() + dueTime, period == Timeout.InfiniteTimeSpan ? null : period);
            return true;
        }

        public void Fire() => callback(state);

        public void Dispose() => owner.Changed(this, null, null);

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
