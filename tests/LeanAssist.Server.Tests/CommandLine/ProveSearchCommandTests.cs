using System.Text.Json;
using LeanAssist.Server.Tests.Search;
using LeanAssist.Testing;
using LeanAssist.Testing.Lsp;

namespace LeanAssist.Server.Tests.CommandLine;

/// <summary><c>leanassist prove --search</c> as a real process, with the scripted REPL stand-in as Lean.</summary>
public sealed class ProveSearchCommandTests
{
    private const string Theorems = """
        theorem two_steps (p q : Prop) (hq : q) : p → q := by
          sorry

        theorem four_steps (p q : Prop) (hp : p) (hq : q) : True → p ∧ q := by
          sorry

        theorem no_proof : Hopeless := by
          sorry

        """;

    private static async Task<ProcessRunner.Result> ProveAsync(TemporaryDirectory project, params string[] arguments)
    {
        var script = project.WriteFile("standin-script.json", ProofSearchTests.Script);
        project.WriteFile("lakefile.toml", "name = \"cli\"\n");
        project.WriteFile("lean-toolchain", "leanprover/lean4:v4.32.0\n");
        var replCommand = ReplStandInLauncher.CommandLine("scripted", "--script", script, "--log", project.Combine("standin.log"));
        return await ProcessRunner.RunAsync(ServerProcess.DotnetHost,
            // The request log is in the project, which the REPL sandbox keeps read-only: this command runs unsandboxed.
            [ServerProcess.ServerDll, "prove", .. arguments, "--repl-command", replCommand, "--sandbox", "off"],
            TimeSpan.FromMinutes(2),
            workingDirectory: project.Path,
            environment: new Dictionary<string, string?> { ["LEANASSIST_CACHE_DIR"] = project.Combine("cache") });
    }

    [Fact]
    public async Task Json_reports_the_script_nodes_depth_time_and_spend_of_each_search()
    {
        using var project = new TemporaryDirectory();
        var file = project.WriteFile("Search.lean", Theorems);

        var result = await ProveAsync(project, file, "--search", "--max-nodes", "50", "--json");

        Assert.True(result.ExitCode == 0, result.StandardError);
        using var json = JsonDocument.Parse(result.StandardOutput);
        var targets = json.RootElement.GetProperty("files")[0].GetProperty("targets").EnumerateArray().ToArray();
        Assert.Equal(("solved", "intro h\nexact hq"), (targets[0].GetProperty("status").GetString(), targets[0].GetProperty("tactic").GetString()));
        var search = targets[1].GetProperty("search");
        Assert.Equal("found", search.GetProperty("outcome").GetString());
        Assert.Equal("intro h\nconstructor\n· exact hp\n· exact hq", search.GetProperty("script").GetString());
        Assert.Equal(4, search.GetProperty("depth").GetInt32());
        Assert.Equal(["intro h", "constructor", "exact hp", "exact hq"], search.GetProperty("steps").EnumerateArray().Select(s => s.GetProperty("tactic").GetString()!));
        Assert.True(search.GetProperty("nodesExplored").GetInt32() >= 3);
        Assert.True(search.GetProperty("leanRuns").GetInt32() >= 4);
        foreach (var field in new[] { "seconds", "inputTokens", "outputTokens", "costUsd", "fromCache" })
        {
            Assert.True(search.TryGetProperty(field, out _), field);
        }

        Assert.Equal("exhausted", targets[2].GetProperty("search").GetProperty("outcome").GetString());
        Assert.Equal("unsolved", targets[2].GetProperty("status").GetString());
        var summary = json.RootElement.GetProperty("summary");
        Assert.Equal((3, 2), (summary.GetProperty("searched").GetInt32(), summary.GetProperty("foundBySearch").GetInt32()));
    }

    [Fact]
    public async Task Text_shows_the_search_and_write_puts_the_script_in_at_the_sorrys_indentation()
    {
        using var project = new TemporaryDirectory();
        var file = project.WriteFile("Search.lean", Theorems);

        var result = await ProveAsync(project, file, "--search", "--max-depth", "4", "--max-seconds", "60", "--write");

        Assert.True(result.ExitCode == 0, result.StandardError);
        Assert.Contains("search: found (", result.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("        · exact hp\n", result.StandardOutput.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        Assert.Contains("search: exhausted", result.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("Search: 2 of 3 searched sorries proved.", result.StandardOutput, StringComparison.Ordinal);
        var written = await File.ReadAllTextAsync(file);
        Assert.Contains("True → p ∧ q := by\n  intro h\n  constructor\n  · exact hp\n  · exact hq\n", written, StringComparison.Ordinal);
        Assert.Contains("theorem no_proof : Hopeless := by\n  sorry\n", written, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--search-all", "Unknown option '--search-all'.")]
    [InlineData("-x", "Unknown option '-x'.")]
    public async Task An_unknown_option_is_an_error_that_names_it_not_a_missing_file(string option, string message)
    {
        using var project = new TemporaryDirectory();
        var file = project.WriteFile("Search.lean", Theorems);

        var result = await ProveAsync(project, file, option);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains($"leanassist prove: {message}", result.StandardError, StringComparison.Ordinal);
        Assert.DoesNotContain("No such file", result.StandardError, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new[] { "--max-nodes", "5" }, "--max-nodes needs --search.")]
    [InlineData(new[] { "--search", "--max-nodes", "0" }, "--max-nodes must be between 1 and 5000.")]
    [InlineData(new[] { "--search", "--max-seconds", "soon" }, "--max-seconds expects a positive number, not 'soon'.")]
    public async Task Search_budgets_are_checked(string[] arguments, string message)
    {
        using var project = new TemporaryDirectory();
        var file = project.WriteFile("Search.lean", Theorems);

        var result = await ProveAsync(project, [file, .. arguments]);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains(message, result.StandardError, StringComparison.Ordinal);
    }
}
