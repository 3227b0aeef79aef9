using System.Text;
using LeanAssist.Lean.Storage;

namespace LeanAssist.Lean.Toolchain;

/// <summary>
/// Where REPL builds live: one folder per toolchain under the build root, so projects on different Lean
/// versions each get a REPL built with their own version (the REPL must match the toolchain it runs with).
/// </summary>
public sealed class ReplBuildLayout(string buildRoot)
{
    public const string RepositoryUrl = "https://github.com/leanprover-community/repl";

    public string BuildRoot { get; } = buildRoot;

    public static ReplBuildLayout FromOptions(ToolchainOptions options) =>
        new(LeanAssistDirectories.Resolve(options.ReplBuildDirectory, "repl"));

    /// <summary>The folder for a toolchain ("leanprover/lean4:v4.32.0" → "leanprover-lean4-v4.32.0").</summary>
    public string DirectoryFor(string toolchain) => Path.Combine(BuildRoot, SafeName(toolchain));

    /// <summary>The REPL source checkout for a toolchain.</summary>
    public string SourceDirectoryFor(string toolchain) => Path.Combine(DirectoryFor(toolchain), "repl");

    /// <summary>The built REPL executable for a toolchain (it may not exist yet).</summary>
    public string ExecutableFor(string toolchain) =>
        Path.Combine(SourceDirectoryFor(toolchain), ".lake", "build", "bin", OperatingSystem.IsWindows() ? "repl.exe" : "repl");

    public bool IsBuilt(string toolchain) => File.Exists(ExecutableFor(toolchain));

    /// <summary>
    /// The REPL tag for a toolchain: the REPL tags each Lean release ("leanprover/lean4:v4.32.0" → "v4.32.0",
    /// release candidates too). Null for nightlies and custom toolchains, which have no matching tag.
    /// </summary>
    public static string? ReplTagFor(string toolchain)
    {
        var version = toolchain.Contains(':', StringComparison.Ordinal) ? toolchain[(toolchain.LastIndexOf(':') + 1)..] : toolchain;
        return version.StartsWith('v') && version.Length > 1 && char.IsAsciiDigit(version[1]) ? version : null;
    }

    private static string SafeName(string toolchain)
    {
        var builder = new StringBuilder(toolchain.Length);
        foreach (var c in toolchain)
        {
            builder.Append(char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' ? c : '-');
        }

        return builder.ToString();
    }
}
