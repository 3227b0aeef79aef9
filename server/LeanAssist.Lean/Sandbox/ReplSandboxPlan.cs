using LeanAssist.Lean.Repl;

namespace LeanAssist.Lean.Sandbox;

/// <summary>
/// The bubblewrap sandbox one REPL process runs in: a new network namespace (no network at all, loopback
/// included), new PID/IPC/UTS/user namespaces, no capabilities, a private <c>/tmp</c>, the system directories
/// and <see cref="ReadablePaths"/> read-only, and only <see cref="WritablePaths"/> writable. Nothing else of
/// the host file system exists inside (so nothing of <c>$HOME</c> beyond what is listed).
/// </summary>
/// <param name="BubblewrapPath">The <c>bwrap</c> executable.</param>
/// <param name="ReadablePaths">Absolute paths bound read-only at the same place (project, toolchain, REPL build, custom command).</param>
/// <param name="WritablePaths">Absolute directories bound read-write (the pool's proof-state pickles); created if missing.</param>
public sealed record ReplSandboxPlan(string BubblewrapPath, IReadOnlyList<string> ReadablePaths, IReadOnlyList<string> WritablePaths)
{
    /// <summary>System directories bound read-only (or recreated as the same symbolic link, on merged-/usr systems).</summary>
    private static readonly string[] SystemDirectories = ["/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/nix/store"];

    /// <summary>The few files of /etc a dynamically linked program and the .NET host read; the rest of /etc stays out.</summary>
    private static readonly string[] EtcFiles =
    [
        "/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/alternatives", "/etc/passwd", "/etc/group",
        "/etc/nsswitch.conf", "/etc/localtime", "/etc/dotnet",
    ];

    /// <summary>The same plan with one more writable directory.</summary>
    public ReplSandboxPlan WithWritable(string directory) =>
        this with { WritablePaths = [.. WritablePaths, Path.GetFullPath(directory)] };

    /// <summary>The launch of <paramref name="inner"/> inside the sandbox: <c>bwrap [options] -- program arguments</c>.</summary>
    public ReplLaunchSpec Wrap(ReplLaunchSpec inner)
    {
        ArgumentNullException.ThrowIfNull(inner);
        var arguments = new List<string>
        {
            "--die-with-parent", "--new-session", "--unshare-all", "--cap-drop", "ALL",
        };
        foreach (var directory in SystemDirectories)
        {
            var info = new DirectoryInfo(directory);
            if (info.LinkTarget is { } target)
            {
                arguments.AddRange(["--symlink", target, directory]);
            }
            else if (info.Exists)
            {
                arguments.AddRange(["--ro-bind", directory, directory]);
            }
        }

        foreach (var file in EtcFiles)
        {
            arguments.AddRange(["--ro-bind-try", file, file]);
        }

        // /tmp first: readable or writable paths below it (a project in /tmp) are bound on top of it.
        arguments.AddRange(["--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp"]);
        foreach (var path in Minimal(ReadablePaths))
        {
            arguments.AddRange(["--ro-bind-try", path, path]);
        }

        foreach (var path in WritablePaths.Distinct(StringComparer.Ordinal))
        {
            if (TryCreateDirectory(path))
            {
                arguments.AddRange(["--bind", path, path]);
            }
        }

        arguments.AddRange(["--chdir", inner.WorkingDirectory, "--setenv", "TMPDIR", "/tmp", "--", inner.FileName]);
        arguments.AddRange(inner.Arguments);
        return new ReplLaunchSpec(BubblewrapPath, arguments, inner.WorkingDirectory, $"{inner.Description} in the bubblewrap sandbox")
        {
            Environment = inner.Environment,
        };
    }

    /// <summary>A writable folder that cannot be made (a read-only or full cache disk) stays out: Lean then cannot pickle there, and the pool replays instead.</summary>
    private static bool TryCreateDirectory(string path)
    {
        try
        {
            Directory.CreateDirectory(path);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>Distinct full paths, without those inside another one (bound already with it), parents first.</summary>
    private static IEnumerable<string> Minimal(IEnumerable<string> paths)
    {
        var sorted = paths.Select(p => Path.TrimEndingDirectorySeparator(Path.GetFullPath(p))).Distinct(StringComparer.Ordinal).OrderBy(p => p.Length).ToList();
        var kept = new List<string>();
        foreach (var path in sorted)
        {
            if (!kept.Any(parent => path.StartsWith(parent + "/", StringComparison.Ordinal) || parent == "/")
                && !SystemDirectories.Any(system => path == system || path.StartsWith(system + "/", StringComparison.Ordinal)))
            {
                kept.Add(path);
            }
        }

        return kept;
    }
}
