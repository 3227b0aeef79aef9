using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Serialization;
using LeanAssist.Lean.Storage;
using LeanAssist.Lean.Source;
using LeanAssist.Lean.Verdicts;
using LeanAssist.Suggestions.Caching;
using LeanAssist.Suggestions.Candidates;
using LeanAssist.Suggestions.Verification;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace LeanAssist.Suggestions.Learning;

/// <summary>What happened when a tactic ran, as far as learning is concerned.</summary>
public enum LearnedOutcome
{
    Solved,
    Progress,
    Failed,
    TimedOut,
}

/// <summary>Why a tactic failed, coarsely (from Lean's message), to show which failures dominate.</summary>
public enum FailureCategory
{
    None,
    UnknownIdentifier,
    TypeMismatch,
    UnsolvedGoals,
    NoProgress,
    Sorry,
    Kernel,
    Syntax,
    Other,
}

/// <summary>The record for one (tactic head, goal features) pair.</summary>
public sealed record TacticStatistics(int Solved, int Progress, int Failed, int TimedOut, Dictionary<FailureCategory, int> Failures)
{
    public static TacticStatistics Empty => new(0, 0, 0, 0, []);

    public int Runs => Solved + Progress + Failed + TimedOut;

    /// <summary>Laplace-smoothed chance this tactic helps (solves or makes progress) on such a goal.</summary>
    public double SuccessRate => (Solved + 0.5 * Progress + 1.0) / (Runs + 2.0);
}

[JsonSerializable(typeof(TacticStatistics))]
[JsonSourceGenerationOptions(UseStringEnumConverter = true)]
internal sealed partial class LearningJsonContext : JsonSerializerContext;

/// <summary>
/// Error learning: remembers how each tactic fared on similar goals (persisted, so it survives
/// restarts), orders portfolio candidates by that experience, and skips ones that keep failing on
/// goals like this one. Only the portfolio is reordered this way; LLM candidates keep their order.
/// </summary>
public sealed class TacticOutcomeLearning : IDisposable
{
    public const string DiskFileName = "tactic-outcomes.db";
    public const int DiskSchemaVersion = 1;

    /// <summary>After this many failures with no success on similar goals, a portfolio tactic is skipped.</summary>
    public const int SkipAfterFailures = 4;

    private readonly ConcurrentDictionary<string, TacticStatistics> _memory = new(StringComparer.Ordinal);
    private readonly Func<string?> _directory;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<TacticOutcomeLearning> _logger;
    private readonly IDisposable? _optionsSubscription;
    private readonly SqliteStoreSlot _disk;

    /// <summary>Learning kept in <paramref name="directory"/> (empty: <c>learning</c> in the cache folder).</summary>
    public TacticOutcomeLearning(string? directory, TimeProvider timeProvider, ILogger<TacticOutcomeLearning> logger)
        : this(() => directory, timeProvider, logger, null)
    {
    }

    /// <summary>
    /// Learning kept where <c>leanAssist.learning.directory</c> says at the time of each use: the editor's
    /// settings may arrive after this service is built, and may change while it runs.
    /// </summary>
    public TacticOutcomeLearning(IOptionsMonitor<VerificationOptions> options, TimeProvider timeProvider, ILogger<TacticOutcomeLearning> logger)
        : this(() => options.CurrentValue.Learning.Directory, timeProvider, logger, options)
    {
    }

    private TacticOutcomeLearning(Func<string?> directory, TimeProvider timeProvider, ILogger<TacticOutcomeLearning> logger, IOptionsMonitor<VerificationOptions>? options)
    {
        _directory = directory;
        _timeProvider = timeProvider;
        _logger = logger;
        _disk = new SqliteStoreSlot(Open);
        // Nothing is opened here (see Disk); a change moves to the new directory at once, not on the next use.
        _optionsSubscription = options?.OnChange((_, _) => Disk());
    }

