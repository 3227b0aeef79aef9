using Microsoft.Data.Sqlite;

namespace LeanAssist.Testing;

/// <summary>Reads LeanAssist's SQLite cache files as they are on disk, without opening them as a store (which would rebuild a file of another version).</summary>
public static class CacheFiles
{
    /// <summary>The entries in the store file <paramref name="path"/>; 0 when there is no file.</summary>
    public static long CountEntries(string path)
    {
        if (!File.Exists(path))
        {
            return 0;
        }

        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        connection.Open();
        using var count = connection.CreateCommand();
        count.CommandText = "SELECT COUNT(*) FROM entries";
        return (long)count.ExecuteScalar()!;
    }
}
