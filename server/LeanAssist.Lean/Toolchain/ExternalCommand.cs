using System.ComponentModel;
using System.Diagnostics;

namespace LeanAssist.Lean.Toolchain;

/// <summary>Runs a tool (git, lake) to completion, streaming its output lines, and kills its process tree if canceled.</summary>
public static class ExternalCommand
{
    /// <returns>The exit code, or null when the program could not be started.</returns>
    public static async Task<int?> RunAsync(string fileName, IReadOnlyList<string> arguments, string workingDirectory, Action<string> onLine, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // Never let git or lake stop to ask for credentials on a terminal nobody watches.
        start.Environment["GIT_TERMINAL_PROMPT"] = "0";
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { onLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { onLine(e.Data); } };
        try
        {
            process.Start();
        }
        catch (Win32Exception e)
        {
            onLine($"{fileName}: {e.Message}");
            return null;
        }

        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return process.ExitCode;
    }

    /// <summary>Finds a program on PATH (null when absent).</summary>
    public static string? FindOnPath(string program, string? pathVariable = null) =>
        FindIn((pathVariable ?? Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries),
            program, OperatingSystem.IsWindows());

    /// <summary>The first of <paramref name="directories"/> holding <paramref name="program"/> (on Windows also as .exe or .cmd), or null.</summary>
    internal static string? FindIn(IEnumerable<string> directories, string program, bool isWindows)
    {
        var names = isWindows ? new[] { program + ".exe", program + ".cmd", program } : [program];
        foreach (var directory in directories)
        {
            foreach (var name in names)
            {
                var candidate = Path.Combine(directory, name);
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }
        }

        return null;
    }
}
