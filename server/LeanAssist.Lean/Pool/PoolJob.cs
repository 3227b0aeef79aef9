using LeanAssist.Lean.Repl;
using LeanAssist.Lean.Sessions;

namespace LeanAssist.Lean.Pool;

/// <summary>
/// A piece of work waiting for a session of its group. The pool picks the idle session with the highest
/// <see cref="Affinity"/> (the most of the work's environments already there), runs it, and on a session
/// failure either retries it once on a fresh session or completes it with a failure result: work is
/// never dropped and never reported as success.
/// </summary>
internal abstract class PoolJob(SessionGroup group, RequestPriority priority, CancellationToken cancellation)
{
    public SessionGroup Group { get; } = group;

    public RequestPriority Priority { get; } = priority;

    public CancellationToken Cancellation { get; } = cancellation;

    /// <summary>Runs that ended in a session failure (crash, garbage, memory) and were retried.</summary>
    public int Retries { get; set; }

    /// <summary>Session starts for this job's group that failed while it waited.</summary>
    public int StartFailures { get; set; }

    public abstract bool IsCompleted { get; }

    /// <summary>Keeps the pool informed of cancellation until the job completes (then the registration is released).</summary>
    public abstract void TrackCancellation(Action onCanceled);

    public abstract int Affinity(LeanSession session);

    public abstract Task RunAsync(LeanSession session);

    /// <summary>Completes with the result for a session failure that will not be retried.</summary>
    public abstract void CompleteWithFailure(ReplFailureException failure);

    /// <summary>Completes with the result for work that cannot run (sessions cannot start, shutdown).</summary>
    public abstract void CompleteUnavailable(string reason);

    public abstract void CompleteCanceled();

    public abstract void CompleteWithException(Exception exception);
}

/// <summary>A job producing a <typeparamref name="T"/>; failures become results through the given converters.</summary>
internal sealed class PoolJob<T>(
    SessionGroup group,
    RequestPriority priority,
    CancellationToken cancellation,
    Func<LeanSession, CancellationToken, Task<T>> work,
    Func<LeanSession, int> affinity,
    Func<ReplFailureException, T> onFailure,
    Func<string, T> onUnavailable) : PoolJob(group, priority, cancellation)
{
    private readonly TaskCompletionSource<T> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task<T> Completion => _completion.Task;

    public override bool IsCompleted => _completion.Task.IsCompleted;

    public override void TrackCancellation(Action onCanceled)
    {
        if (!Cancellation.CanBeCanceled)
        {
            return;
        }

        var registration = Cancellation.Register(onCanceled);
        _completion.Task.ContinueWith(_ => registration.Dispose(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    public override int Affinity(LeanSession session) => affinity(session);

    public override async Task RunAsync(LeanSession session) =>
        _completion.TrySetResult(await work(session, Cancellation).ConfigureAwait(false));

    public override void CompleteWithFailure(ReplFailureException failure) => _completion.TrySetResult(onFailure(failure));

    public override void CompleteUnavailable(string reason) => _completion.TrySetResult(onUnavailable(reason));

    public override void CompleteCanceled() => _completion.TrySetCanceled(Cancellation);

    public override void CompleteWithException(Exception exception) => _completion.TrySetException(exception);
}
