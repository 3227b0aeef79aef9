using System.Collections.Concurrent;
using LeanAssist.Lean.Repl;
using LeanAssist.Lean.Source;

namespace LeanAssist.Lean.Sessions;

/// <summary>
/// What Lean said about one command (positions relative to the command's sent text). The same in every
/// session of a group, because the fingerprint names the whole text above the command.
/// </summary>
/// <param name="Rejection">Set when the REPL refused the command (<c>{"message": ...}</c>): it produced no environment.</param>
/// <param name="LeanTime">How long Lean took to elaborate it (decides how a proof state is best moved to another session).</param>
internal sealed record CommandOutcome(IReadOnlyList<ReplMessage> Messages, IReadOnlyList<ReplSorry> Sorries, string? Rejection, TimeSpan LeanTime);

/// <summary>
/// The outcomes of a group's commands by fingerprint, shared by its sessions (bounded: the oldest entries
/// are dropped first). A hit means no Lean request at all.
/// </summary>
internal sealed class CommandOutcomeCache(int capacity = 50_000)
{
    private readonly ConcurrentDictionary<LeanFingerprint, CommandOutcome> _outcomes = new();
    private readonly ConcurrentQueue<LeanFingerprint> _insertionOrder = new();

    public int Count => _outcomes.Count;

    public bool TryGet(LeanFingerprint fingerprint, out CommandOutcome outcome) => _outcomes.TryGetValue(fingerprint, out outcome!);

    public bool Contains(LeanFingerprint fingerprint) => _outcomes.ContainsKey(fingerprint);

    public void Set(LeanFingerprint fingerprint, CommandOutcome outcome)
    {
        if (_outcomes.TryAdd(fingerprint, outcome))
        {
            _insertionOrder.Enqueue(fingerprint);
            while (_outcomes.Count > capacity && _insertionOrder.TryDequeue(out var oldest))
            {
                _outcomes.TryRemove(oldest, out _);
            }
        }
    }

    public void Clear()
    {
        _outcomes.Clear();
        _insertionOrder.Clear();
    }
}
