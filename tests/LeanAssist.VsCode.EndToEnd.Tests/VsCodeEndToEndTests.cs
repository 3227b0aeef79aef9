using System.Globalization;
using Xunit.Abstractions;

namespace LeanAssist.VsCode.EndToEnd.Tests;

/// <summary>
/// What a person sees in a real VS Code (code-server 4.139.1 = VS Code 1.139.1, headless Chromium) with the
/// VSIX built from this checkout: one case per scenario of e2e/run-e2e.mjs, which runs them all once.
/// Lean is the REPL stand-in (a test double speaking the REPL's wire format); the Lean 4 extension is a
/// test double registering the language. Screenshots of every step: out/e2e-vscode/screenshots.
/// </summary>
public sealed class VsCodeEndToEndTests(VsCodeEndToEndRun run, ITestOutputHelper output) : IClassFixture<VsCodeEndToEndRun>
{
    public static TheoryData<string> Scenarios() =>
    [
        "restricted-mode",
        "healthy-status",
        "quick-fix-menu",
        "hover",
        "apply-quick-fix",
        "metrics",
        "stale-actions",
        "restart",
        "bad-server-path",
        "server-exits-at-start",
        "first-quick-fix",
        "no-dotnet",
    ];

    [VsCodeTheory]
    [MemberData(nameof(Scenarios))]
    public async Task Scenario_passes_in_a_real_VS_Code(string scenario)
    {
        var result = await run.ResultAsync();
        output.WriteLine($"Screenshots: {VsCodeEndToEndRun.ScreenshotDirectory}");
        Assert.True(result.Scenarios.TryGetValue(scenario, out var outcome), $"run-e2e.mjs reported no scenario {scenario} (exit code {result.ExitCode}):\n{result.Output}");
        output.WriteLine($"{outcome.Title}: {(outcome.Passed ? "passed" : "failed")} in {outcome.Seconds.ToString("0.0", CultureInfo.InvariantCulture)} s");
        foreach (var screenshot in outcome.Screenshots)
        {
            output.WriteLine($"  {screenshot}");
        }

        output.WriteLine(outcome.Details.ToString());
        Assert.True(outcome.Passed, $"{outcome.Title}: {outcome.Error}\nScreenshots: {VsCodeEndToEndRun.ScreenshotDirectory}\nLogs: {Path.Combine(VsCodeEndToEndRun.OutputDirectory, "work")}");
    }

    /// <summary>The no-.NET scenario runs the linux-x64 VSIX with a self-contained server when packaging can build it.</summary>
    [VsCodeFact]
    public async Task The_no_dotnet_scenario_used_the_self_contained_VSIX_when_there_is_one()
    {
        var result = await run.ResultAsync();
        var details = result.Scenarios["no-dotnet"].Details;
        output.WriteLine(details.ToString());
        Assert.Equal(result.PlatformVsix is not null, details.GetProperty("selfContained").GetBoolean());
    }

    /// <summary>Measured, not asserted: printed, and written to out/e2e-vscode/first-verified-quick-fix.json.</summary>
    [VsCodeFact]
    public async Task Time_to_the_first_verified_quick_fix_is_measured()
    {
        var result = await run.ResultAsync();
        output.WriteLine($"e2e run: {result.Seconds.ToString("0.0", CultureInfo.InvariantCulture)} s");
        output.WriteLine(result.Measurement.ToString());
        Assert.True(result.Measurement.TryGetProperty("seconds", out _), $"no measurement: {result.Scenarios["first-quick-fix"].Error}");
        Assert.True(File.Exists(Path.Combine(VsCodeEndToEndRun.OutputDirectory, "first-verified-quick-fix.json")));
    }
}
