using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace LeanAssist.Lean.Storage;

/// <summary>Where a store lives and what it holds.</summary>
/// <param name="Path">The database file (its folder is created).</param>
/// <param name="Kind">What the store holds ("llm-responses", "verdicts"): a file holding another kind is rebuilt, not read.</param>
/// <param name="SchemaVersion">The format of the values; a file written with another version is rebuilt (its entries are dropped).</param>
/// <param name="MaxEntries">Entries kept; beyond it the least recently used are deleted (checked every <see cref="SqliteCacheStore.PruneInterval"/> writes).</param>
public sealed record SqliteCacheStoreOptions(string Path, string Kind, int SchemaVersion, int MaxEntries = 10_000);

/// <summary>
/// A small persistent key/value cache on SQLite, shared by LeanAssist's caches (LLM answers, verdicts). Built
/// to never make things worse than no cache:
/// <list type="bullet">
/// <item>WAL mode, so several editor windows (processes) read while one writes; <c>synchronous = NORMAL</c>, because
/// a cache may lose its last writes on power loss but must not pay a disk flush for every hit (WAL keeps it consistent).</item>
/// <item>A hit refreshes the entry's last-use time only when it is older than <see cref="TouchGranularity"/>, so reading
/// warm entries does not write.</item>
/// <item>On open, an integrity check (<c>PRAGMA quick_check</c>) and a check of the stored kind and schema version;
/// a damaged file, a file that is not a database, or one of another kind or version is deleted and rebuilt empty.</item>
/// <item>Each value carries a SHA-256 checksum of key and value; an entry that does not match is deleted and reported
/// as a miss, never returned.</item>
/// <item>I/O errors (disk full, read-only folder, locked, a damaged file that cannot be deleted) are logged and turn
/// reads into misses and writes into no-ops: the caller never sees an exception from the cache.</item>
/// <item>After <see cref="Dispose"/> (a settings change or shutdown racing a lookup) reads miss and writes are dropped.</item>
/// </list>
/// Thread-safe: every operation opens a pooled connection.
/// </summary>
public sealed class SqliteCacheStore : IDisposable
{
    public const int PruneInterval = 64;

    /// <summary>How stale an entry's last-use time may get before a hit refreshes it (pruning is least recently used).</summary>
    public static readonly TimeSpan TouchGranularity = TimeSpan.FromMinutes(10);

    private const int SqliteCorrupt = 11;
    private const int SqliteNotADatabase = 26;

    private readonly SqliteCacheStoreOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly string _connectionString;
    private readonly Action<string> _deleteFile;
    private readonly Lock _gate = new();
    private bool _opened;
    private int _writesSincePrune;
    private long _corruptEntriesDropped;
    private long _rebuilds;
    private bool _disposed;

    public SqliteCacheStore(SqliteCacheStoreOptions options, TimeProvider timeProvider, ILogger logger)
        : this(options, timeProvider, logger, File.Delete)
    {
    }

