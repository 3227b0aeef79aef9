using System.Text.Json;
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
/// each written whole (temporary file, then rename) so a reader never sees half of one.
/// </summary>
/// <remarks>
/// The metrics service is resolved at the first export, not injected: hosted services are built when the
/// host starts, and building the metrics service builds every feature service (see LeanAssistServer).
/// </remarks>
public sealed class MetricsFileExporter(IServiceProvider services, IOptions<LanguageServerOptions> options, ILogger<MetricsFileExporter> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(10);

    public static string DefaultDirectory => Path.Combine(LeanAssistDirectories.CacheRoot, "metrics");

    private string? Directory => options.Value.MetricsDirectory switch
    {
        null or "" => DefaultDirectory,
        var configured when configured.Equals("none", StringComparison.OrdinalIgnoreCase) => null,
        var configured => Path.GetFullPath(configured),
    };

    public static string PrometheusFile(string directory, int processId) => Path.Combine(directory, $"leanassist-{processId}.prom");

    public static string JsonFile(string directory, int processId) => Path.Combine(directory, $"leanassist-{processId}.json");

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (Directory is null)
        {
            return;
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
            var metrics = services.GetRequiredService<MetricsService>();
            WriteWhole(PrometheusFile(directory, Environment.ProcessId), metrics.Prometheus());
            WriteWhole(JsonFile(directory, Environment.ProcessId), JsonSerializer.Serialize(metrics.Snapshot(), LeanAssistJsonContext.Default.MetricsSnapshot));
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
