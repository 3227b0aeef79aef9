using LeanAssist.Lean.Storage;
using Microsoft.Extensions.Logging;
using Serilog;
using Serilog.Core;
using Serilog.Events;
using Serilog.Formatting.Display;

namespace LeanAssist.Server.Hosting;

/// <summary>Serilog: a rolling file per process and stderr. Never stdout (it carries LSP frames).</summary>
public static class Logging
{
    private static readonly TimeSpan KeepLogsFor = TimeSpan.FromDays(7);

    public static string DefaultLogFile(string verb) =>
        Path.Combine(LeanAssistDirectories.Logs, $"leanassist-{verb}-{Environment.ProcessId}.log");

    public static Serilog.ILogger Create(LanguageServerOptions options, string verb)
    {
        var configuration = new LoggerConfiguration()
            .MinimumLevel.Is(ToSerilog(options.LogLevel))
            .MinimumLevel.Override("Microsoft", LogEventLevel.Warning)
            .Enrich.FromLogContext();

        var file = options.LogFile;
        if (!string.Equals(file, "none", StringComparison.OrdinalIgnoreCase))
        {
            var path = string.IsNullOrWhiteSpace(file) ? DefaultLogFile(verb) : Path.GetFullPath(file);
            var directory = Path.GetDirectoryName(path)!;
            Directory.CreateDirectory(directory);
            PruneOldLogs(directory);
            configuration = configuration.WriteTo.File(
                path,
                outputTemplate: "{Timestamp:yyyy-MM-dd HH:mm:ss.fff zzz} [{Level:u3}] {SourceContext}: {Message:lj}{NewLine}{Exception}",
                fileSizeLimitBytes: 10 * 1024 * 1024,
                rollOnFileSizeLimit: true,
                retainedFileCountLimit: 3,
                flushToDiskInterval: TimeSpan.FromSeconds(1));
        }

        if (options.LogToStderr)
        {
            configuration = configuration.WriteTo.Sink(new StandardErrorSink());
        }

        return configuration.CreateLogger();
    }

    /// <summary>Writes events to stderr (the process's real stderr, whatever Console.Out points at).</summary>
    private sealed class StandardErrorSink : ILogEventSink
    {
        private readonly MessageTemplateTextFormatter _formatter = new("[{Timestamp:HH:mm:ss.fff} {Level:u3}] {Message:lj}{NewLine}{Exception}");
        private readonly TextWriter _stderr = Console.Error;
        private readonly Lock _gate = new();

        public void Emit(LogEvent logEvent)
        {
            lock (_gate)
            {
                _formatter.Format(logEvent, _stderr);
                _stderr.Flush();
            }
        }
    }

    private static LogEventLevel ToSerilog(LogLevel level) => level switch
    {
        LogLevel.Trace => LogEventLevel.Verbose,
        LogLevel.Debug => LogEventLevel.Debug,
        LogLevel.Information => LogEventLevel.Information,
        LogLevel.Warning => LogEventLevel.Warning,
        LogLevel.Error => LogEventLevel.Error,
        _ => LogEventLevel.Fatal,
    };

    /// <summary>Per-process files accumulate; old ones are removed (best effort, off the start path).</summary>
    private static void PruneOldLogs(string directory) => _ = Task.Run(() =>
    {
        try
        {
            foreach (var file in Directory.EnumerateFiles(directory, "leanassist-*.log"))
            {
                if (DateTime.UtcNow - File.GetLastWriteTimeUtc(file) > KeepLogsFor)
                {
                    File.Delete(file);
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Another process may hold a file; it is pruned next time.
        }
    });
}
