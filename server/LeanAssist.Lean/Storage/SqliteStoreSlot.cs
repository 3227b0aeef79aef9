namespace LeanAssist.Lean.Storage;

/// <summary>
/// The SQLite store a setting names now: opened on first use, reopened when the setting names another file,
/// closed when it names none, and closed for good on <see cref="Dispose"/>. Settings arrive from the editor
/// after services are built and may change while they run, so owners ask on every use instead of keeping
/// the store they were built with.
/// </summary>
/// <param name="open">Opens the store at a path, or returns null when it cannot be used (the owner logs why).</param>
public sealed class SqliteStoreSlot(Func<string, SqliteCacheStore?> open) : IDisposable
{
    private readonly Lock _gate = new();
    private SqliteCacheStore? _store;
    private string? _path;
    private bool _disposed;

    /// <summary>The store for <paramref name="path"/> (null: no store), or null once disposed.</summary>
    /// <param name="changed">Called under the slot's lock with the previous path when the path changed.</param>
    public SqliteCacheStore? For(string? path, Action<string?>? changed = null)
    {
        SqliteCacheStore? replaced = null;
        SqliteCacheStore? current;
        lock (_gate)
        {
            if (_disposed)
            {
                return null;
            }

            if (path != _path)
            {
                var previous = _path;
                replaced = _store;
                _store = path is null ? null : open(path);
                _path = path;
                changed?.Invoke(previous);
            }

            current = _store;
        }

        // Outside the lock. A reader still holding the old store is not failed: a disposed store misses
        // and drops writes (see SqliteCacheStore).
        replaced?.Dispose();
        return current;
    }

    public void Dispose()
    {
        SqliteCacheStore? store;
        lock (_gate)
        {
            _disposed = true;
            store = _store;
            _store = null;
        }

        store?.Dispose();
    }
}
