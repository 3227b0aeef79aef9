using System.Text.Json.Serialization;
using LeanAssist.Lean.Telemetry;
using LeanAssist.Suggestions.Caching;
using LeanAssist.Suggestions.Llm.Budget;
using LeanAssist.Suggestions.Llm.Providers;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace LeanAssist.Suggestions.Llm.Caching;

/// <summary>A cached provider answer: the model's texts and the usage it cost when it was first asked.</summary>
public sealed record CachedLlmAnswer(
    [property: JsonPropertyName("texts")] IReadOnlyList<string> Texts,
    [property: JsonPropertyName("model")] string? ResponseModel,
    [property: JsonPropertyName("inputTokens")] long InputTokens,
    [property: JsonPropertyName("outputTokens")] long OutputTokens,
    [property: JsonPropertyName("cachedInputTokens")] long CachedInputTokens,
    [property: JsonPropertyName("cacheWriteInputTokens")] long CacheWriteInputTokens)
{
    public static CachedLlmAnswer From(LlmCompletion completion) => new(
        completion.Texts, completion.ResponseModel, completion.Usage.InputTokens, completion.Usage.OutputTokens,
        completion.Usage.CachedInputTokens, completion.Usage.CacheWriteInputTokens);
}

[JsonSerializable(typeof(CachedLlmAnswer))]
internal sealed partial class LlmCacheJsonContext : JsonSerializerContext;

/// <summary>
/// Owns LeanAssist's cache of LLM answers: a size-limited memory layer in front of a disk layer
/// (survives restarts), keyed by <see cref="LlmCacheKey"/>. Only successful answers with text are
/// stored; an entry that cannot be read back is dropped and counted as a miss. The raw answer text is
/// stored (not parsed candidates), so improvements to parsing apply to cached answers too.
/// </summary>
public sealed class LlmResponseCache(IOptionsMonitor<LlmOptions> options, TimeProvider timeProvider, ILogger<LlmResponseCache> logger, LeanAssistMeter meter)
    : ConfiguredLayeredCache<CachedLlmAnswer>(Definition, () => options.CurrentValue.LlmCache, LlmCacheJsonContext.Default.CachedLlmAnswer,
        answer => answer.Texts.Count > 0 && answer.Texts.All(t => t is not null), timeProvider, logger, meter)
{
    public const string DiskFileName = "llm-responses.db";
    public const int DiskSchemaVersion = 1;

    /// <summary>The folder under the cache root when <c>leanAssist.llmCache.directory</c> is empty; the spend ledger lives there too.</summary>
    public const string DefaultDirectory = "llm";

    private static readonly CacheDefinition Definition = new("llm", DiskSchemaVersion, DefaultDirectory, DiskFileName);

    /// <summary>Looks <paramref name="key"/> up in memory, then on disk (promoting a disk hit to memory).</summary>
    public (CachedLlmAnswer Answer, CacheLayer Layer)? TryGet(string key) => Layers.TryGet(key);

    /// <summary>Stores a successful answer in every enabled layer.</summary>
    public void Set(string key, CachedLlmAnswer answer) => Layers.Set(key, answer);
}
