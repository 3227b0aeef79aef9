using System.Globalization;
using System.Text.Json;
using LeanAssist.Lean.Repl;
using LeanAssist.Lean.Storage;
using LeanAssist.Server.Hosting;
using LeanAssist.Server.LanguageServer;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace LeanAssist.Server.Telemetry;

/// <summary>
/// Writes the server's metrics where <c>leanassist metrics</c> finds them: Prometheus text and JSON in
/// <c>&lt;cache&gt;/metrics/leanassist-&lt;pid&gt;.{prom,json}</c>, every few seconds and at shutdown,
/// each written whole (temporary file, then rename) so a reader never sees half of one. At start it
/// deletes the exports of servers that no longer run and were last written over a day ago.
/// </summary>
/// <remarks>
/// The metrics service is resolved at the first export, not injected: hosted services are built when the
/// host starts, and building the metrics service builds every feature service (see LeanAssistServer).
/// </remarks>
public sealed class MetricsFileExporter(
    IServiceProvider services,
    IOptions<LanguageServerOptions> options,
    TimeProvider time,
    ILogger<MetricsFileExporter> logger) : BackgroundService
{
    private const string FilePrefix = "leanassist-";

    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long the export of a server that has ended is kept. Not deleted at once: <c>leanassist
    /// metrics</c> shows the newest export when no server runs, which is how a session that just ended
    /// (or crashed) is looked at.
    /// </summary>
    public static readonly TimeSpan KeepEndedExportsFor = TimeSpan.FromDays(1);

    public static string DefaultDirectory => Path.Combine(LeanAssistDirectories.CacheRoot, "metrics");

    private string? Directory => options.Value.MetricsDirectory switch
    {
        null or "" => DefaultDirectory,
        var configured when configured.Equals("none", StringComparison.OrdinalIgnoreCase) => null,
        var configured => Path.GetFullPath(configured),
    };

    public static string PrometheusFile(string directory, int processId) => Path.Combine(directory, $"leanassist-{processId}.prom");

    public static string JsonFile(string directory, int processId) => Path.Combine(directory, $"leanassist-{processId}.json");

    /// <summary>The server process id in an export's file name (leanassist-PID.prom, .json, or a leftover .tmp), or null.</summary>
    public static int? ExporterProcessId(string fileName)
    {
        if (!fileName.StartsWith(FilePrefix, StringComparison.Ordinal))
        {
            return null;
        }

        var rest = fileName[FilePrefix.Length..];
        var dot = rest.IndexOf('.', StringComparison.Ordinal);
        return dot > 0 && int.TryParse(rest[..dot], NumberStyles.None, CultureInfo.InvariantCulture, out var processId) ? processId : null;
    }

    /// <summary>
    /// Deletes every export (and leftover temporary file) in <paramref name="directory"/> whose server is
    /// not alive and that was last written more than <see cref="KeepEndedExportsFor"/> before
    /// <paramref name="now"/>. Other files are left alone. Returns the number of files deleted.
    /// </summary>
    public static int Prune(string directory, DateTimeOffset now, Func<int, bool> isAlive, ILogger logger)
    {
        if (!System.IO.Directory.Exists(directory))
        {
            return 0;
        }

        var deleted = 0;
        foreach (var file in new DirectoryInfo(directory).EnumerateFiles(FilePrefix + "*"))
        {
            if (ExporterProcessId(file.Name) is not { } processId
                || now - file.LastWriteTimeUtc <= KeepEndedExportsFor
                || isAlive(processId))
            {
                continue;
            }

            try
            {
                file.Delete();
                deleted++;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Another server pruning at the same moment, or a file we may not touch: not ours to insist on.
                logger.LogDebug(e, "Could not delete the old metrics export {File}.", file.FullName);
            }
        }

        if (deleted > 0)
        {
            logger.LogInformation("Deleted {Count} metrics export file(s) of servers that ended over a day ago.", deleted);
        }

        return deleted;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (Directory is not { } directory)
        {
            return;
        }

        // Off the start-up path (ExecuteAsync runs synchronously up to its first await, inside host start).
        await Task.Yield();
        try
        {
            Prune(directory, time.GetUtcNow(), ProcessTree.IsAlive, logger);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Housekeeping only: a failure here must not stop the exporter (or, through the host, the server).
            logger.LogDebug(e, "Could not prune old metrics exports in {Directory}.", directory);
        }

        // The first export waits one interval: start-up is for answering initialize.
        using var timer = new PeriodicTimer(Interval);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                Export();
            }
        }
        catch (OperationCanceledException)
        {
        }
        finally
        {
            Export();
        }
    }

    public void Export()
    {
        if (Directory is not { } directory)
        {
            return;
        }

        try
        {
            System.IO.Directory.CreateDirectory(directory);
            var (prometheus, snapshot) = services.GetRequiredService<MetricsService>().Export();
            WriteWhole(PrometheusFile(directory, Environment.ProcessId), prometheus);
            WriteWhole(JsonFile(directory, Environment.ProcessId), JsonSerializer.Serialize(snapshot, LeanAssistJsonContext.Default.MetricsSnapshot));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            logger.LogDebug(e, "Could not export metrics.");
        }
    }

    private static void WriteWhole(string path, string content)
    {
        var temporary = path + ".tmp";
        File.WriteAllText(temporary, content);
        File.Move(temporary, path, overwrite: true);
    }
}
