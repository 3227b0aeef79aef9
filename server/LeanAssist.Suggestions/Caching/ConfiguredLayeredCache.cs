using System.Text.Json.Serialization.Metadata;
using LeanAssist.Lean.Storage;
using LeanAssist.Lean.Telemetry;
using Microsoft.Extensions.Logging;

namespace LeanAssist.Suggestions.Caching;

/// <summary>The settings every LeanAssist cache has (<c>leanAssist.verdictCache.*</c>, <c>leanAssist.llmCache.*</c>).</summary>
public interface ICacheSettings
{
    bool Enabled { get; }

    /// <summary>Entries kept in memory (0 turns the memory layer off).</summary>
    int MemoryEntries { get; }

    /// <summary>Entries kept on disk, least recently used dropped first (0 turns the disk layer off).</summary>
    int DiskEntries { get; }

    /// <summary>Where the disk layer lives; empty means the cache's own folder under the cache root.</summary>
    string? Directory { get; }
}

/// <summary>What tells one cache from another on disk and in metrics.</summary>
/// <param name="Kind">Metrics name and the kind written in the disk file (a file of another kind is rebuilt, not read).</param>
/// <param name="SchemaVersion">Bump when stored values or keys change meaning: the old file is then rebuilt empty.</param>
/// <param name="DefaultDirectory">The folder under the cache root when the settings name none.</param>
/// <param name="DiskFileName">The database file in that folder.</param>
public sealed record CacheDefinition(string Kind, int SchemaVersion, string DefaultDirectory, string DiskFileName);

/// <summary>
/// A <see cref="LayeredCache{T}"/> whose layers follow a settings section (read on every call, so a change
/// applies at once): the part LeanAssist's caches share. A derived cache adds only its key and what it stores.
/// </summary>
public abstract class ConfiguredLayeredCache<T> : IDisposable
    where T : class
{
    private readonly CacheDefinition _definition;
    private readonly Func<ICacheSettings> _settings;

    /// <param name="settings">Reads the current settings section (e.g. from an options monitor).</param>
    /// <param name="isStorable">Values that may be stored; anything else is never written, and is dropped when read back.</param>
    protected ConfiguredLayeredCache(CacheDefinition definition, Func<ICacheSettings> settings, JsonTypeInfo<T> type, Func<T, bool> isStorable,
        TimeProvider timeProvider, ILogger logger, LeanAssistMeter meter)
    {
        ArgumentNullException.ThrowIfNull(definition);
        _definition = definition;
        _settings = settings;
        Layers = new LayeredCache<T>(definition.Kind, definition.SchemaVersion, LayerSettings, type, isStorable, timeProvider, logger, meter);
    }

    public LayeredCacheStatistics Statistics => Layers.Statistics;

    /// <summary>The disk layer's file for the current settings.</summary>
    public string DiskPath => Path.Combine(LeanAssistDirectories.Resolve(_settings().Directory, _definition.DefaultDirectory), _definition.DiskFileName);

    protected LayeredCache<T> Layers { get; }

    /// <summary>Empties both layers; returns how many entries were on disk.</summary>
    public long Clear() => Layers.Clear();

    public void Dispose()
    {
        Layers.Dispose();
        GC.SuppressFinalize(this);
    }

    private CacheLayerSettings LayerSettings()
    {
        var settings = _settings();
        return new CacheLayerSettings(settings.Enabled, settings.MemoryEntries, settings.DiskEntries, DiskPath);
    }
}