    /// <summary>The tactic's first word: <c>simp</c> for <c>simp only [h] at *</c>, <c>exact?</c>, <c>induction</c>.</summary>
    public static string Head(string tactic)
    {
        var tokens = LeanLexer.Tokenize(tactic);
        return tokens.Count == 0 ? string.Empty : tokens[0].GetText(tactic);
    }

    public TacticStatistics Get(string tactic, GoalFeatures features)
    {
        var key = Key(Head(tactic), features);
        if (_memory.TryGetValue(key, out var statistics))
        {
            return statistics;
        }

        var loaded = Load(key) ?? TacticStatistics.Empty;
        var kept = _memory.GetOrAdd(key, loaded);
        TrimMemory();
        return kept;
    }

    /// <summary>Entries kept in memory: every entry is also on disk (the memory is a read cache), so dropping some loses nothing but a lookup.</summary>
    public const int MaxMemoryEntries = 10_000;

    /// <summary>How many entries are in memory now (for tests and the soak benchmark).</summary>
    public int MemoryEntries => _memory.Count;

    /// <summary>Keeps the in-memory table bounded over a long editing day: past the limit, a quarter of it goes (it is reread from disk on need).</summary>
    private void TrimMemory()
    {
        if (_memory.Count <= MaxMemoryEntries)
        {
            return;
        }

        foreach (var key in _memory.Keys.Take(_memory.Count - (MaxMemoryEntries * 3 / 4)).ToArray())
        {
            _memory.TryRemove(key, out _);
        }
    }

    /// <summary>Records what Lean said of a tactic; verdicts that say nothing about it (rejected, refused, not run) are not learned.</summary>
    public void Record(string tactic, GoalFeatures features, TacticVerdict verdict)
    {
        LearnedOutcome? outcome = verdict.Kind switch
        {
            TacticVerdictKind.Solved => LearnedOutcome.Solved,
            TacticVerdictKind.Progress => LearnedOutcome.Progress,
            TacticVerdictKind.Failed => LearnedOutcome.Failed,
            TacticVerdictKind.Timeout => LearnedOutcome.TimedOut,
            _ => null,
        };
        if (outcome is { } learned)
        {
            Record(tactic, features, learned, verdict.Detail);
        }
    }

    public void Record(string tactic, GoalFeatures features, LearnedOutcome outcome, string? error)
    {
        var key = Key(Head(tactic), features);
        var updated = _memory.AddOrUpdate(
            key,
            _ => Apply(Load(key) ?? TacticStatistics.Empty, outcome, error),
            (_, current) => Apply(current, outcome, error));
        TrimMemory();
        OnDisk(disk =>
        {
            disk.Set(key, JsonSerializer.SerializeToUtf8Bytes(updated, LearningJsonContext.Default.TacticStatistics));
            return (byte[]?)null;
        });
    }

    /// <summary>True when the tactic has failed on similar goals again and again and never helped.</summary>
    public bool KeepsFailing(string tactic, GoalFeatures features)
    {
        var statistics = Get(tactic, features);
        return statistics.Failed >= SkipAfterFailures && statistics.Solved == 0 && statistics.Progress == 0;
    }

    /// <summary>
    /// Portfolio candidates ordered by experience on similar goals (the portfolio's own rank breaks
    /// ties and counts as a prior), with the ones that keep failing removed; the removed are returned too.
    /// </summary>
    public (IReadOnlyList<TacticCandidate> Kept, IReadOnlyList<TacticCandidate> Skipped) Order(IReadOnlyList<TacticCandidate> candidates, GoalFeatures features)
    {
        var skipped = candidates.Where(c => KeepsFailing(c.Tactic, features)).ToArray();
        var kept = candidates
            .Except(skipped)
            .Select((candidate, index) => (candidate, score: Get(candidate.Tactic, features).SuccessRate - index * 0.01))
            .OrderByDescending(x => x.score)
            .Select(x => x.candidate)
            .ToArray();
        return (kept, skipped);
    }

