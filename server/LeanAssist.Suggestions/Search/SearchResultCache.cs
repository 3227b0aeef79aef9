using System.Text.Json.Serialization;
using LeanAssist.Lean.Sessions;
using LeanAssist.Lean.Source;
using LeanAssist.Lean.Telemetry;
using LeanAssist.Suggestions.Caching;
using LeanAssist.Suggestions.Verification;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace LeanAssist.Suggestions.Search;

/// <summary>A found and confirmed proof as stored: the script and its steps.</summary>
public sealed record CachedSearch(
    [property: JsonPropertyName("script")] string Script,
    [property: JsonPropertyName("steps")] IReadOnlyList<SearchStep> Steps,
    [property: JsonPropertyName("nodes")] int NodesExplored,
    [property: JsonPropertyName("seconds")] double Seconds)
{
    internal bool IsStorable => !string.IsNullOrWhiteSpace(Script) && Steps is { Count: > 0 };
}

[JsonSerializable(typeof(CachedSearch))]
internal sealed partial class SearchCacheJsonContext : JsonSerializerContext;

/// <summary>
/// Proofs that searches found and the declaration check confirmed, by what decides them (the same key as a verdict's:
/// toolchain, environment before the declaration, the declaration split at the target, the goal). Lives beside the
/// verdict cache and follows its settings (<c>leanAssist.verdictCache.*</c>), in its own file, so a second search of
/// an unchanged declaration asks Lean nothing. Only confirmed proofs are stored.
/// </summary>
public sealed class SearchResultCache(IOptionsMonitor<VerificationOptions> options, TimeProvider timeProvider, ILogger<SearchResultCache> logger, LeanAssistMeter meter)
    : ConfiguredLayeredCache<CachedSearch>(Definition, () => options.CurrentValue.VerdictCache, SearchCacheJsonContext.Default.CachedSearch,
        search => search.IsStorable, timeProvider, logger, meter)
{
    public const string DiskFileName = "searches.db";

    public const int DiskSchemaVersion = 1;

    private static readonly CacheDefinition Definition = new("search", DiskSchemaVersion, "verdicts", DiskFileName);

    public static string KeyFor(LeanFileTargets file, LeanTarget target) =>
        LeanFingerprint.Compute("search", file.Toolchain, target.EnvironmentBefore.Value, target.DeclarationTextBefore, target.DeclarationTextFrom, target.Goal).Value;

    public CachedSearch? TryGet(string key) => Layers.TryGet(key)?.Value;

    public void Set(string key, CachedSearch search) => Layers.Set(key, search);
}
