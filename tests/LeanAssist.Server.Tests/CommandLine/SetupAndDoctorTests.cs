using System.CommandLine;
using System.Text.Json;
using LeanAssist.Server.CommandLine;
using LeanAssist.Testing;

namespace LeanAssist.Server.Tests.CommandLine;

/// <summary><c>leanassist setup</c> and <c>doctor</c> on a machine without a Lean toolchain: non-zero exits with actionable messages.</summary>
public sealed class SetupAndDoctorTests
{
    [WithoutLeanToolchainFact]
    public async Task Setup_without_a_toolchain_exits_3_and_says_how_to_install_Lean()
    {
        using var directory = Project();

        var (exitCode, output, error) = await InvokeAsync("setup", "--project", directory.Combine("p"));

        Assert.Equal(3, exitCode);
        Assert.Contains("[1/4] Finding the Lean project", error, StringComparison.Ordinal);
        Assert.Contains("[2/4] Checking the Lean toolchain (leanprover/lean4:v4.32.0)", error, StringComparison.Ordinal);
        Assert.Contains("elan", error, StringComparison.Ordinal);
        Assert.Contains("elan-init.sh", error, StringComparison.Ordinal);
        Assert.Contains("leanassist setup", error, StringComparison.Ordinal);
        Assert.Equal(string.Empty, output);
    }

    [Fact]
    public async Task Setup_for_a_folder_outside_any_project_exits_4_and_names_it()
    {
        using var directory = new TemporaryDirectory();

        var (exitCode, _, error) = await InvokeAsync("setup", "--project", directory.Path);

        Assert.Equal(4, exitCode);
        Assert.Contains("is not in a Lake project", error, StringComparison.Ordinal);
        Assert.Contains(directory.Path, error, StringComparison.Ordinal);
    }

    [WithoutLeanToolchainFact]
    public async Task Doctor_without_a_toolchain_exits_1_and_lists_each_missing_piece_with_its_fix()
    {
        using var directory = Project();

        var (exitCode, output, _) = await InvokeAsync("doctor", "--project", directory.Combine("p"));

        Assert.Equal(1, exitCode);
        Assert.Contains("MISSING   lake was not found", output, StringComparison.Ordinal);
        Assert.Contains("fix: Install elan", output, StringComparison.Ordinal);
        Assert.Contains("Toolchain: leanprover/lean4:v4.32.0", output, StringComparison.Ordinal);
        Assert.Contains("The project requires Mathlib, but it is not downloaded.", output, StringComparison.Ordinal);
        Assert.Contains("lake exe cache get", output, StringComparison.Ordinal);
        Assert.Contains("Something LeanAssist needs is missing", output, StringComparison.Ordinal);
    }

    [WithoutLeanToolchainFact]
    public async Task Doctor_json_reports_the_same_findings_as_data()
    {
        using var directory = Project();

        var (exitCode, output, _) = await InvokeAsync("doctor", "--project", directory.Combine("p"), "--json");

        Assert.Equal(1, exitCode);
        using var report = JsonDocument.Parse(output);
        Assert.False(report.RootElement.GetProperty("healthy").GetBoolean());
        var findings = report.RootElement.GetProperty("findings").EnumerateArray().ToList();
        Assert.Contains(findings, f => f.GetProperty("status").GetString() == "missing" && f.GetProperty("check").GetString() == "Lean toolchain" && f.TryGetProperty("fix", out _));
        Assert.Contains(findings, f => f.GetProperty("check").GetString() == "Lean REPL" && f.GetProperty("status").GetString() == "missing");
    }

    [Fact]
    public async Task Doctor_with_a_working_REPL_command_checks_it_end_to_end_and_is_healthy()
    {
        using var directory = new TemporaryDirectory();
        directory.WriteFile("p/lakefile.toml", "name = \"p\"\n");
        directory.WriteFile("p/lean-toolchain", "leanprover/lean4:v4.32.0\n");
        var command = ReplStandInLauncher.CommandLine("scripted");

        var (exitCode, output, _) = await InvokeAsync("doctor", "--project", directory.Combine("p"), "--repl-command", command);

        Assert.Contains("Lean REPL", output, StringComparison.Ordinal);
        Assert.Contains("answered in", output, StringComparison.Ordinal);
        Assert.Contains("custom command", output, StringComparison.Ordinal);
        Assert.Equal(0, exitCode);
    }

    [Fact]
    public async Task Doctor_with_a_REPL_command_that_cannot_start_reports_the_error()
    {
        using var directory = new TemporaryDirectory();
        directory.WriteFile("p/lakefile.toml", "name = \"p\"\n");
        directory.WriteFile("p/lean-toolchain", "leanprover/lean4:v4.32.0\n");

        var (exitCode, output, _) = await InvokeAsync("doctor", "--project", directory.Combine("p"), "--repl-command", "/nonexistent/repl --x");

        Assert.Equal(1, exitCode);
        Assert.Contains("ERROR     The REPL", output, StringComparison.Ordinal);
        Assert.Contains("/nonexistent/repl", output, StringComparison.Ordinal);
    }

    private static TemporaryDirectory Project()
    {
        var directory = new TemporaryDirectory();
        directory.WriteFile("p/lakefile.toml", "name = \"p\"\n[[require]]\nname = \"mathlib\"\nscope = \"leanprover-community\"\n");
        directory.WriteFile("p/lean-toolchain", "leanprover/lean4:v4.32.0\n");
        return directory;
    }

    private static async Task<(int ExitCode, string Output, string Error)> InvokeAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exitCode = await LeanAssistCommandLine.InvokeAsync([.. args, "--log-file", "none"], new InvocationConfiguration { Output = output, Error = error });
        return (exitCode, output.ToString(), error.ToString());
    }
}
