using LeanAssist.Lean.Storage;
using System.Diagnostics.Metrics;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using LeanAssist.Lean.Telemetry;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Logging;

namespace LeanAssist.Suggestions.Caching;

/// <summary>Which layer of a <see cref="LayeredCache{T}"/> answered.</summary>
public enum CacheLayer
{
    Memory,
    Disk,
}

/// <summary>The current settings of one cache (read on every call, so changes apply without a restart).</summary>
public sealed record CacheLayerSettings(bool Enabled, int MemoryEntries, int DiskEntries, string DiskPath);

/// <summary>Hit and miss counts by layer since the server started.</summary>
public sealed record LayeredCacheStatistics(long MemoryHits, long MemoryMisses, long DiskHits, long DiskMisses, long CorruptEntriesDropped)
{
    public long Hits => MemoryHits + DiskHits;

    /// <summary>Lookups that missed every layer (the work had to be done).</summary>
    public long Misses => DiskMisses;

    public long Lookups => Hits + Misses;

    public double HitRate => Lookups == 0 ? 0 : (double)Hits / Lookups;
}

/// <summary>
/// A size-limited memory layer (Microsoft.Extensions.Caching.Memory) in front of a disk layer
/// (<see cref="SqliteCacheStore"/>: survives restarts, checksummed, rebuilt when corrupt or foreign).
/// A disk entry that cannot be read back as a valid <typeparamref name="T"/> is dropped and counted as
/// a miss: a cache is never trusted over doing the work. Both LeanAssist caches (LLM answers,
/// verdicts) are one of these.
/// </summary>
public sealed class LayeredCache<T> : IDisposable
    where T : class
{
    private readonly string _kind;
    private readonly int _schemaVersion;
    private readonly Func<CacheLayerSettings> _settings;
    private readonly JsonTypeInfo<T> _type;
    private readonly Func<T, bool> _isValid;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly Counter<long> _lookups;
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

    /// <param name="kind">Names the cache in metrics (<c>{kind}.memory</c>, <c>{kind}.disk</c>) and in its disk file's header.</param>
    public LayeredCache(string kind, int schemaVersion, Func<CacheLayerSettings> settings, JsonTypeInfo<T> type, Func<T, bool> isValid,
        TimeProvider timeProvider, ILogger logger, LeanAssistMeter meter)
    {
        _kind = kind;
        _schemaVersion = schemaVersion;
        _settings = settings;
        _type = type;
        _isValid = isValid;
        _timeProvider = timeProvider;
        _logger = logger;
        _lookups = meter.Meter.CreateCounter<long>(LeanAssistMeter.Instruments.CacheLookups);
    }

    public LayeredCacheStatistics Statistics
    {
        get
        {
            lock (_gate)
            {
                return new LayeredCacheStatistics(_memoryHits, _memoryMisses, _diskHits, _diskMisses, _unreadableDropped + (_disk?.CorruptEntriesDropped ?? 0));
            }
        }
    }

    /// <summary>Looks <paramref name="key"/> up in memory, then on disk (promoting a disk hit to memory).</summary>
    public (T Value, CacheLayer Layer)? TryGet(string key)
    {
        var settings = _settings();
        if (!settings.Enabled)
        {
            return null;
        }

        var memory = Memory(settings);
        if (memory is not null)
        {
            if (memory.TryGetValue(key, out T? cached) && cached is not null)
            {
                Count(CacheLayer.Memory, hit: true);
                return (cached, CacheLayer.Memory);
            }

            Count(CacheLayer.Memory, hit: false);
        }

        var disk = Disk(settings);
        if (disk?.Get(key) is { } bytes)
        {
            if (Deserialize(bytes) is { } value)
            {
                Count(CacheLayer.Disk, hit: true);
                memory?.Set(key, value, new MemoryCacheEntryOptions { Size = 1 });
                return (value, CacheLayer.Disk);
            }

            // Checksummed but unreadable: written by a LeanAssist with another format. Drop it.
            Interlocked.Increment(ref _unreadableDropped);
            _logger.LogWarning("Dropped an unreadable {Kind} cache entry.", _kind);
            disk.Remove(key);
        }

        Count(CacheLayer.Disk, hit: false);
        return null;
    }

    /// <summary>Stores a value in every enabled layer.</summary>
    public void Set(string key, T value)
    {
        var settings = _settings();
        if (!settings.Enabled || !_isValid(value))
        {
            return;
        }

        Memory(settings)?.Set(key, value, new MemoryCacheEntryOptions { Size = 1 });
        Disk(settings)?.Set(key, JsonSerializer.SerializeToUtf8Bytes(value, _type));
    }

    /// <summary>Empties both layers; returns how many disk entries there were.</summary>
    public long Clear()
    {
        var settings = _settings();
        var disk = Disk(settings);
        var removed = disk?.Count() ?? 0;
        disk?.Clear();
        lock (_gate)
        {
            _memory?.Compact(1.0);
        }

        return removed;
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

    private T? Deserialize(byte[] bytes)
    {
        try
        {
            var value = JsonSerializer.Deserialize(bytes, _type);
            return value is not null && _isValid(value) ? value : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private void Count(CacheLayer layer, bool hit)
    {
        lock (_gate)
        {
            switch (layer, hit)
            {
                case (CacheLayer.Memory, true): _memoryHits++; break;
                case (CacheLayer.Memory, false): _memoryMisses++; break;
                case (CacheLayer.Disk, true): _diskHits++; break;
                default: _diskMisses++; break;
            }
        }

        _lookups.Add(1,
            new KeyValuePair<string, object?>("leanassist.cache.layer", layer == CacheLayer.Memory ? $"{_kind}.memory" : $"{_kind}.disk"),
            new KeyValuePair<string, object?>("leanassist.cache.result", hit ? "hit" : "miss"));
    }

    /// <summary>The memory layer for the current size setting (rebuilt, empty, when the size changes).</summary>
    private MemoryCache? Memory(CacheLayerSettings settings)
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
    private SqliteCacheStore? Disk(CacheLayerSettings settings)
    {
        lock (_gate)
        {
            if (_diskSettings != (settings.DiskPath, settings.DiskEntries))
            {
                _disk?.Dispose();
                _disk = settings.DiskEntries > 0
                    ? new SqliteCacheStore(new SqliteCacheStoreOptions(settings.DiskPath, _kind, _schemaVersion, settings.DiskEntries), _timeProvider, _logger)
                    : null;
                _diskSettings = (settings.DiskPath, settings.DiskEntries);
            }

            return _disk;
        }
    }
}
