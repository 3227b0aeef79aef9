using System.Text.Json.Serialization;
using LeanAssist.Lean.Sessions;
using LeanAssist.Lean.Source;
using LeanAssist.Lean.Telemetry;
using LeanAssist.Lean.Verdicts;
using LeanAssist.Suggestions.Caching;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace LeanAssist.Suggestions.Verification;

/// <summary>
/// What decides a verdict: the Lean version; the environment before the declaration (a fingerprint chain
/// over the header, the project it is loaded in, the state of what the header imports, and every command
/// above); the declaration's own text, split at the target; the goal exactly as Lean printed it; and the tactic.
/// </summary>
/// <remarks>
/// The goal text alone is not enough. What is in scope at the target but not printed in the goal belongs to
/// the declaration: <c>open Nat in</c> / <c>set_option … in</c> before it (part of its command, so not of the
/// environment before it), <c>classical</c> or <c>open … in</c> among the tactics above the target. The text
/// after the target counts too: Lean elaborates a term's <c>by</c> blocks after the rest of the term (so later
/// text can fix what the goal's metavariables and hidden implicit arguments are), and a <c>where</c> clause's
/// functions are in the target's context as hidden local declarations. Hence the whole declaration, as sent to
/// Lean (line ends normalised to "\n", nothing else changed: spacing can be syntax in Lean). Editing below a
/// declaration leaves the keys of its goals unchanged; editing the declaration or anything above changes them.
/// </remarks>
public sealed class VerdictCacheKey(string toolchain, LeanFingerprint environmentBefore, string declarationBefore, string declarationFrom, string goal, string tactic)
{
    /// <summary>The key's store form, hashed once: a key is looked up before Lean runs and stored after.</summary>
    public string Hash { get; } = LeanFingerprint.Compute("verdict", toolchain, environmentBefore.Value, declarationBefore, declarationFrom, goal, tactic).Value;

    /// <summary>The key of running <paramref name="tactic"/> on <paramref name="target"/> of <paramref name="file"/>.</summary>
    public static VerdictCacheKey For(LeanFileTargets file, LeanTarget target, string tactic)
    {
        ArgumentNullException.ThrowIfNull(file);
        ArgumentNullException.ThrowIfNull(target);
        return new(file.Toolchain, target.EnvironmentBefore, target.DeclarationTextBefore, target.DeclarationTextFrom, target.Goal, tactic);
    }
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
public sealed class VerdictCache(IOptionsMonitor<VerificationOptions> options, TimeProvider timeProvider, ILogger<VerdictCache> logger, LeanAssistMeter meter)
    : ConfiguredLayeredCache<CachedVerdict>(Definition, () => options.CurrentValue.VerdictCache, VerdictCacheJsonContext.Default.CachedVerdict,
        verdict => TacticVerdict.IsCacheableKind(verdict.Kind) && verdict.GoalsAfter is not null && verdict.TryThisMessages is not null,
        timeProvider, logger, meter)
{
    public const string DiskFileName = "verdicts.db";

    /// <summary>2: keys include the declaration's text and the header's dependencies (version 1 keys could be stale).</summary>
    public const int DiskSchemaVersion = 2;

    private static readonly CacheDefinition Definition = new("verdict", DiskSchemaVersion, "verdicts", DiskFileName);

    public CachedVerdict? TryGet(VerdictCacheKey key) => Layers.TryGet(key.Hash)?.Value;

    /// <summary>Stores a verdict if it is one that may be cached.</summary>
    public void Set(VerdictCacheKey key, TacticVerdict verdict, TimeSpan leanTime)
    {
        if (!verdict.IsCacheable)
        {
            return;
        }

        Layers.Set(key.Hash, new CachedVerdict(verdict.Kind, verdict.Reason, verdict.Detail, verdict.GoalsAfter, verdict.TryThisMessages, leanTime.TotalMilliseconds));
    }
}
