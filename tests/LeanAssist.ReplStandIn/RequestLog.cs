using System.Text;
using System.Text.Json.Nodes;

namespace LeanAssist.ReplStandIn;

/// <summary>
/// What the stand-in did, one JSON line per event, appended to the file named by <c>--log</c> or
/// <c>LEANASSIST_STANDIN_LOG</c>: a "start" line per process and one "request" line per request. Tests read
/// it to assert what really reached "Lean" (for example: zero requests on a warm repeat).
/// </summary>
public sealed class RequestLog(string? path, int processOrdinal)
{
    // Opened once: creating a named mutex costs far more than taking it.
    private Mutex? _mutex;

    public int ProcessOrdinal { get; } = processOrdinal;

    public void Write(JsonObject entry)
    {
        if (path is null)
        {
            return;
        }

        entry["process"] = ProcessOrdinal;
        entry["pid"] = Environment.ProcessId;
        entry["time"] = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

        // Several stand-in processes share one log. FileMode.Append seeks and writes (it is not O_APPEND),
        // so concurrent writers would overwrite each other: a named mutex serializes the appends.
        var bytes = Encoding.UTF8.GetBytes(entry.ToJsonString() + "\n");
        var mutex = _mutex ??= new Mutex(initiallyOwned: false, MutexName(path));
        try
        {
            mutex.WaitOne();
        }
        catch (AbandonedMutexException)
        {
            // A stand-in died while holding it (crash fault): the mutex is ours now.
        }

        try
        {
            using var stream = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);
            stream.Write(bytes);
        }
        finally
        {
            mutex.ReleaseMutex();
        }
    }

    private static string MutexName(string path)
    {
        var hash = System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(Path.GetFullPath(path)));
        return "leanassist-standin-log-" + Convert.ToHexString(hash, 0, 8);
    }

    /// <summary>
    /// This process's ordinal among all stand-in processes sharing <paramref name="stateDirectory"/> (1 for the
    /// first started, 2 for the next, ...), claimed atomically with a marker file; 1 without a state directory.
    /// </summary>
    public static int ClaimProcessOrdinal(string? stateDirectory)
    {
        if (stateDirectory is null)
        {
            return 1;
        }

        Directory.CreateDirectory(stateDirectory);
        for (var ordinal = 1; ; ordinal++)
        {
            try
            {
                using var marker = new FileStream(Path.Combine(stateDirectory, $"process-{ordinal}"), FileMode.CreateNew, FileAccess.Write);
                marker.Write(Encoding.UTF8.GetBytes(Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture)));
                return ordinal;
            }
            catch (IOException) when (File.Exists(Path.Combine(stateDirectory, $"process-{ordinal}")))
            {
            }
        }
    }
}
