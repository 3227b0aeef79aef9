using LeanAssist.Lean.Storage;
using System.Text;
using LeanAssist.Suggestions.Caching;
using LeanAssist.Testing;
using LeanAssist.Testing.Time;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;

namespace LeanAssist.Suggestions.Tests.Caching;

public sealed class SqliteCacheStoreTests : IDisposable
{
    private readonly TemporaryDirectory _directory = new();
    private readonly ManualTimeProvider _time = new();

    private string DatabasePath => _directory.Combine("store", "test.db");

    private SqliteCacheStore Open(string kind = "test-kind", int version = 1, int maxEntries = 100) =>
        new(new SqliteCacheStoreOptions(DatabasePath, kind, version, maxEntries), _time, NullLogger.Instance);

    [Fact]
    public void Values_SurviveReopening_AndTheFileIsInWalMode()
    {
        using (var store = Open())
        {
            store.Set("a", "alpha"u8.ToArray());
        }

        using var reopened = Open();
        Assert.Equal("alpha", Encoding.UTF8.GetString(reopened.Get("a")!));
        Assert.Null(reopened.Get("missing"));
        Assert.Equal("wal", Scalar("PRAGMA journal_mode"));
    }

    [Fact]
    public void EntryWhoseBytesChanged_IsDropped_NotReturned()
    {
        using (var store = Open())
        {
            store.Set("a", "alpha"u8.ToArray());
            store.Set("b", "beta"u8.ToArray());
        }

        Execute("UPDATE entries SET value = X'62657461' WHERE key = 'a'");

        using var reopened = Open();
        Assert.Null(reopened.Get("a"));
        Assert.Equal(1, reopened.CorruptEntriesDropped);
        Assert.Equal(1, reopened.Count());
        Assert.Equal("beta", Encoding.UTF8.GetString(reopened.Get("b")!));
    }

