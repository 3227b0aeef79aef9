using System.Collections.Concurrent;
using System.ComponentModel;
using System.Diagnostics;
using LeanAssist.Lean.Toolchain;

namespace LeanAssist.Lean.Sandbox;

/// <summary>Whether bubblewrap can sandbox processes here, and if not, why (for doctor, the status and "required").</summary>
/// <param name="BubblewrapPath">The <c>bwrap</c> executable, when it was found and works.</param>
/// <param name="Problem">Why there is no sandbox (null when there is one).</param>
public sealed record SandboxAvailability(string? BubblewrapPath, string? Problem)
{
    public bool IsAvailable => BubblewrapPath is not null;
}

/// <summary>
/// Finds <c>bwrap</c> on PATH and checks once that it can create the namespaces the sandbox needs (a
/// container or a kernel without unprivileged user namespaces has bwrap installed but unusable). The result
/// is remembered per executable: the check starts a process, and every REPL launch asks.
/// </summary>
public sealed class BubblewrapProbe(IReadOnlyList<string> searchDirectories)
{
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(10);
    private static readonly ConcurrentDictionary<string, string?> ProbeResults = new(StringComparer.Ordinal);

    /// <summary>Searches the process's PATH (and /usr/bin, where Debian's package puts it).</summary>
    public static BubblewrapProbe FromProcess { get; } = new(
        [.. (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries), "/usr/bin"]);

    public SandboxAvailability Check()
    {
        if (!OperatingSystem.IsLinux())
        {
            return new SandboxAvailability(null,
                $"the REPL sandbox uses bubblewrap, which exists only on Linux; on {RuntimeName()} Lean runs unsandboxed (see docs/security.md)");
        }

        var bwrap = ExternalCommand.FindIn(searchDirectories, "bwrap", isWindows: false);
        if (bwrap is null)
        {
            return new SandboxAvailability(null, "bubblewrap (bwrap) was not found on PATH; install it (Debian/Ubuntu: sudo apt install bubblewrap, Fedora: sudo dnf install bubblewrap)");
        }

        var problem = ProbeResults.GetOrAdd(bwrap, Probe);
        return problem is null ? new SandboxAvailability(bwrap, null) : new SandboxAvailability(null, problem);
    }

    /// <summary>Runs <c>true</c> in the same namespaces the REPL gets; null when that works, else what went wrong.</summary>
    private static string? Probe(string bwrap)
    {
        var truePath = File.Exists("/usr/bin/true") ? "/usr/bin/true" : "/bin/true";
        var start = new ProcessStartInfo(bwrap)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "--die-with-parent", "--unshare-all", "--cap-drop", "ALL", "--ro-bind", "/", "/", "--proc", "/proc", "--dev", "/dev", "--", truePath })
        {
            start.ArgumentList.Add(argument);
        }

        try
        {
            using var process = Process.Start(start)!;
            process.StandardInput.Close();
            var stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(ProbeTimeout))
            {
                process.Kill(entireProcessTree: true);
                return $"{bwrap} did not finish a test run within {ProbeTimeout.TotalSeconds:0} s";
            }

            return process.ExitCode == 0
                ? null
                : $"{bwrap} is installed but cannot create a sandbox here (exit code {process.ExitCode}: {stderr.Result.Trim()}); "
                  + "unprivileged user namespaces may be disabled (sysctl kernel.unprivileged_userns_clone / user.max_user_namespaces, or an AppArmor restriction)";
        }
        catch (Exception e) when (e is Win32Exception or InvalidOperationException or IOException)
        {
            return $"{bwrap} could not be started: {e.Message}";
        }
    }

    private static string RuntimeName() =>
        OperatingSystem.IsMacOS() ? "macOS" : OperatingSystem.IsWindows() ? "Windows" : System.Runtime.InteropServices.RuntimeInformation.OSDescription;
}
