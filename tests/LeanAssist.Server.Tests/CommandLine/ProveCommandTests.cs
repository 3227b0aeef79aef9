using LeanAssist.Testing.Lsp;
using System.Text.Json;
using LeanAssist.Server.Tests.Verification;
using LeanAssist.Testing;

namespace LeanAssist.Server.Tests.CommandLine;

/// <summary>The real <c>leanassist prove</c> process, with the scripted REPL stand-in as Lean.</summary>
public sealed class ProveCommandTests
{
    private static async Task<ProcessRunner.Result> ProveAsync(TemporaryDirectory project, params string[] arguments)
    {
        var script = project.WriteFile("standin-script.json", PipelineTests.Script);
        project.WriteFile("lakefile.toml", "name = \"cli\"\n");
        project.WriteFile("lean-toolchain", "leanprover/lean4:v4.32.0\n");
        var replCommand = ReplStandInLauncher.CommandLine("scripted", "--script", script, "--log", project.Combine("standin.log"));
        return await ProcessRunner.RunAsync(ServerProcess.DotnetHost,
            [ServerProcess.ServerDll, "prove", .. arguments, .. arguments.Contains("--repl-command") ? Array.Empty<string>() : ["--repl-command", replCommand]],
            TimeSpan.FromMinutes(2),
            workingDirectory: project.Path,
            environment: new Dictionary<string, string?> { ["LEANASSIST_CACHE_DIR"] = project.Combine("cache") });
    }

    [Fact]
    public async Task Json_output_has_the_documented_shape()
    {
        using var project = new TemporaryDirectory();
        var file = project.WriteFile("Theorems.lean", PipelineTests.Theorems);

        var result = await ProveAsync(project, file, "--json");

        Assert.True(result.ExitCode == 0, result.StandardError);
        using var json = JsonDocument.Parse(result.StandardOutput);
        var files = json.RootElement.GetProperty("files");
        Assert.Equal(file, files[0].GetProperty("path").GetString());
        // A run on the stand-in never reads like Lean's verdict: the report names the command that answered.
        Assert.StartsWith("custom REPL command: ", files[0].GetProperty("checkedBy").GetString());
        Assert.Contains("LeanAssist.ReplStandIn", files[0].GetProperty("checkedBy").GetString());
        Assert.Equal(files[0].GetProperty("checkedBy").GetString(), json.RootElement.GetProperty("summary").GetProperty("checkedBy")[0].GetString());
        var targets = files[0].GetProperty("targets").EnumerateArray().ToArray();
        Assert.Equal(5, targets.Length);
        var first = targets[0];
        Assert.Equal(2, first.GetProperty("line").GetInt32());
        Assert.Equal(2, first.GetProperty("column").GetInt32());
        Assert.Equal("n : Nat\n⊢ n + 0 = n", first.GetProperty("goal").GetString());
        // Readable for people: Lean's symbols as written, not \u escapes.
        Assert.Contains("\"n : Nat\\n⊢ n + 0 = n\"", result.StandardOutput, StringComparison.Ordinal);
        Assert.Equal("solved", first.GetProperty("status").GetString());
        Assert.Equal("omega", first.GetProperty("tactic").GetString());
        foreach (var candidate in first.GetProperty("candidates").EnumerateArray())
        {
            Assert.False(string.IsNullOrEmpty(candidate.GetProperty("tactic").GetString()));
            Assert.Contains(candidate.GetProperty("verdict").GetString(), new[] { "solved", "progress", "failed", "rejected", "timeout", "unconfirmed" });
            Assert.True(candidate.GetProperty("leanMs").GetDouble() >= 0);
            Assert.False(string.IsNullOrEmpty(candidate.GetProperty("source").GetString()));
            Assert.Equal(JsonValueKind.Array, candidate.GetProperty("alsoProposedBy").ValueKind);
            Assert.Equal(JsonValueKind.False, candidate.GetProperty("usesNativeDecide").ValueKind);
        }

        Assert.Equal(JsonValueKind.Null, targets[2].GetProperty("tactic").ValueKind);
        Assert.Equal("unsolved", targets[2].GetProperty("status").GetString());
        var summary = json.RootElement.GetProperty("summary");
        Assert.Equal((5, 2, 1, 2), (summary.GetProperty("targets").GetInt32(), summary.GetProperty("solved").GetInt32(),
            summary.GetProperty("progressOnly").GetInt32(), summary.GetProperty("unsolved").GetInt32()));
        foreach (var field in new[] { "seconds", "leanSeconds", "llmSeconds", "inputTokens", "outputTokens", "costUsd", "verdictCacheHits", "llmCacheHits" })
        {
            Assert.True(summary.TryGetProperty(field, out _), field);
        }
    }