    /// <param name="deleteFile">Deletes one file of the store when it is rebuilt (tests make it fail).</param>
    internal SqliteCacheStore(SqliteCacheStoreOptions options, TimeProvider timeProvider, ILogger logger, Action<string> deleteFile)
    {
        ArgumentNullException.ThrowIfNull(options);
        _deleteFile = deleteFile;
        ArgumentException.ThrowIfNullOrWhiteSpace(options.Kind);
        _options = options with { Path = System.IO.Path.GetFullPath(options.Path) };
        _timeProvider = timeProvider;
        _logger = logger;
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = _options.Path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = true,
            DefaultTimeout = 5,
        }.ToString();
    }

    public string Path => _options.Path;

    /// <summary>Entries found damaged (checksum mismatch) and deleted since this store was created.</summary>
    public long CorruptEntriesDropped => Interlocked.Read(ref _corruptEntriesDropped);

    /// <summary>Times the file was deleted and rebuilt (damaged, not a database, other kind or version).</summary>
    public long Rebuilds => Interlocked.Read(ref _rebuilds);

    /// <summary>The value stored under <paramref name="key"/>, or null (absent, damaged, or the store is unusable).</summary>
    public byte[]? Get(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return Run(connection =>
        {
            using var select = connection.CreateCommand();
            select.CommandText = "SELECT value, checksum, accessed_at FROM entries WHERE key = $key";
            select.Parameters.AddWithValue("$key", key);
            using var reader = select.ExecuteReader();
            if (!reader.Read())
            {
                return null;
            }

            var value = (byte[])reader.GetValue(0);
            var checksum = reader.IsDBNull(1) ? [] : (byte[])reader.GetValue(1);
            var accessedAt = reader.GetInt64(2);
            reader.Close();
            if (!CryptographicOperations.FixedTimeEquals(checksum, Checksum(key, value)))
            {
                Interlocked.Increment(ref _corruptEntriesDropped);
                _logger.LogWarning("Dropped a damaged entry from {Store} (its checksum does not match).", _options.Path);
                Delete(connection, key);
                return null;
            }

            var now = Now();
            if (now - accessedAt >= (long)TouchGranularity.TotalMilliseconds)
            {
                using var touch = connection.CreateCommand();
                touch.CommandText = "UPDATE entries SET accessed_at = $now WHERE key = $key";
                touch.Parameters.AddWithValue("$now", now);
                touch.Parameters.AddWithValue("$key", key);
                touch.ExecuteNonQuery();
            }

            return value;
        }, fallback: null);
    }

    /// <summary>Stores <paramref name="value"/> under <paramref name="key"/>, replacing what was there.</summary>
    public void Set(string key, byte[] value)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(value);
        Run(connection =>
        {
            using var upsert = connection.CreateCommand();
            upsert.CommandText = """
                INSERT INTO entries (key, value, checksum, created_at, accessed_at) VALUES ($key, $value, $checksum, $now, $now)
                ON CONFLICT (key) DO UPDATE SET value = excluded.value, checksum = excluded.checksum, created_at = excluded.created_at, accessed_at = excluded.accessed_at
                """;
            upsert.Parameters.AddWithValue("$key", key);
            upsert.Parameters.AddWithValue("$value", value);
            upsert.Parameters.AddWithValue("$checksum", Checksum(key, value));
            upsert.Parameters.AddWithValue("$now", Now());
            upsert.ExecuteNonQuery();
            if (Interlocked.Increment(ref _writesSincePrune) >= PruneInterval)
            {
                Interlocked.Exchange(ref _writesSincePrune, 0);
                Prune(connection);
            }

            return true;
        }, fallback: false);
    }

    public bool Remove(string key) => Run(connection => Delete(connection, key) > 0, fallback: false);

    /// <summary>The number of entries (0 when the store is unusable).</summary>
    public long Count() => Run(connection =>
    {
        using var count = connection.CreateCommand();
        count.CommandText = "SELECT COUNT(*) FROM entries";
        return Convert.ToInt64(count.ExecuteScalar(), CultureInfo.InvariantCulture);
    }, fallback: 0L);

    /// <summary>Deletes the least recently used entries beyond <see cref="SqliteCacheStoreOptions.MaxEntries"/> now.</summary>
    public void Prune() => Run(connection =>
    {
        Prune(connection);
        return true;
    }, fallback: false);

    public void Clear() => Run(connection =>
    {
        using var delete = connection.CreateCommand();
        delete.CommandText = "DELETE FROM entries";
        delete.ExecuteNonQuery();
        return true;
    }, fallback: false);

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        Volatile.Write(ref _disposed, true);
        using var connection = new SqliteConnection(_connectionString);
        SqliteConnection.ClearPool(connection);
    }

    /// <summary>Runs <paramref name="operation"/> on an open, checked store; rebuilds once on corruption; never throws I/O errors.</summary>
    private T Run<T>(Func<SqliteConnection, T> operation, T fallback)
    {
        if (Volatile.Read(ref _disposed))
        {
            // Not an error worth an exception: a layer replaced by a settings change, or shutdown, racing a lookup.
            return fallback;
        }

        for (var attempt = 0; attempt < 2; attempt++)
        {
            try
            {
                EnsureOpened();
                using var connection = new SqliteConnection(_connectionString);
                connection.Open();
                using (var pragma = connection.CreateCommand())
                {
                    // Per connection (pooled connections keep it; setting it again costs microseconds).
                    pragma.CommandText = "PRAGMA synchronous = NORMAL";
                    pragma.ExecuteNonQuery();
                }

                return operation(connection);
            }
            catch (SqliteException e) when (e.SqliteErrorCode is SqliteCorrupt or SqliteNotADatabase && attempt == 0)
            {
                _logger.LogWarning("{Store} is damaged ({Message}); rebuilding it empty.", _options.Path, e.Message);

                // An exception thrown inside a catch block is not caught by the clauses beside it: guard the rebuild here.
                try
                {
                    lock (_gate)
                    {
                        Rebuild();
                    }
                }
                catch (Exception rebuild) when (rebuild is SqliteException or IOException or UnauthorizedAccessException)
                {
                    _logger.LogWarning("The damaged cache {Store} could not be rebuilt ({Message}); continuing without it.", _options.Path, rebuild.Message);

                    // Half rebuilt: check the file again on the next call (it may be deletable by then).
                    Volatile.Write(ref _opened, false);
                    return fallback;
                }
            }
            catch (Exception e) when (e is SqliteException or IOException or UnauthorizedAccessException)
            {
                _logger.LogWarning("The cache {Store} is not usable ({Message}); continuing without it.", _options.Path, e.Message);
                return fallback;
            }
        }

        return fallback;
    }

    private void EnsureOpened()
    {
        if (Volatile.Read(ref _opened))
        {
            return;
        }

        lock (_gate)
        {
            if (_opened)
            {
                return;
            }

            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(_options.Path)!);
            if (File.Exists(_options.Path) && DescribeProblem() is { } problem)
            {
                _logger.LogWarning("Rebuilding {Store}: {Problem}.", _options.Path, problem);
                Rebuild();
            }
            else
            {
                CreateSchema();
            }

            Volatile.Write(ref _opened, true);
        }
    }

    /// <summary>Why an existing file cannot be used as it is, or null when it can.</summary>
    private string? DescribeProblem()
    {
        try
        {
            using var connection = new SqliteConnection(_connectionString);
            connection.Open();
            using (var check = connection.CreateCommand())
            {
                check.CommandText = "PRAGMA quick_check";
                var result = check.ExecuteScalar() as string;
                if (!string.Equals(result, "ok", StringComparison.Ordinal))
                {
                    return $"integrity check failed ({result})";
                }
            }

            using var meta = connection.CreateCommand();
            meta.CommandText = "SELECT name, value FROM store_meta";
            var values = new Dictionary<string, string>(StringComparer.Ordinal);
            using (var reader = meta.ExecuteReader())
            {
                while (reader.Read())
                {
                    values[reader.GetString(0)] = reader.GetString(1);
                }
            }

            var version = _options.SchemaVersion.ToString(CultureInfo.InvariantCulture);
            if (!values.TryGetValue("kind", out var kind) || kind != _options.Kind)
            {
                return $"it holds \"{kind ?? "nothing known"}\", not \"{_options.Kind}\"";
            }

            return values.TryGetValue("schema_version", out var stored) && stored == version
                ? null
                : $"schema version {stored ?? "none"}, expected {version}";
        }
        catch (SqliteException e)
        {
            return $"it cannot be read ({e.Message})";
        }
    }

    private void Rebuild()
    {
        Interlocked.Increment(ref _rebuilds);
        using (var connection = new SqliteConnection(_connectionString))
        {
            SqliteConnection.ClearPool(connection);
        }

        foreach (var suffix in new[] { "", "-wal", "-shm", "-journal" })
        {
            _deleteFile(_options.Path + suffix);
        }

        CreateSchema();
    }

    private void CreateSchema()
    {
        using var connection = new SqliteConnection(_connectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = """
            PRAGMA journal_mode = WAL;
            CREATE TABLE IF NOT EXISTS store_meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS entries (
                key TEXT PRIMARY KEY,
                value BLOB NOT NULL,
                checksum BLOB NOT NULL,
                created_at INTEGER NOT NULL,
                accessed_at INTEGER NOT NULL);
            CREATE INDEX IF NOT EXISTS entries_by_access ON entries (accessed_at);
            INSERT OR IGNORE INTO store_meta (name, value) VALUES ('kind', $kind), ('schema_version', $version);
            """;
        command.Parameters.AddWithValue("$kind", _options.Kind);
        command.Parameters.AddWithValue("$version", _options.SchemaVersion.ToString(CultureInfo.InvariantCulture));
        command.ExecuteNonQuery();
        Prune(connection);
    }

    private void Prune(SqliteConnection connection)
    {
        using var prune = connection.CreateCommand();
        prune.CommandText = """
            DELETE FROM entries WHERE key IN (
                SELECT key FROM entries ORDER BY accessed_at ASC
                LIMIT MAX(0, (SELECT COUNT(*) FROM entries) - $max))
            """;
        prune.Parameters.AddWithValue("$max", Math.Max(0, _options.MaxEntries));
        var deleted = prune.ExecuteNonQuery();
        if (deleted > 0)
        {
            _logger.LogDebug("Pruned {Count} least recently used entries from {Store}.", deleted, _options.Path);
        }
    }

    private static int Delete(SqliteConnection connection, string key)
    {
        using var delete = connection.CreateCommand();
        delete.CommandText = "DELETE FROM entries WHERE key = $key";
        delete.Parameters.AddWithValue("$key", key);
        return delete.ExecuteNonQuery();
    }

    private long Now() => _timeProvider.GetUtcNow().ToUnixTimeMilliseconds();

    private static byte[] Checksum(string key, byte[] value)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(Encoding.UTF8.GetBytes(key));
        hash.AppendData([0]);
        hash.AppendData(value);
        return hash.GetHashAndReset();
    }
}