    public static FailureCategory Categorize(string? error)
    {
        if (string.IsNullOrEmpty(error))
        {
            return FailureCategory.Other;
        }

        return error switch
        {
            _ when error.Contains("Unknown identifier", StringComparison.OrdinalIgnoreCase) || error.Contains("unknown constant", StringComparison.OrdinalIgnoreCase) => FailureCategory.UnknownIdentifier,
            _ when error.Contains("type mismatch", StringComparison.OrdinalIgnoreCase) || error.Contains("Application type mismatch", StringComparison.OrdinalIgnoreCase) => FailureCategory.TypeMismatch,
            _ when error.Contains("unsolved goals", StringComparison.OrdinalIgnoreCase) => FailureCategory.UnsolvedGoals,
            _ when error.Contains("no progress", StringComparison.OrdinalIgnoreCase) || error.Contains("failed to simplify", StringComparison.OrdinalIgnoreCase) => FailureCategory.NoProgress,
            _ when error.Contains("sorry", StringComparison.OrdinalIgnoreCase) => FailureCategory.Sorry,
            _ when error.Contains("kernel", StringComparison.OrdinalIgnoreCase) => FailureCategory.Kernel,
            _ when error.Contains("unknown tactic", StringComparison.OrdinalIgnoreCase) || error.Contains("unexpected token", StringComparison.OrdinalIgnoreCase) => FailureCategory.Syntax,
            _ => FailureCategory.Other,
        };
    }

    public void Clear()
    {
        _memory.Clear();
        OnDisk(disk =>
        {
            disk.Clear();
            return (byte[]?)null;
        });
    }

    public void Dispose()
    {
        _optionsSubscription?.Dispose();
        _disk.Dispose();
    }

    /// <summary>
    /// The disk store for the directory set now, (re)opened when the setting changed. What is in memory
    /// came from the previous directory, so it is forgotten: the new directory's experience is what counts.
    /// </summary>
    private SqliteCacheStore? Disk() =>
        _disk.For(Path.Combine(LeanAssistDirectories.Resolve(_directory(), "learning"), DiskFileName), previous =>
        {
            if (previous is not null)
            {
                _memory.Clear();
            }
        });

    private SqliteCacheStore? Open(string path)
    {
        try
        {
            return new SqliteCacheStore(new SqliteCacheStoreOptions(path, "tactic-outcomes", DiskSchemaVersion, MaxEntries: 50_000), _timeProvider, _logger);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            // Learning is an optimisation: without a disk it still works for this run.
            _logger.LogWarning(e, "Tactic outcome learning will not persist: {Path} cannot be used.", path);
            return null;
        }
    }

    /// <summary>
    /// Runs <paramref name="operation"/> on the current store, if any. A store closed meanwhile (the directory
    /// changed) answers as empty, so the disk is skipped this once.
    /// </summary>
    private byte[]? OnDisk(Func<SqliteCacheStore, byte[]?> operation) => Disk() is { } disk ? operation(disk) : null;

    private static string Key(string head, GoalFeatures features) => head + "|" + features.Key;

    private static TacticStatistics Apply(TacticStatistics current, LearnedOutcome outcome, string? error)
    {
        var failures = new Dictionary<FailureCategory, int>(current.Failures);
        if (outcome == LearnedOutcome.Failed)
        {
            var category = Categorize(error);
            failures[category] = failures.GetValueOrDefault(category) + 1;
        }

        return outcome switch
        {
            LearnedOutcome.Solved => current with { Solved = current.Solved + 1, Failures = failures },
            LearnedOutcome.Progress => current with { Progress = current.Progress + 1, Failures = failures },
            LearnedOutcome.Failed => current with { Failed = current.Failed + 1, Failures = failures },
            _ => current with { TimedOut = current.TimedOut + 1, Failures = failures },
        };
    }

    private TacticStatistics? Load(string key)
    {
        if (OnDisk(disk => disk.Get(key)) is not { } bytes)
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize(bytes, LearningJsonContext.Default.TacticStatistics);
        }
        catch (JsonException e)
        {
            _logger.LogWarning(e, "Dropped an unreadable learning entry.");
            OnDisk(disk =>
            {
                disk.Remove(key);
                return (byte[]?)null;
            });
            return null;
        }
    }
}
