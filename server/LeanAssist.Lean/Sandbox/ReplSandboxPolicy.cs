using LeanAssist.Lean.Repl;
using LeanAssist.Lean.Sessions;
using LeanAssist.Lean.Toolchain;

namespace LeanAssist.Lean.Sandbox;

/// <summary>What doctor and the status say about the sandbox: whether REPL processes get it, and why not.</summary>
/// <param name="Active">REPL processes start inside the sandbox.</param>
/// <param name="Summary">One line for people ("bubblewrap: no network, …", "off (leanAssist.repl.sandbox)", "unavailable: …").</param>
public sealed record ReplSandboxState(ReplSandboxMode Mode, bool Active, string Summary, string? Problem);

/// <summary>
/// Applies <c>leanAssist.repl.sandbox</c> to a launch: <c>auto</c> sandboxes it where bubblewrap works,
/// <c>required</c> refuses without it, <c>off</c> leaves it alone. Also decides what the sandbox lets the
/// REPL read: the project, the toolchain (elan's home, lake's toolchain), the REPL build, and for a custom
/// command the program's folder and the absolute paths it names.
/// </summary>
public static class ReplSandboxPolicy
{
    public static ReplSandboxState Describe(ReplSandboxMode mode, SandboxAvailability availability)
    {
        ArgumentNullException.ThrowIfNull(availability);
        return (mode, availability.IsAvailable) switch
        {
            (ReplSandboxMode.Off, _) => new ReplSandboxState(mode, false, "off (leanAssist.repl.sandbox): Lean runs unsandboxed", null),
            (_, true) => new ReplSandboxState(mode, true,
                $"bubblewrap ({availability.BubblewrapPath}): no network, file system read-only except the session's temporary and proof-state folders", null),
            (ReplSandboxMode.Required, false) => new ReplSandboxState(mode, false, "required but unavailable: Lean is not started. " + availability.Problem, availability.Problem),
            _ => new ReplSandboxState(mode, false, "unavailable, Lean runs unsandboxed: " + availability.Problem, availability.Problem),
        };
    }

    /// <summary>The launch with the sandbox attached (or as it was, for <c>off</c> and an unavailable <c>auto</c>).</summary>
    /// <exception cref="LeanUnavailableException"><c>required</c> and no sandbox here.</exception>
    public static ReplLaunchSpec Apply(ReplLaunchSpec launch, ReplSandboxMode mode, SandboxAvailability availability, IEnumerable<string> readablePaths)
    {
        ArgumentNullException.ThrowIfNull(launch);
        ArgumentNullException.ThrowIfNull(availability);
        if (mode == ReplSandboxMode.Off)
        {
            return launch;
        }

        if (availability.BubblewrapPath is not { } bwrap)
        {
            return mode == ReplSandboxMode.Required
                ? throw new LeanUnavailableException(LeanUnavailableReason.NotConfigured,
                    $"leanAssist.repl.sandbox is \"required\", but {availability.Problem}. Lean is not started without its sandbox: "
                    + "install bubblewrap, or set leanAssist.repl.sandbox to \"auto\" to let Lean run unsandboxed where the sandbox is unavailable.")
                : launch;
        }

        return launch with { Sandbox = new ReplSandboxPlan(bwrap, [.. readablePaths, launch.WorkingDirectory], []) };
    }

    /// <summary>What the default launch (<c>lake env &lt;repl&gt;</c>) reads: elan's home, the toolchains of lake and lean, the REPL build.</summary>
    public static IEnumerable<string> ToolchainPaths(ToolchainSearchEnvironment environment, ToolchainOptions options, string? lake, string replBuildDirectory)
    {
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(options);
        var elanHome = !string.IsNullOrWhiteSpace(environment.ElanHome) ? environment.ElanHome
            : !string.IsNullOrWhiteSpace(environment.HomeDirectory) ? Path.Combine(environment.HomeDirectory, ".elan") : null;
        if (elanHome is not null && Directory.Exists(elanHome))
        {
            yield return elanHome;
        }

        foreach (var tool in new[] { lake, options.LakePath, options.LeanPath, options.ElanPath })
        {
            if (!string.IsNullOrWhiteSpace(tool) && Path.IsPathRooted(tool))
            {
                foreach (var path in ToolchainRoots(tool))
                {
                    yield return path;
                }
            }
        }

        yield return replBuildDirectory;
    }

    /// <summary>What a custom <c>leanAssist.repl.command</c> reads: its program's folder (and the folder a link points to) and every absolute path it names.</summary>
    public static IEnumerable<string> CustomCommandPaths(ReplLaunchSpec launch)
    {
        ArgumentNullException.ThrowIfNull(launch);
        var program = Path.IsPathRooted(launch.FileName) ? launch.FileName : ExternalCommand.FindOnPath(launch.FileName);
        if (program is not null && File.Exists(program))
        {
            yield return Path.GetDirectoryName(Path.GetFullPath(program))!;
            if (new FileInfo(program).ResolveLinkTarget(returnFinalTarget: true) is { } target)
            {
                yield return Path.GetDirectoryName(target.FullName)!;
            }
        }

        foreach (var argument in launch.Arguments)
        {
            if (Path.IsPathRooted(argument) && (File.Exists(argument) || Directory.Exists(argument)))
            {
                yield return argument;
            }
        }
    }

    /// <summary>A tool's folder, and for a tool inside a toolchain (<c>…/bin/lake</c>) the toolchain's root, following links.</summary>
    private static IEnumerable<string> ToolchainRoots(string tool)
    {
        var file = new FileInfo(tool);
        var real = file.ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? file.FullName;
        foreach (var path in new[] { file.FullName, real })
        {
            var bin = Path.GetDirectoryName(path);
            if (bin is null)
            {
                continue;
            }

            // Never widen to / or the home folder itself (a tool in /bin or ~/bin).
            var root = Path.GetFileName(bin) == "bin" ? Path.GetDirectoryName(bin) : null;
            yield return root is null || root == Path.GetPathRoot(root) || root == Environment.GetFolderPath(Environment.SpecialFolder.UserProfile) ? bin : root;
        }
    }
}
