using System.Diagnostics.Metrics;
using System.Text.Json.Serialization;
using LeanAssist.Lean.Telemetry;
using LeanAssist.Suggestions.Caching;
using LeanAssist.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;

namespace LeanAssist.Suggestions.Tests.Caching;

public sealed record CachedNumber([property: JsonPropertyName("n")] int N);

[JsonSerializable(typeof(CachedNumber))]
internal sealed partial class CachedNumberJsonContext : JsonSerializerContext;

/// <summary>
/// The pipeline reads and writes the caches from many threads while the user changes settings (which
/// replaces a layer) or the server shuts down (which disposes them): no caller may ever see the layer
/// it is using disposed under it.
/// </summary>
public sealed class LayeredCacheConcurrencyTests : IDisposable
{
    private readonly TemporaryDirectory _directory = new();
    private readonly Meter _meter = new("layered-cache-test");

    [Fact]
    public async Task Reads_and_writes_never_fail_while_settings_change_and_the_cache_is_disposed()
    {
        var settings = new CacheLayerSettings(true, 64, 1_000, _directory.Combine("a", "cache.db"));
        var cache = new LayeredCache<CachedNumber>("race", 1, () => Volatile.Read(ref settings), CachedNumberJsonContext.Default.CachedNumber,
            _ => true, TimeProvider.System, NullLogger.Instance, new LeanAssistMeter(_meter));
        var failures = new List<Exception>();
        var operations = 0L;
        var closed = 0;

        void Worker(int id)
        {
            // Until the cache is closed, and a while after: calls that race Dispose are the point.
            for (var i = 0; Volatile.Read(ref closed) == 0 || i < 2_000; i++)
            {
                try
                {
                    var key = $"k{(i + id) % 50}";
                    if (i % 3 == 0)
                    {
                        cache.Set(key, new CachedNumber(i));
                    }
                    else
                    {
                        _ = cache.TryGet(key);
                    }
                }
                catch (Exception e)
                {
                    lock (failures)
                    {
                        failures.Add(e);
                    }
                }

                Interlocked.Increment(ref operations);
            }
        }

        void WaitForProgress(int calls)
        {
            // Let the workers use the current layers before the next change (bounded: never hang the test).
            var target = Interlocked.Read(ref operations) + calls;
            var spin = new SpinWait();
            for (var n = 0; Interlocked.Read(ref operations) < target && n < 100_000; n++)
            {
                spin.SpinOnce();
            }
        }

        var workers = Enumerable.Range(0, 3).Select(id => Task.Factory.StartNew(() => Worker(id), TaskCreationOptions.LongRunning)).ToArray();
        var changer = Task.Factory.StartNew(() =>
        {
            // Every change replaces a layer: the memory size, the disk file, or both.
            for (var round = 0; round < 300; round++)
            {
                WaitForProgress(10);
                var current = Volatile.Read(ref settings);
                var next = (round % 3) switch
                {
                    0 => current with { MemoryEntries = current.MemoryEntries == 64 ? 32 : 64 },
                    1 => current with { DiskPath = _directory.Combine(round % 2 == 0 ? "a" : "b", "cache.db") },
                    _ => current with { MemoryEntries = current.MemoryEntries + 1, DiskEntries = current.DiskEntries + 1 },
                };
                Volatile.Write(ref settings, next);
            }

            // Shutdown while the workers are still at it.
            WaitForProgress(10);
            cache.Dispose();
            Volatile.Write(ref closed, 1);
        }, TaskCreationOptions.LongRunning);

        await Task.WhenAll([.. workers, changer]).WaitAsync(TimeSpan.FromMinutes(5));

        Assert.Empty(failures);
        // After Dispose the cache answers as an empty, disabled one would.
        Assert.Null(cache.TryGet("k1"));
        cache.Set("k1", new CachedNumber(1));
        Assert.Null(cache.TryGet("k1"));
    }

    [Fact]
    public void A_replaced_memory_layer_starts_empty_and_a_replaced_disk_layer_keeps_its_file()
    {
        var settings = new CacheLayerSettings(true, 64, 1_000, _directory.Combine("a", "cache.db"));
        using var cache = new LayeredCache<CachedNumber>("swap", 1, () => settings, CachedNumberJsonContext.Default.CachedNumber,
            _ => true, TimeProvider.System, NullLogger.Instance, new LeanAssistMeter(_meter));
        cache.Set("k", new CachedNumber(7));

        settings = settings with { MemoryEntries = 32 };
        Assert.Equal((7, CacheLayer.Disk), cache.TryGet("k") is { } hit ? (hit.Value.N, hit.Layer) : default);

        settings = settings with { DiskPath = _directory.Combine("b", "cache.db") };
        Assert.Equal((7, CacheLayer.Memory), cache.TryGet("k") is { } again ? (again.Value.N, again.Layer) : default);

        settings = settings with { MemoryEntries = 16 };
        Assert.Null(cache.TryGet("k"));
    }

    public void Dispose()
    {
        _meter.Dispose();
        SqliteConnection.ClearAllPools();
        _directory.Dispose();
    }
}
