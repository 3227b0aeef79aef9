using LeanAssist.Testing;

namespace LeanAssist.Client.Tests;

/// <summary>Builds the client's Node tests once (client-vscode/scripts/build.mjs tests → out/).</summary>
public sealed class ClientTestBuild
{
    private readonly Lazy<Task<ProcessRunner.Result>> _build = new(() => ProcessRunner.RunAsync(
        "node",
        [Path.Combine(RepositoryPaths.RepositoryRoot, "client-vscode", "scripts", "build.mjs"), "tests"],
        TimeSpan.FromMinutes(2)));

    public async Task EnsureBuiltAsync()
    {
        var esbuild = Path.Combine(RepositoryPaths.RepositoryRoot, "node_modules", "esbuild");
        Assert.True(Directory.Exists(esbuild), $"The npm packages are not installed: run `npm ci` in {RepositoryPaths.RepositoryRoot} first (the README's test command does).");
        var result = await _build.Value;
        Assert.True(result.ExitCode == 0, $"Building the client's tests failed: {result.Describe()}");
    }
}

/// <summary>
/// Each Node test file of the VS Code client (client-vscode/test/*.test.ts) as one case, failing
/// with the Node test runner's output. The files run with the server built beside these tests.
/// </summary>
public sealed class NodeClientTests(ClientTestBuild build) : IClassFixture<ClientTestBuild>
{
    public static TheoryData<string> TestFiles()
    {
        var directory = Path.Combine(RepositoryPaths.RepositoryRoot, "client-vscode", "test");
        var data = new TheoryData<string>();
        foreach (var file in Directory.EnumerateFiles(directory, "*.test.ts").Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetFileNameWithoutExtension(file));
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(TestFiles))]
    public async Task Node_test_file_passes(string testFile)
    {
        await build.EnsureBuiltAsync();
        var compiled = Path.Combine(RepositoryPaths.RepositoryRoot, "out", "test", $"{testFile}.js");
        var environment = new Dictionary<string, string?>
        {
            ["LEANASSIST_TEST_SERVER_DLL"] = Path.Combine(AppContext.BaseDirectory, "leanassist.dll"),
        };

        var result = await NodeRunner.RunAsync(compiled, TimeSpan.FromMinutes(2), environment);

        var output = $"{result.StandardOutput}\n{result.StandardError}";
        Assert.True(result.ExitCode == 0, $"{testFile} failed (exit code {result.ExitCode}):\n{output}");
        Assert.Matches(@"(?m)^# pass [1-9]", result.StandardOutput);
        // With the server built here nothing has a reason to skip; a skip would hide an untested path.
        Assert.DoesNotMatch(@"(?m)^# skipped [1-9]|# SKIP", result.StandardOutput);
    }
}