    [Fact]
    public async Task Text_output_summarizes_and_write_rewrites_a_directory()
    {
        using var project = new TemporaryDirectory();
        var file = project.WriteFile("src/Theorems.lean", PipelineTests.Theorems);

        var result = await ProveAsync(project, project.Combine("src"), "--write");

        Assert.True(result.ExitCode == 0, result.StandardError);
        Assert.Contains("5 sorries in 1 file: 2 solved, 1 progress only, 2 unsolved.", result.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("2:2  solved    `omega`", result.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("Wrote 1 file.", result.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("  checked by: custom REPL command: ", result.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("Checked by: custom REPL command: ", result.StandardOutput, StringComparison.Ordinal);
        var written = await File.ReadAllTextAsync(file);
        Assert.Contains("n + 0 = n := by\n  omega\n", written, StringComparison.Ordinal);
        Assert.Equal(3, written.Split(":= by\n  sorry\n").Length - 1);
    }

    [Fact]
    public async Task A_missing_path_exits_1()
    {
        using var project = new TemporaryDirectory();

        var result = await ProveAsync(project, project.Combine("nope.lean"));

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("No such file or directory", result.StandardError, StringComparison.Ordinal);
    }

    [WithoutLeanToolchainFact]
    public async Task Without_Lean_it_exits_3_and_says_what_to_do()
    {
        using var project = new TemporaryDirectory();
        project.WriteFile("lakefile.toml", "name = \"cli\"\n");
        project.WriteFile("lean-toolchain", "leanprover/lean4:v4.32.0\n");
        var file = project.WriteFile("A.lean", "theorem t : True := by\n  sorry\n");

        var result = await ProcessRunner.RunAsync(ServerProcess.DotnetHost, [ServerProcess.ServerDll, "prove", file], TimeSpan.FromMinutes(1),
            workingDirectory: project.Path, environment: new Dictionary<string, string?> { ["LEANASSIST_CACHE_DIR"] = project.Combine("cache") });

        Assert.Equal(3, result.ExitCode);
        Assert.Contains("Lean cannot be run", result.StandardError, StringComparison.Ordinal);
        Assert.Contains("leanassist doctor", result.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task When_Lean_cannot_check_a_file_it_says_so_and_exits_4()
    {
        using var project = new TemporaryDirectory();
        var file = project.WriteFile("A.lean", "theorem t : True := by\n  sorry\n");

        // The stand-in dies while importing the header, every time.
        var result = await ProveAsync(project, file, "--json", "--repl-command",
            ReplStandInLauncher.CommandLine("scripted", "--fault", "dieDuringHeader"));

        Assert.Equal(4, result.ExitCode);
        using var json = JsonDocument.Parse(result.StandardOutput);
        var reported = json.RootElement.GetProperty("files")[0];
        Assert.False(reported.GetProperty("complete").GetBoolean());
        Assert.NotEmpty(reported.GetProperty("problems").EnumerateArray());
        Assert.Contains("Lean could not check all of", result.StandardError, StringComparison.Ordinal);
    }
}
