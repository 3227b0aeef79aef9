using System.Text.Json.Serialization;
using LeanAssist.Lean.Source;
using LeanAssist.Lean.Storage;
using LeanAssist.Lean.Telemetry;
using LeanAssist.Lean.Verdicts;
using LeanAssist.Suggestions.Caching;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace LeanAssist.Suggestions.Verification;

/// <summary>
/// What decides a verdict: the Lean version, the environment before the declaration (header and every
/// command above it, as a fingerprint chain), the goal exactly as Lean printed it, and the tactic.
/// Editing below a declaration leaves the key of its goals unchanged; editing above changes the
/// fingerprint, so stale verdicts are never found (they age out of the store).
/// </summary>
public readonly record struct VerdictCacheKey(string Toolchain, LeanFingerprint EnvironmentBefore, string Goal, string Tactic)
{
    public string Hash => LeanFingerprint.Compute("verdict", Toolchain, EnvironmentBefore.Value, Goal, Tactic).Value;
}

/// <summary>A verdict as stored: everything the suggestion shows, and the Lean time it took when it was computed.</summary>
public sealed record CachedVerdict(
    [property: JsonPropertyName("kind")] TacticVerdictKind Kind,
    [property: JsonPropertyName("reason")] TacticFailureReason Reason,
    [property: JsonPropertyName("detail")] string? Detail,
    [property: JsonPropertyName("goalsAfter")] IReadOnlyList<string> GoalsAfter,
    [property: JsonPropertyName("tryThis")] IReadOnlyList<string> TryThisMessages,
    [property: JsonPropertyName("leanMs")] double LeanMilliseconds)
{
    public TacticVerdict ToVerdict() => new(Kind, Reason, Detail, GoalsAfter, TryThisMessages);
}

[JsonSerializable(typeof(CachedVerdict))]
[JsonSourceGenerationOptions(UseStringEnumConverter = true)]
internal sealed partial class VerdictCacheJsonContext : JsonSerializerContext;

/// <summary>
/// Owns LeanAssist's verdict cache: memory in front of a SQLite store that survives restarts (see
/// <see cref="LayeredCache{T}"/>: corrupt or foreign stores are rebuilt, unreadable entries dropped).
/// Only verdicts that say something about the tactic are stored: solved, progress and failed. Timeouts,
/// crashes and unavailability never are.
/// </summary>
public sealed class VerdictCache : IDisposable
{
    public const string DiskFileName = "verdicts.db";
    public const int DiskSchemaVersion = 1;

    private readonly IOptionsMonitor<VerificationOptions> _options;
    private readonly LayeredCache<CachedVerdict> _cache;

    public VerdictCache(IOptionsMonitor<VerificationOptions> options, TimeProvider timeProvider, ILogger<VerdictCache> logger, LeanAssistMeter meter)
    {
        _options = options;
        _cache = new LayeredCache<CachedVerdict>("verdict", DiskSchemaVersion, Settings, VerdictCacheJsonContext.Default.CachedVerdict,
            verdict => verdict.Kind is TacticVerdictKind.Solved or TacticVerdictKind.Progress or TacticVerdictKind.Failed && verdict.GoalsAfter is not null && verdict.TryThisMessages is not null,
            timeProvider, logger, meter);
    }

    public LayeredCacheStatistics Statistics => _cache.Statistics;

    public string DiskPath => Path.Combine(LeanAssistDirectories.Resolve(_options.CurrentValue.VerdictCache.Directory, "verdicts"), DiskFileName);

    public CachedVerdict? TryGet(VerdictCacheKey key) => _cache.TryGet(key.Hash)?.Value;

    /// <summary>Stores a verdict if it is one that may be cached.</summary>
    public void Set(VerdictCacheKey key, TacticVerdict verdict, TimeSpan leanTime)
    {
        if (!verdict.IsCacheable)
        {
            return;
        }

        _cache.Set(key.Hash, new CachedVerdict(verdict.Kind, verdict.Reason, verdict.Detail, verdict.GoalsAfter, verdict.TryThisMessages, leanTime.TotalMilliseconds));
    }

    /// <summary>Empties the cache; returns how many verdicts were on disk.</summary>
    public long Clear() => _cache.Clear();

    public void Dispose() => _cache.Dispose();

    private CacheLayerSettings Settings()
    {
        var settings = _options.CurrentValue.VerdictCache;
        return new CacheLayerSettings(settings.Enabled, settings.MemoryEntries, settings.DiskEntries, DiskPath);
    }
}
