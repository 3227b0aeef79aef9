using System.Diagnostics.Metrics;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using LeanAssist.Lean.Storage;
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
/// verdicts) are one of these (see <see cref="ConfiguredLayeredCache{T}"/>).
/// </summary>
/// <remarks>
/// Thread-safe, including against settings changes and <see cref="Dispose"/>: a change of size or
/// directory replaces a layer while other threads may be using the old one, so every call leases the
/// layers it uses, and a replaced (or, at shutdown, disposed) layer is disposed by whoever releases it
/// last. A call never sees a layer disposed under it; after <see cref="Dispose"/> the cache misses and
/// drops writes, as a disabled one does.
/// </remarks>
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
    private Layer<MemoryCache>? _memory;
    private int _memoryLimit = -1;
    private Layer<SqliteCacheStore>? _disk;
    private (string Path, int Entries) _diskSettings;
    private bool _disposed;
    private long _memoryHits;
    private long _memoryMisses;
    private long _diskHits;
    private long _diskMisses;
    private long _unreadableDropped;
    private long _droppedByReplacedStores;

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
                var corrupt = _unreadableDropped + _droppedByReplacedStores + (_disk?.Instance.CorruptEntriesDropped ?? 0);
                return new LayeredCacheStatistics(_memoryHits, _memoryMisses, _diskHits, _diskMisses, corrupt);
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

        using var layers = Lease(settings);
        if (layers.IsClosed)
        {
            return null;
        }

        var memory = layers.Memory;
        if (memory is not null)
        {
            if (memory.TryGetValue(key, out T? cached) && cached is not null)
            {
                Count(CacheLayer.Memory, hit: true);
                return (cached, CacheLayer.Memory);
            }

            Count(CacheLayer.Memory, hit: false);
        }

        var disk = layers.Disk;
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

        using var layers = Lease(settings);
        layers.Memory?.Set(key, value, new MemoryCacheEntryOptions { Size = 1 });
        layers.Disk?.Set(key, JsonSerializer.SerializeToUtf8Bytes(value, _type));
    }

    /// <summary>Empties both layers; returns how many disk entries there were.</summary>
    public long Clear()
    {
        using var layers = Lease(_settings());
        var removed = layers.Disk?.Count() ?? 0;
        layers.Disk?.Clear();
        layers.Memory?.Compact(1.0);
        return removed;
    }

    /// <summary>Closes the cache: layers in use are disposed when their last call finishes, later calls miss.</summary>
    public void Dispose()
    {
        var toDispose = new List<IDisposable>();
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            RetireLocked(ref _memory, toDispose);
            RetireLocked(ref _disk, toDispose);
        }

        DisposeAll(toDispose);
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

    /// <summary>
    /// The layers for the current settings, leased until the returned value is disposed. A layer whose
    /// settings changed is replaced here (the memory layer starts empty; the disk layer opens the new file).
    /// </summary>
    private Leases Lease(CacheLayerSettings settings)
    {
        var toDispose = new List<IDisposable>();
        Layer<MemoryCache>? leasedMemory = null;
        Layer<SqliteCacheStore>? leasedDisk = null;
        lock (_gate)
        {
            if (_disposed)
            {
                return new Leases(this, null, null, closed: true);
            }

            if (_memoryLimit != settings.MemoryEntries)
            {
                RetireLocked(ref _memory, toDispose);
                _memory = settings.MemoryEntries > 0 ? new Layer<MemoryCache>(new MemoryCache(new MemoryCacheOptions { SizeLimit = settings.MemoryEntries })) : null;
                _memoryLimit = settings.MemoryEntries;
            }

            if (_diskSettings != (settings.DiskPath, settings.DiskEntries))
            {
                RetireLocked(ref _disk, toDispose);
                _disk = settings.DiskEntries > 0
                    ? new Layer<SqliteCacheStore>(new SqliteCacheStore(new SqliteCacheStoreOptions(settings.DiskPath, _kind, _schemaVersion, settings.DiskEntries), _timeProvider, _logger))
                    : null;
                _diskSettings = (settings.DiskPath, settings.DiskEntries);
            }

            leasedMemory = _memory;
            leasedMemory?.EnterLocked();
            leasedDisk = _disk;
            leasedDisk?.EnterLocked();
        }

        DisposeAll(toDispose);
        return new Leases(this, leasedMemory, leasedDisk, closed: false);
    }

    private void Release(Layer<MemoryCache>? memory, Layer<SqliteCacheStore>? disk)
    {
        var toDispose = new List<IDisposable>();
        lock (_gate)
        {
            if (memory?.ExitLocked() == true)
            {
                toDispose.Add(memory.Instance);
            }

            if (disk?.ExitLocked() == true)
            {
                _droppedByReplacedStores += disk.Instance.CorruptEntriesDropped;
                toDispose.Add(disk.Instance);
            }
        }

        DisposeAll(toDispose);
    }

    /// <summary>Takes <paramref name="layer"/> out of service; it is disposed now if nobody uses it, else by its last user.</summary>
    private void RetireLocked<TLayer>(ref Layer<TLayer>? layer, List<IDisposable> toDispose)
        where TLayer : class, IDisposable
    {
        if (layer is not null && layer.RetireLocked())
        {
            if (layer.Instance is SqliteCacheStore store)
            {
                _droppedByReplacedStores += store.CorruptEntriesDropped;
            }

            toDispose.Add(layer.Instance);
        }

        layer = null;
    }

    /// <summary>Outside the lock: disposing a store clears its connection pool, which need not block lookups.</summary>
    private static void DisposeAll(List<IDisposable> layers)
    {
        foreach (var layer in layers)
        {
            layer.Dispose();
        }
    }

    /// <summary>One layer instance and how many calls are using it. Changed only under the cache's lock.</summary>
    private sealed class Layer<TLayer>(TLayer instance)
        where TLayer : class, IDisposable
    {
        private int _users;
        private bool _retired;

        public TLayer Instance { get; } = instance;

        public void EnterLocked() => _users++;

        /// <returns>True when the caller was the last user of a retired layer and must dispose it.</returns>
        public bool ExitLocked()
        {
            _users--;
            return _retired && _users == 0;
        }

        /// <returns>True when nobody uses the layer, so the caller must dispose it now.</returns>
        public bool RetireLocked()
        {
            _retired = true;
            return _users == 0;
        }
    }

    /// <summary>The layers one call uses; disposing it ends the lease.</summary>
    private readonly struct Leases(LayeredCache<T> owner, Layer<MemoryCache>? memory, Layer<SqliteCacheStore>? disk, bool closed) : IDisposable
    {
        public MemoryCache? Memory => memory?.Instance;

        public SqliteCacheStore? Disk => disk?.Instance;

        /// <summary>The cache was disposed: no layers, and nothing to count.</summary>
        public bool IsClosed => closed;

        public void Dispose() => owner.Release(memory, disk);
    }
}
