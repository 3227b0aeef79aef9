using LeanAssist.Testing.Lsp;
using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using LeanAssist.Testing.Llm;
using LeanAssist.Testing;

namespace LeanAssist.Server.Tests.LanguageServer;

/// <summary>The real executable over real stdio.</summary>
public sealed class RealProcessTests
{
    [Fact]
    public async Task Version_prints_the_version_and_exits_0()
    {
        var start = new ProcessStartInfo(ServerProcess.DotnetHost) { RedirectStandardOutput = true, UseShellExecute = false };
        start.ArgumentList.Add(ServerProcess.ServerDll);
        start.ArgumentList.Add("--version");
        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();

        Assert.Equal(0, process.ExitCode);
        Assert.Matches(@"^\d+\.\d+\.\d+", output.Trim());
    }

    /// <summary>
    /// docs/protocol.md and docs/command-line.md: an invalid option ends every verb at start with 2.
    /// For lsp, stdout is the LSP channel: a usage error must leave it empty and say why on stderr.
    /// </summary>
    [Theory]
    [InlineData("--clientProcessId", "lsp", "--clientProcessId", "abc")]
    [InlineData("--max-message-size", "lsp", "--stdio", "--max-message-size=big")]
    [InlineData("--bogus", "lsp", "--stdio", "--bogus")]
    [InlineData("xml", "metrics", "--format", "xml")]
    [InlineData("--sessions", "prove", "--sessions", "many", "Basics.lean")]
    public async Task An_invalid_option_exits_2_with_the_error_on_stderr_and_nothing_on_stdout(string named, params string[] arguments)
    {
        using var cache = new TemporaryDirectory();

        var result = await ProcessRunner.RunAsync(ServerProcess.DotnetHost, [ServerProcess.ServerDll, .. arguments], TimeSpan.FromSeconds(60),
            environment: new Dictionary<string, string?> { ["LEANASSIST_CACHE_DIR"] = cache.Path });

        Assert.True(result.ExitCode == 2, result.Describe());
        Assert.Equal(string.Empty, result.StandardOutput);
        Assert.Contains(named, result.StandardError);
        Assert.Contains($"leanassist {arguments[0]} --help", result.StandardError);
    }

    [Fact]
    public async Task Serves_lsp_on_stdio_and_exits_0_after_shutdown_and_exit()
    {
        await using var server = ServerProcess.Start("lsp", "--stdio", "--log-file", "none");

        var result = await server.Client.InitializeAsync(processId: Environment.ProcessId);
        await server.Client.ShutdownAndExitAsync();

        Assert.Equal("leanassist", result["serverInfo"]!["name"]!.GetValue<string>());
        Assert.Equal(0, await server.WaitForExitAsync(TimeSpan.FromSeconds(20)));
    }

    [Fact]
    public async Task Exits_when_the_client_closes_stdin_without_shutdown_with_code_1()
    {
        await using var server = ServerProcess.Start("lsp", "--stdio", "--log-file", "none");
        await server.Client.InitializeAsync();

        server.Process.StandardInput.Close();

        Assert.Equal(1, await server.WaitForExitAsync(TimeSpan.FromSeconds(20)));
    }

    [Fact]
    public async Task Exits_by_itself_when_the_client_process_dies()
    {
        using var editor = Process.Start(new ProcessStartInfo("sleep", "1") { UseShellExecute = false })!;
        await using var server = ServerProcess.Start("lsp", "--stdio", "--log-file", "none", $"--clientProcessId={editor.Id}");
        await server.Client.InitializeAsync();

        await editor.WaitForExitAsync();

        Assert.Equal(1, await server.WaitForExitAsync(TimeSpan.FromSeconds(20)));
        Assert.Contains($"Client process {editor.Id} has exited", server.StandardError.ToString());
    }

    [Fact]
    public async Task Writes_its_log_to_the_configured_file()
    {
        var logFile = Path.Combine(Path.GetTempPath(), "leanassist-tests", $"{Guid.NewGuid():N}.log");
        await using (var server = ServerProcess.Start("lsp", "--log-file", logFile))
        {
            await server.Client.InitializeAsync();
            await server.Client.ShutdownAndExitAsync();
            Assert.Equal(0, await server.WaitForExitAsync(TimeSpan.FromSeconds(20)));
        }

        Assert.Contains("Initialized by LspTestClient", await File.ReadAllTextAsync(logFile));
    }

    /// <summary>
    /// vscode-jsonrpc (the library under VS Code's LSP client) drives the real server over stdio:
    /// lifecycle, documents, a burst of malformed frames, and the editor features with the REPL stand-in
    /// as Lean and the local LLM server as LLM (prefetched code actions, hover, suggest with progress, a
    /// request cancelled while Lean works, metrics), then shutdown and exit.
    /// Needs Node 20+ and <c>npm ci</c> at the repository root.
    /// </summary>
    [Fact]
    public async Task Vscode_jsonrpc_client_conformance_over_stdio()
    {
        var script = Path.Combine(RepositoryPaths.RepositoryRoot, "tests", "LeanAssist.Server.Tests", "Node", "stdio-conformance.mjs");
        var nodeModules = Path.Combine(RepositoryPaths.RepositoryRoot, "node_modules", "vscode-jsonrpc");
        Assert.True(Directory.Exists(nodeModules), $"vscode-jsonrpc is not installed at {nodeModules}: run `npm ci` in {RepositoryPaths.RepositoryRoot} first (the README's test command does).");
        using var project = new TemporaryDirectory();
        project.WriteFile("lakefile.toml", "name = \"conformance\"\n");
        project.WriteFile("lean-toolchain", "leanprover/lean4:v4.32.0\n");
        var standInScript = project.WriteFile("standin-script.json", Verification.PipelineTests.Script);
        await using var llm = await LocalLlmServer.StartAsync();
        llm.DefaultReply = LlmReply.Success("```lean\nexact ⟨hp, hq⟩\n```", new ScriptedUsage(40, 8));
        var settings = new JsonObject
        {
            ["repl"] = new JsonObject
            {
                ["command"] = ReplStandInLauncher.CommandLine("scripted", "--script", standInScript),
                ["sessions"] = 2,
                ["requestTimeoutSeconds"] = 30,
            },
            ["prefetchIdleMs"] = 50,
            ["provider"] = "openai",
            ["baseUrl"] = llm.OpenAiBaseUrl.ToString(),
            ["model"] = "stand-in-model",
        };
        var environment = new Dictionary<string, string?>
        {
            ["LEANASSIST_CONFORMANCE_SETTINGS"] = settings.ToJsonString(),
            ["LEANASSIST_CONFORMANCE_PROJECT"] = project.Path,
            ["LEANASSIST_CACHE_DIR"] = project.Combine("cache"),
        };

        var result = await NodeRunner.RunAsync(script, TimeSpan.FromMinutes(3), environment, ServerProcess.DotnetHost, ServerProcess.ServerDll, "lsp", "--stdio", "--log-file", "none");

        using var report = JsonDocument.Parse(result.StandardOutput);
        var failed = report.RootElement.GetProperty("checks").EnumerateArray()
            .Where(c => !c.GetProperty("ok").GetBoolean())
            .Select(c => $"{c.GetProperty("name").GetString()}: {c.GetProperty("detail")}")
            .ToArray();
        Assert.True(result.ExitCode == 0 && failed.Length == 0,
            $"exit code {result.ExitCode}; failure: {report.RootElement.GetProperty("failure")}; failed checks: {string.Join(" | ", failed)}; stderr: {result.StandardError}");
        Assert.True(report.RootElement.GetProperty("checks").GetArrayLength() >= 25);
    }
}
