using System.CommandLine;
using LeanAssist.Server.Telemetry;

namespace LeanAssist.Server.CommandLine;

/// <summary>
/// <c>leanassist metrics [--format prometheus|json] [--file PATH]</c>: prints the metrics a running (or
/// the last) language server exported. Exit code 1 when there is no export.
/// </summary>
public static class MetricsCommand
{
    private static readonly Option<string> Format = new("--format")
    {
        Description = "prometheus (text exposition) or json.",
        DefaultValueFactory = _ => "prometheus",
    };

    private static readonly Option<string?> File = new("--file")
    {
        Description = "An exported file to print (default: the newest export of a running server, else the newest export).",
    };

    private static readonly Option<string?> Directory = new("--directory")
    {
        Description = "Where servers export metrics (default: <cache>/metrics).",
    };

    public static Command Create()
    {
        Format.AcceptOnlyFromAmong("prometheus", "json");
        var command = new Command("metrics", "Print the language server's metrics (Prometheus text or JSON).") { Format, File, Directory };
        command.SetAction(RunAsync);
        return command;
    }

    private static async Task<int> RunAsync(ParseResult result, CancellationToken cancellationToken)
    {
        var extension = result.GetValue(Format) == "json" ? ".json" : ".prom";
        var path = result.GetValue(File) ?? Newest(result.GetValue(Directory) ?? MetricsFileExporter.DefaultDirectory, extension);
        if (path is null || !System.IO.File.Exists(path))
        {
            await result.InvocationConfiguration.Error.WriteLineAsync(
                $"leanassist metrics: no exported metrics found{(path is null ? string.Empty : $" at {path}")}. The language server writes them while it runs (every {MetricsFileExporter.Interval.TotalSeconds:0} s).").ConfigureAwait(false);
            return 1;
        }

        await result.InvocationConfiguration.Output.WriteAsync(await System.IO.File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false)).ConfigureAwait(false);
        return 0;
    }

    /// <summary>The newest export of a server that still runs, else the newest export.</summary>
    public static string? Newest(string directory, string extension)
    {
        if (!System.IO.Directory.Exists(directory))
        {
            return null;
        }

        var files = new DirectoryInfo(directory).GetFiles("leanassist-*" + extension).OrderByDescending(f => f.LastWriteTimeUtc).ToArray();
        return (files.FirstOrDefault(f => MetricsFileExporter.ExporterProcessId(f.Name) is { } id && LeanAssist.Lean.Repl.ProcessTree.IsAlive(id)) ?? files.FirstOrDefault())?.FullName;
    }
}