    [Fact]
    public void FileThatIsNotADatabase_IsRebuiltEmpty_AndUsable()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(DatabasePath)!);
        File.WriteAllBytes(DatabasePath, Encoding.UTF8.GetBytes(new string('x', 8192)));

        using var store = Open();
        Assert.Null(store.Get("a"));
        store.Set("a", [1, 2, 3]);
        Assert.Equal([1, 2, 3], store.Get("a"));
        Assert.Equal(1, store.Rebuilds);
    }

    [Fact]
    public void DatabaseDamagedInThePages_IsRebuilt()
    {
        using (var store = Open(maxEntries: 1000))
        {
            for (var i = 0; i < 200; i++)
            {
                store.Set($"key-{i}", new byte[512]);
            }
        }

        Execute("PRAGMA wal_checkpoint(TRUNCATE)");
        SqliteConnection.ClearAllPools();
        // Overwrite the middle of the file (table pages), keeping the header: SQLite still opens it, the check does not pass.
        using (var file = new FileStream(DatabasePath, FileMode.Open, FileAccess.ReadWrite))
        {
            file.Position = file.Length / 2;
            file.Write(Enumerable.Repeat((byte)0xA5, 8192).ToArray());
        }

        using var reopened = Open(maxEntries: 1000);
        Assert.Null(reopened.Get("key-5"));
        Assert.Equal(1, reopened.Rebuilds);
        reopened.Set("fresh", [7]);
        Assert.Equal([7], reopened.Get("fresh"));
    }

    [Fact]
    public void FileOfAnotherSchemaVersionOrKind_IsRebuilt()
    {
        using (var store = Open(version: 1))
        {
            store.Set("a", [1]);
        }

        using (var newer = Open(version: 2))
        {
            Assert.Null(newer.Get("a"));
            Assert.Equal(1, newer.Rebuilds);
            newer.Set("a", [2]);
        }

        using var otherKind = Open(kind: "other-kind", version: 2);
        Assert.Null(otherKind.Get("a"));
        Assert.Equal(1, otherKind.Rebuilds);
    }

    [Fact]
    public void Prune_KeepsTheMostRecentlyUsedEntries()
    {
        using var store = Open(maxEntries: 3);
        foreach (var key in new[] { "a", "b", "c", "d" })
        {
            store.Set(key, [1]);
            _time.Advance(TimeSpan.FromSeconds(1));
        }

        _time.Advance(SqliteCacheStore.TouchGranularity);
        Assert.NotNull(store.Get("a"));
        _time.Advance(TimeSpan.FromSeconds(1));
        store.Prune();

        Assert.Equal(3, store.Count());
        Assert.Null(store.Get("b"));
        Assert.NotNull(store.Get("a"));
    }

    [Fact]
    public void A_hit_refreshes_the_last_use_time_only_when_it_is_older_than_the_touch_granularity()
    {
        using var store = Open();
        store.Set("a", [1]);
        var written = Scalar("SELECT accessed_at FROM entries WHERE key = 'a'");

        _time.Advance(SqliteCacheStore.TouchGranularity - TimeSpan.FromSeconds(1));
        Assert.NotNull(store.Get("a"));
        Assert.Equal(written, Scalar("SELECT accessed_at FROM entries WHERE key = 'a'"));

        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.NotNull(store.Get("a"));
        Assert.Equal(_time.GetUtcNow().ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture), Scalar("SELECT accessed_at FROM entries WHERE key = 'a'"));
    }

    [Fact]
    public void UnwritableLocation_MakesReadsMissesAndWritesNoOps_WithoutThrowing()
    {
        var blocker = _directory.Combine("blocker");
        File.WriteAllText(blocker, "a file where the store wants a folder");
        using var store = new SqliteCacheStore(new SqliteCacheStoreOptions(Path.Combine(blocker, "x.db"), "k", 1), _time, NullLogger.Instance);

        store.Set("a", [1]);
        Assert.Null(store.Get("a"));
        Assert.Equal(0, store.Count());
    }

    [Fact]
    public void DamageFoundInUse_WhenTheFileCannotBeDeleted_IsAMiss_NotAnException()
    {
        var deletesFail = true;
        using var store = new SqliteCacheStore(new SqliteCacheStoreOptions(DatabasePath, "test-kind", 1, 100), _time, NullLogger.Instance, path =>
        {
            if (deletesFail)
            {
                throw new IOException($"stand-in for a locked or read-only file: {path}");
            }

            File.Delete(path);
        });
        store.Set("a", [1]);
        Assert.Equal([1], store.Get("a"));

        // The store is open and checked; now the file stops being a database under it.
        Execute("PRAGMA wal_checkpoint(TRUNCATE)");
        SqliteConnection.ClearAllPools();
        File.WriteAllBytes(DatabasePath, Encoding.UTF8.GetBytes(new string('x', 8192)));

        // The rebuild fails (the seam throws); callers still see only misses and dropped writes.
        Assert.Null(store.Get("a"));
        store.Set("b", [2]);
        Assert.Equal(0, store.Count());
        Assert.True(store.Rebuilds >= 1);

        // Once the file can be deleted, the next call rebuilds the store and it works again.
        deletesFail = false;
        store.Set("c", [3]);
        Assert.Equal([3], store.Get("c"));
        Assert.Null(store.Get("a"));
    }

    [Fact]
    public void AfterDispose_ReadsMissAndWritesAreDropped()
    {
        var store = Open();
        store.Set("a", [1]);
        store.Dispose();

        Assert.Null(store.Get("a"));
        store.Set("b", [2]);
        Assert.Equal(0, store.Count());
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _directory.Dispose();
    }

    private void Execute(string sql)
    {
        using var connection = new SqliteConnection($"Data Source={DatabasePath};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private string? Scalar(string sql)
    {
        using var connection = new SqliteConnection($"Data Source={DatabasePath};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar()?.ToString();
    }
}
