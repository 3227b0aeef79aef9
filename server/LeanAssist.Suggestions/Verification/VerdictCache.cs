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
/// <param name="Confirmed">For <see cref="TacticVerdictKind.Solved"/>: the declaration with the tactic in place of its sorry elaborated
/// too (false: only tactic mode saw the goal closed, and the candidate is not "solved" until it is confirmed).</param>
/// <param name="Timeouts">For <see cref="TacticVerdictKind.Timeout"/>: how many runs in a row timed out (the backoff grows with it).</param>
/// <param name="SkipUntilUnixMs">For <see cref="TacticVerdictKind.Timeout"/>: until when the tactic is not run again on this goal.</param>
public sealed record CachedVerdict(
    [property: JsonPropertyName("kind")] TacticVerdictKind Kind,
    [property: JsonPropertyName("reason")] TacticFailureReason Reason,
    [property: JsonPropertyName("detail")] string? Detail,
    [property: JsonPropertyName("goalsAfter")] IReadOnlyList<string> GoalsAfter,
    [property: JsonPropertyName("tryThis")] IReadOnlyList<string> TryThisMessages,
    [property: JsonPropertyName("leanMs")] double LeanMilliseconds,
    [property: JsonPropertyName("confirmed")] bool Confirmed = false,
    [property: JsonPropertyName("timeouts")] int Timeouts = 0,
    [property: JsonPropertyName("skipUntil")] long SkipUntilUnixMs = 0)
{
    public TacticVerdict ToVerdict() => new(Kind, Reason, Detail, GoalsAfter, TryThisMessages);

    /// <summary>What may be stored and read back: verdicts about the tactic (never a REPL refusal), and remembered timeouts.</summary>
    internal bool IsStorable => (TacticVerdict.IsCacheableKind(Kind) && Reason != TacticFailureReason.ReplError || Kind == TacticVerdictKind.Timeout && Timeouts > 0)
        && GoalsAfter is not null && TryThisMessages is not null;
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
        verdict => verdict.IsStorable,
        timeProvider, logger, meter)
{
    public const string DiskFileName = "verdicts.db";

    /// <summary>
    /// 3: a solved verdict says whether the declaration check confirmed it, and timeouts are remembered (version 2
    /// "solved" entries were never checked at the declaration, and could hold REPL refusals as failures).
    /// </summary>
    public const int DiskSchemaVersion = 3;

    private static readonly CacheDefinition Definition = new("verdict", DiskSchemaVersion, "verdicts", DiskFileName);

    public CachedVerdict? TryGet(VerdictCacheKey key) => Layers.TryGet(key.Hash)?.Value;

    /// <summary>
    /// Stores a verdict if it is one that may be cached: never a REPL refusal (<see cref="TacticFailureReason.ReplError"/>
    /// included: the REPL's error channel is kept off disk), a timeout, a crash or unavailability.
    /// </summary>
    /// <param name="confirmed">For a solved verdict: whether the declaration check confirmed it.</param>
    public void Set(VerdictCacheKey key, TacticVerdict verdict, TimeSpan leanTime, bool confirmed = false)
    {
        if (!verdict.IsCacheable || verdict.Reason == TacticFailureReason.ReplError)
        {
            return;
        }

        Layers.Set(key.Hash, new CachedVerdict(verdict.Kind, verdict.Reason, verdict.Detail, verdict.GoalsAfter, verdict.TryThisMessages, leanTime.TotalMilliseconds,
            Confirmed: verdict.Kind == TacticVerdictKind.Solved && confirmed));
    }

    /// <summary>Remembers that the tactic timed out on this goal (the <paramref name="timeouts"/>th time in a row), not to be run again before <paramref name="skipUntil"/>.</summary>
    public void SetTimeout(VerdictCacheKey key, string detail, int timeouts, DateTimeOffset skipUntil) =>
        Layers.Set(key.Hash, new CachedVerdict(TacticVerdictKind.Timeout, TacticFailureReason.None, detail, [], [], 0, Timeouts: timeouts, SkipUntilUnixMs: skipUntil.ToUnixTimeMilliseconds()));
}
