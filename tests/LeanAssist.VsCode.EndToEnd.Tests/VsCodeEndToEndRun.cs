using System.Text.Json;
using LeanAssist.Testing;
using LeanAssist.Testing.Packaging;

namespace LeanAssist.VsCode.EndToEnd.Tests;

/// <summary>
/// One run of e2e/run-e2e.mjs for all scenarios (one code-server reused where that does not weaken a
/// scenario): builds the VSIXes from the checkout (<c>npm run package</c>, and on linux-x64
/// <c>npm run package -- --target linux-x64</c>, the one with a self-contained server), packages the
/// <c>leanprover.lean4</c> test double, runs the Node driver and reads its results.json.
/// Everything lands in out/e2e-vscode: the test double's VSIX, screenshots/, work/ (code-server's folders and logs), results.json.
/// </summary>
public sealed class VsCodeEndToEndRun
{
    private readonly Lazy<Task<RunResult>> _run = new(RunAsync);

    public static string OutputDirectory => Path.Combine(RepositoryPaths.RepositoryRoot, "out", "e2e-vscode");

    public static string ScreenshotDirectory => Path.Combine(OutputDirectory, "screenshots");

    public Task<RunResult> ResultAsync() => _run.Value;

    public sealed record ScenarioResult(string Name, string Title, bool Passed, string? Error, double Seconds, IReadOnlyList<string> Screenshots, JsonElement Details);

    public sealed record RunResult(int ExitCode, string Output, double Seconds, IReadOnlyDictionary<string, ScenarioResult> Scenarios, JsonElement Measurement, string? PlatformVsix);

    private static async Task<RunResult> RunAsync()
    {
        if (VsCodeTools.Missing() is { } missing)
        {
            throw new InvalidOperationException($"{missing}. {VsCodeTools.InstallHint} ({VsCodeTools.RequiredVariable}=1 makes this a failure, not a skip.)");
        }

        var root = RepositoryPaths.RepositoryRoot;
        foreach (var stale in new[] { ScreenshotDirectory, Path.Combine(OutputDirectory, "vsix") })
        {
            if (Directory.Exists(stale))
            {
                Directory.Delete(stale, recursive: true);
            }
        }

        var vsixDirectory = Path.Combine(OutputDirectory, "vsix");
        Directory.CreateDirectory(vsixDirectory);
        var vsix = await VsixBuilder.BuildAsync();
        var platformVsix = VsixBuilder.CurrentPlatformTarget is { } target ? await VsixBuilder.BuildAsync(target) : null;

        var lean4 = Path.Combine(vsixDirectory, "leanprover.lean4-test-double.vsix");
        var vsce = await ProcessRunner.RunAsync(
            "node",
            [Path.Combine(root, "node_modules", "@vscode", "vsce", "vsce"), "package", "--allow-missing-repository", "--skip-license", "-o", lean4],
            TimeSpan.FromMinutes(2),
            Path.Combine(root, "tests", "LeanAssist.VsCode.EndToEnd.Tests", "e2e", "lean4-test-extension"));
        Assert.True(vsce.ExitCode == 0, $"packaging the leanprover.lean4 test double failed: {vsce.Describe()}");

        var environment = new Dictionary<string, string?>
        {
            ["LEANASSIST_E2E_TOOLS"] = VsCodeTools.ToolsDirectory,
            ["LEANASSIST_E2E_CHROMIUM"] = VsCodeTools.Chromium,
            ["LEANASSIST_E2E_VSIX"] = vsix,
            ["LEANASSIST_E2E_PLATFORM_VSIX"] = platformVsix ?? string.Empty,
            ["LEANASSIST_E2E_LEAN4_VSIX"] = lean4,
            ["LEANASSIST_E2E_STANDIN"] = ReplStandInLauncher.ExecutablePath,
            ["LEANASSIST_E2E_OUT"] = OutputDirectory,
        };
        var started = DateTime.UtcNow;
        var driver = Path.Combine(root, "tests", "LeanAssist.VsCode.EndToEnd.Tests", "e2e", "run-e2e.mjs");
        var result = await NodeRunner.RunAsync(driver, TimeSpan.FromMinutes(12), environment);
        var seconds = (DateTime.UtcNow - started).TotalSeconds;
        var output = $"{result.StandardOutput}\n{result.StandardError}";
        var resultsFile = Path.Combine(OutputDirectory, "results.json");
        if (!File.Exists(resultsFile))
        {
            throw new InvalidOperationException($"run-e2e.mjs wrote no results (exit code {result.ExitCode}):\n{output}");
        }

        using var document = JsonDocument.Parse(File.ReadAllText(resultsFile));
        var scenarios = document.RootElement.GetProperty("scenarios").EnumerateArray()
            .Select(s => new ScenarioResult(
                s.GetProperty("name").GetString()!,
                s.GetProperty("title").GetString()!,
                s.GetProperty("passed").GetBoolean(),
                s.TryGetProperty("error", out var error) ? error.GetString() : null,
                s.GetProperty("seconds").GetDouble(),
                s.GetProperty("screenshots").EnumerateArray().Select(f => f.GetString()!).ToArray(),
                s.GetProperty("details").Clone()))
            .ToDictionary(s => s.Name, StringComparer.Ordinal);
        return new RunResult(result.ExitCode, output, seconds, scenarios, document.RootElement.GetProperty("measurement").Clone(), platformVsix);
    }
}
