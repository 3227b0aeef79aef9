using System.Diagnostics.Metrics;
using System.Text.Json;
using System.Text.Json.Serialization;
using LeanAssist.Lean.Storage;
using LeanAssist.Lean.Telemetry;
using LeanAssist.Suggestions.Caching;
using LeanAssist.Suggestions.Llm.Budget;
using LeanAssist.Suggestions.Llm.Providers;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace LeanAssist.Suggestions.Llm.Caching;

/// <summary>Which layer of the LLM cache answered.</summary>
public enum LlmCacheLayer
{
    Memory,
    Disk,
}

/// <summary>Hit and miss counts of the LLM cache by layer, since the server started.</summary>
public sealed record LlmCacheStatistics(long MemoryHits, long MemoryMisses, long DiskHits, long DiskMisses, long CorruptEntriesDropped)
{
    public long Hits => MemoryHits + DiskHits;

    /// <summary>Lookups that reached the provider (missed every layer).</summary>
    public long Misses => DiskMisses;

    public double HitRate => Hits + Misses == 0 ? 0 : (double)Hits / (Hits + Misses);
}

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

    public LlmTokenUsage OriginalUsage => new(InputTokens, OutputTokens, CachedInputTokens, CacheWriteInputTokens);
}

[JsonSerializable(typeof(CachedLlmAnswer))]
internal sealed partial class LlmCacheJsonContext : JsonSerializerContext;

/// <summary>
/// Owns LeanAssist's cache of LLM answers: a size-limited memory layer in front of a disk layer
/// (<see cref="SqliteCacheStore"/>, survives restarts), keyed by <see cref="LlmCacheKey"/>. Only successful answers
/// with text are stored; an entry that cannot be read back is dropped and counted as a miss. The raw answer text is
/// stored (not parsed candidates), so improvements to parsing apply to cached answers too.
/// </summary>
public sealed class LlmResponseCache : IDisposable
{
    public const string DiskFileName = "llm-responses.db";
    public const int DiskSchemaVersion = 1;

    private readonly Counter<long> _lookups;

    private readonly IOptionsMonitor<LlmOptions> _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<LlmResponseCache> _logger;
    private readonly Lock _gate = new();
    private MemoryCache? _memory;
    private int _memoryLimit = -1;
    private SqliteCacheStore? _disk;
    private (string Path, int Entries) _diskSettings;
    private long _memoryHits;
    private long _memoryMisses;
    private long _diskHits;
    private long _diskMisses;
    private long _unreadableDropped;

    public LlmResponseCache(IOptionsMonitor<LlmOptions> options, TimeProvider timeProvider, ILogger<LlmResponseCache> logger, LeanAssistMeter meter)
    {
        _lookups = meter.Meter.CreateCounter<long>(LeanAssistMeter.Instruments.CacheLookups);
        _options = options;
        _timeProvider = timeProvider;
        _logger = logger;
    }

    public LlmCacheStatistics Statistics
    {
        get
        {
            lock (_gate)
            {
                return new LlmCacheStatistics(_memoryHits, _memoryMisses, _diskHits, _diskMisses, _unreadableDropped + (_disk?.CorruptEntriesDropped ?? 0));
            }
        }
    }

    /// <summary>The disk layer's file for the current settings.</summary>
    public string DiskPath => Path.Combine(LeanAssistDirectories.Resolve(_options.CurrentValue.LlmCache.Directory, "llm"), DiskFileName);

    /// <summary>Looks <paramref name="key"/> up in memory, then on disk (promoting a disk hit to memory).</summary>
    public (CachedLlmAnswer Answer, LlmCacheLayer Layer)? TryGet(string key)
    {
        var settings = _options.CurrentValue.LlmCache;
        if (!settings.Enabled)
        {
            return null;
        }

        var memory = Memory(settings);
        if (memory is not null)
        {
            if (memory.TryGetValue(key, out CachedLlmAnswer? cached) && cached is not null)
            {
                Count(LlmCacheLayer.Memory, hit: true);
                return (cached, LlmCacheLayer.Memory);
            }

            Count(LlmCacheLayer.Memory, hit: false);
        }

        var disk = Disk(settings);
        if (disk?.Get(key) is { } bytes)
        {
            if (Deserialize(bytes) is { } answer)
            {
                Count(LlmCacheLayer.Disk, hit: true);
                memory?.Set(key, answer, new MemoryCacheEntryOptions { Size = 1 });
                return (answer, LlmCacheLayer.Disk);
            }

            // Checksummed but unreadable: written by a LeanAssist with another answer format. Drop it.
            Interlocked.Increment(ref _unreadableDropped);
            _logger.LogWarning("Dropped an unreadable LLM cache entry.");
            disk.Remove(key);
        }

        Count(LlmCacheLayer.Disk, hit: false);
        return null;
    }

    /// <summary>Stores a successful answer in every enabled layer.</summary>
    public void Set(string key, CachedLlmAnswer answer)
    {
        var settings = _options.CurrentValue.LlmCache;
        if (!settings.Enabled || answer.Texts.Count == 0)
        {
            return;
        }

        Memory(settings)?.Set(key, answer, new MemoryCacheEntryOptions { Size = 1 });
        Disk(settings)?.Set(key, JsonSerializer.SerializeToUtf8Bytes(answer, LlmCacheJsonContext.Default.CachedLlmAnswer));
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _memory?.Dispose();
            _disk?.Dispose();
            _memory = null;
            _disk = null;
        }
    }

    private static CachedLlmAnswer? Deserialize(byte[] bytes)
    {
        try
        {
            var answer = JsonSerializer.Deserialize(bytes, LlmCacheJsonContext.Default.CachedLlmAnswer);
            return answer is { Texts.Count: > 0 } && answer.Texts.All(t => t is not null) ? answer : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private void Count(LlmCacheLayer layer, bool hit)
    {
        lock (_gate)
        {
            switch (layer, hit)
            {
                case (LlmCacheLayer.Memory, true): _memoryHits++; break;
                case (LlmCacheLayer.Memory, false): _memoryMisses++; break;
                case (LlmCacheLayer.Disk, true): _diskHits++; break;
                default: _diskMisses++; break;
            }
        }

        _lookups.Add(1,
            new KeyValuePair<string, object?>("leanassist.cache.layer", layer == LlmCacheLayer.Memory ? "llm.memory" : "llm.disk"),
            new KeyValuePair<string, object?>("leanassist.cache.result", hit ? "hit" : "miss"));
    }

    /// <summary>The memory layer for the current size setting (rebuilt, empty, when the size changes).</summary>
    private MemoryCache? Memory(LlmCacheOptions settings)
    {
        lock (_gate)
        {
            if (_memoryLimit != settings.MemoryEntries)
            {
                _memory?.Dispose();
                _memory = settings.MemoryEntries > 0 ? new MemoryCache(new MemoryCacheOptions { SizeLimit = settings.MemoryEntries }) : null;
                _memoryLimit = settings.MemoryEntries;
            }

            return _memory;
        }
    }

    /// <summary>The disk layer for the current directory and size settings.</summary>
    private SqliteCacheStore? Disk(LlmCacheOptions settings)
    {
        var path = DiskPath;
        lock (_gate)
        {
            if (_diskSettings != (path, settings.DiskEntries))
            {
                _disk?.Dispose();
                _disk = settings.DiskEntries > 0
                    ? new SqliteCacheStore(new SqliteCacheStoreOptions(path, "llm-responses", DiskSchemaVersion, settings.DiskEntries), _timeProvider, _logger)
                    : null;
                _diskSettings = (path, settings.DiskEntries);
            }

            return _disk;
        }
    }
}
