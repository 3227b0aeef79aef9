using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Serialization;
using LeanAssist.Lean.Repl;
using LeanAssist.Lean.Source;
using LeanAssist.Lean.Storage;
using LeanAssist.Lean.Text;

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
/// are dropped first), optionally backed by a disk store shared by every group and process (the
/// fingerprint names toolchain, imports and all the text above, so entries cannot be confused). A hit
/// means no Lean request at all. Refusals (<c>{"message"}</c>) stay in memory: they may be transient.
/// </summary>
/// <param name="disk">
/// The disk store to use now, asked on every access rather than captured: the settings that decide it
/// (<c>repl.persistOutcomes</c>, <c>repl.outcomeCacheDirectory</c>) can arrive or change after the group
/// exists, and null means nothing goes to disk.
/// </param>
internal sealed class CommandOutcomeCache(Func<SqliteCacheStore?>? disk = null, int capacity = CommandOutcomeCache.DefaultCapacity)
{
    /// <summary>What the disk store holds (another kind in the file means it is rebuilt).</summary>
    public const string StoreKind = "lean-outcomes";

    /// <summary>The format of stored outcomes; 2 since fingerprints name the imports' build.</summary>
    public const int StoreSchemaVersion = 2;

    /// <summary>Outcomes one group keeps in memory (every edit adds the commands below it): a long day's edits stay bounded; the disk store keeps more.</summary>
    public const int DefaultCapacity = 20_000;

    public int MemoryCount => _outcomes.Count;

    private readonly ConcurrentDictionary<LeanFingerprint, CommandOutcome> _outcomes = new();
    private readonly ConcurrentQueue<LeanFingerprint> _insertionOrder = new();

    public bool TryGet(LeanFingerprint fingerprint, out CommandOutcome outcome)
    {
        if (_outcomes.TryGetValue(fingerprint, out outcome!))
        {
            return true;
        }

        if (OnDisk(store => store.Get(fingerprint.Value)) is { } bytes && StoredOutcome.Read(bytes) is { } stored)
        {
            outcome = stored;
            Remember(fingerprint, stored);
            return true;
        }

        return false;
    }

    public bool Contains(LeanFingerprint fingerprint) => TryGet(fingerprint, out _);

    public void Set(LeanFingerprint fingerprint, CommandOutcome outcome)
    {
        Remember(fingerprint, outcome);
        if (outcome.Rejection is null)
        {
            OnDisk(store =>
            {
                store.Set(fingerprint.Value, StoredOutcome.Write(outcome));
                return (byte[]?)null;
            });
        }
    }

    /// <summary>
    /// Forgets the outcomes held in memory. The disk store is shared by every group, so whoever forgets all
    /// groups' outcomes empties it once (see <see cref="Pool.LeanSessionPool.RestartAllAsync"/>).
    /// </summary>
    public void ClearMemory()
    {
        _outcomes.Clear();
        _insertionOrder.Clear();
    }

    /// <summary>Runs <paramref name="operation"/> on the current disk store, if there is one.</summary>
    private byte[]? OnDisk(Func<SqliteCacheStore, byte[]?> operation)
    {
        if (disk?.Invoke() is not { } store)
        {
            return null;
        }

        // A store a settings change closed meanwhile does not throw: it misses and drops writes, as if
        // persistence had been off this once.
        return operation(store);
    }

    private void Remember(LeanFingerprint fingerprint, CommandOutcome outcome)
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
}

/// <summary>The disk form of a <see cref="CommandOutcome"/>; anything unreadable is a miss.</summary>
internal sealed record StoredOutcome(
    [property: JsonPropertyName("messages")] List<StoredMessage> Messages,
    [property: JsonPropertyName("sorries")] List<StoredSorry> Sorries,
    [property: JsonPropertyName("leanMs")] double LeanMilliseconds)
{
    public static byte[] Write(CommandOutcome outcome) => JsonSerializer.SerializeToUtf8Bytes(
        new StoredOutcome(
            outcome.Messages.Select(m => new StoredMessage(m.Severity, Position.Of(m.Pos), m.EndPos is { } end ? Position.Of(end) : null, m.Data)).ToList(),
            outcome.Sorries.Select(s => new StoredSorry(s.Goal, s.ProofState, s.Pos is { } p ? Position.Of(p) : null, s.EndPos is { } e ? Position.Of(e) : null)).ToList(),
            outcome.LeanTime.TotalMilliseconds),
        StoredOutcomeJsonContext.Default.StoredOutcome);

    public static CommandOutcome? Read(byte[] bytes)
    {
        try
        {
            var stored = JsonSerializer.Deserialize(bytes, StoredOutcomeJsonContext.Default.StoredOutcome);
            if (stored?.Messages is null || stored.Sorries is null || stored.Messages.Any(m => m.Data is null) || stored.Sorries.Any(s => s.Goal is null))
            {
                return null;
            }

            return new CommandOutcome(
                stored.Messages.Select(m => new ReplMessage(m.Severity, m.Pos.ToLean(), m.EndPos?.ToLean(), m.Data)).ToArray(),
                stored.Sorries.Select(s => new ReplSorry(s.Goal, s.ProofState, s.Pos?.ToLean(), s.EndPos?.ToLean())).ToArray(),
                null,
                TimeSpan.FromMilliseconds(stored.LeanMilliseconds));
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

internal sealed record Position([property: JsonPropertyName("l")] int Line, [property: JsonPropertyName("c")] int Column)
{
    public static Position Of(LeanPosition position) => new(position.Line, position.Column);

    public LeanPosition ToLean() => new(Line, Column);
}

internal sealed record StoredMessage(
    [property: JsonPropertyName("severity")] ReplSeverity Severity,
    [property: JsonPropertyName("pos")] Position Pos,
    [property: JsonPropertyName("endPos")] Position? EndPos,
    [property: JsonPropertyName("data")] string Data);

internal sealed record StoredSorry(
    [property: JsonPropertyName("goal")] string Goal,
    [property: JsonPropertyName("proofState")] int? ProofState,
    [property: JsonPropertyName("pos")] Position? Pos,
    [property: JsonPropertyName("endPos")] Position? EndPos);

[JsonSerializable(typeof(StoredOutcome))]
[JsonSourceGenerationOptions(UseStringEnumConverter = true)]
internal sealed partial class StoredOutcomeJsonContext : JsonSerializerContext;
