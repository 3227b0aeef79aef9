using System.Collections.Concurrent;
using LeanAssist.Protocol.JsonRpc;

namespace LeanAssist.Protocol.Lsp;

/// <summary>
/// Reports work-done progress (<c>$/progress</c> begin, report, end) for one piece of work.
/// Uses the client's token from the request when it sent one, otherwise creates one with
/// <c>window/workDoneProgress/create</c>; does nothing when the client does not support progress.
/// Cancellation from the client's progress UI cancels <see cref="CancellationToken"/>.
/// </summary>
public sealed class WorkDoneProgress : IAsyncDisposable
{
    private readonly LanguageClient? _client;
    private readonly WorkDoneProgressRegistry? _registry;
    // Never disposed, on purpose: the registry may hand this object to window/workDoneProgress/cancel
    // just as the work ends, and Cancel on a disposed source throws (on the read loop). A source without
    // a timer, a link or a wait handle holds nothing that disposal would free.
    private readonly CancellationTokenSource _cancellation = new();
    private int _ended;

    private WorkDoneProgress(LanguageClient? client, WorkDoneProgressRegistry? registry, MessageId token)
    {
        _client = client;
        _registry = registry;
        Token = token;
    }

    public MessageId Token { get; }

    /// <summary>Cancelled when the user cancels the progress in the client.</summary>
    public CancellationToken CancellationToken => _cancellation.Token;

    public bool IsReported => _client is not null;

    public static async Task<WorkDoneProgress> BeginAsync(
        LanguageClient client,
        WorkDoneProgressRegistry registry,
        MessageId? clientToken,
        string title,
        bool cancellable,
        CancellationToken cancellationToken)
    {
        MessageId token;
        if (clientToken is { } given)
        {
            token = given;
        }
        else if (client.SupportsWorkDoneProgress)
        {
            token = MessageId.FromString($"leanassist/{Guid.NewGuid():N}");
            await client.CreateWorkDoneProgressAsync(token, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            return new WorkDoneProgress(null, null, MessageId.FromString("unreported"));
        }

        var progress = new WorkDoneProgress(client, registry, token);
        registry.Add(progress);
        await client.SendProgressAsync(token, new WorkDoneProgressValue("begin", Title: title, Cancellable: cancellable, Percentage: 0)).ConfigureAwait(false);
        return progress;
    }

    public ValueTask ReportAsync(string? message, int? percentage = null) =>
        _client is null || Volatile.Read(ref _ended) != 0
            ? ValueTask.CompletedTask
            : _client.SendProgressAsync(Token, new WorkDoneProgressValue("report", Message: message, Percentage: percentage is { } p ? Math.Clamp(p, 0, 100) : null));

    public async ValueTask EndAsync(string? message = null)
    {
        if (Interlocked.Exchange(ref _ended, 1) != 0)
        {
            return;
        }

        _registry?.Remove(this);
        if (_client is not null)
        {
            await _client.SendProgressAsync(Token, new WorkDoneProgressValue("end", Message: message)).ConfigureAwait(false);
        }
    }

    internal void Cancel() => _cancellation.Cancel();

    public ValueTask DisposeAsync() => EndAsync();
}

/// <summary>The progress reports in flight, so <c>window/workDoneProgress/cancel</c> can find them.</summary>
public sealed class WorkDoneProgressRegistry
{
    private readonly ConcurrentDictionary<MessageId, WorkDoneProgress> _active = new();

    internal void Add(WorkDoneProgress progress) => _active[progress.Token] = progress;

    /// <summary>Removes this progress only: a later one may already use the same client token.</summary>
    internal void Remove(WorkDoneProgress progress) => _active.TryRemove(KeyValuePair.Create(progress.Token, progress));

    public bool Cancel(MessageId token)
    {
        if (_active.TryGetValue(token, out var progress))
        {
            progress.Cancel();
            return true;
        }

        return false;
    }
}
