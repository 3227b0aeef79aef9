using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using LeanAssist.Lean.Pool;
using LeanAssist.Lean.Repl;
using LeanAssist.Lean.Sandbox;
using LeanAssist.Lean.Toolchain;
using LeanAssist.Testing;
using LeanAssist.Testing.Options;
using Microsoft.Extensions.Logging.Abstractions;

namespace LeanAssist.Lean.Tests.Sandbox;

/// <summary>
/// The REPL sandbox against a stand-in that tries to escape before it answers (its <c>--probes</c> variant):
/// connect to a loopback listener, write a file outside its temporary folder (in the project, and beside the stand-in),
/// read a file it was never given. Inside the sandbox all of it fails and Lean's answers are as before;
/// without it the same attempts succeed, so these tests can fail.
/// </summary>
public sealed class SandboxEscapeTests : IDisposable
{
    private const string Script = """
        {
          "headerSeconds": 0.01, "commandMs": 1, "tacticMs": 1,
          "goals": [ { "declaration": "two", "goals": ["⊢ 1 + 1 = 2"] } ],
          "tactics": [ { "tactic": "rfl", "result": "completed" } ]
        }
        """;

    private readonly TemporaryDirectory _directory = new("leanassist-sandbox");
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly string _secret = "secret-" + Guid.NewGuid().ToString("N");
    private readonly StandInProject _project;
    private readonly string _secretFile;
    private readonly string _outsideFile;
    private readonly string _projectFile;
    private readonly string _probesFile;

    public SandboxEscapeTests()
    {
        _listener.Start();
        _project = StandInProject.Write(_directory, "sandboxed", Script, "project");
        _secretFile = _directory.WriteFile("not-for-lean/credentials.txt", _secret);
        // Outside /tmp: inside the sandbox /tmp is the process's own private folder, where writing is allowed.
        _outsideFile = Path.Combine(AppContext.BaseDirectory, $"escaped-{Guid.NewGuid():N}.txt");
        _projectFile = Path.Combine(_project.Root, "escaped.txt");
        var port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _probesFile = _directory.WriteFile("probes.json", new JsonObject
        {
            ["connect"] = new JsonArray($"127.0.0.1:{port}"),
            ["write"] = new JsonArray(_outsideFile, _projectFile),
            ["read"] = new JsonArray(_secretFile),
        }.ToJsonString());
    }

    public void Dispose()
    {
        _listener.Stop();
        _listener.Dispose();
        File.Delete(_outsideFile);
        _directory.Dispose();
    }

    [BubblewrapFact]
    public async Task In_the_sandbox_the_stand_in_cannot_connect_write_outside_its_temp_or_read_a_foreign_file_and_still_verifies()
    {
        var (stderr, verdict) = await RunProbingStandInAsync(ReplSandboxMode.Required);

        Assert.True(stderr.Contains("stand-in probe connect 127.0.0.1:", StringComparison.Ordinal), stderr);
        Assert.Matches(@"probe connect 127\.0\.0\.1:\d+: failed", stderr);
        Assert.True(stderr.Contains($"probe write {_outsideFile}: failed", StringComparison.Ordinal), stderr);
        Assert.Contains($"probe write {_projectFile}: failed", stderr, StringComparison.Ordinal);
        Assert.Contains($"probe read {_secretFile}: failed", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain(_secret, stderr, StringComparison.Ordinal);
        Assert.False(_listener.Pending(), "a connection reached the loopback listener from inside the sandbox");
        Assert.False(File.Exists(_outsideFile));
        Assert.False(File.Exists(_projectFile));
        Assert.Equal("completed", verdict);
    }

    [BubblewrapFact]
    public async Task Auto_uses_the_sandbox_where_bubblewrap_works()
    {
        var (stderr, verdict) = await RunProbingStandInAsync(ReplSandboxMode.Auto);

        Assert.Contains($"probe read {_secretFile}: failed", stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(_outsideFile));
        Assert.Equal("completed", verdict);
    }

    [LinuxFact]
    public async Task Without_the_sandbox_the_same_attempts_succeed()
    {
        var (stderr, verdict) = await RunProbingStandInAsync(ReplSandboxMode.Off);

        Assert.Matches(@"probe connect 127\.0\.0\.1:\d+: succeeded", stderr);
        Assert.Contains($"probe read {_secretFile}: succeeded: read: {_secret}", stderr, StringComparison.Ordinal);
        Assert.True(File.Exists(_outsideFile));
        Assert.True(File.Exists(_projectFile));
        using var accepted = await _listener.AcceptTcpClientAsync().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("completed", verdict);
    }

    /// <summary>Launches the stand-in as the product would (the resolver, then ReplProcess), imports, elaborates a sorry and runs a tactic on it.</summary>
    private async Task<(string Stderr, string Verdict)> RunProbingStandInAsync(ReplSandboxMode mode)
    {
        var options = new ReplOptions
        {
            Command = ReplStandInLauncher.CommandLine("scripted", "--script", _project.ScriptPath, "--probes", _probesFile),
            Sandbox = mode,
        };
        var resolver = new ReplLaunchResolver(new MutableOptionsMonitor<ReplOptions>(options), new MutableOptionsMonitor<ToolchainOptions>(new ToolchainOptions()), new LeanToolchainLocator());
        var plan = resolver.Resolve(_project.Root);
        Assert.Equal(mode != ReplSandboxMode.Off, plan.Launch.Sandbox is not null);

        await using var repl = ReplProcess.Start(plan.Launch, 1 << 20, NullLogger.Instance, "sandbox-test");
        var timeout = TimeSpan.FromSeconds(30);
        var header = await repl.SendAsync(new ReplCommandRequest("import Mathlib.Tactic"), timeout);
        var headerEnv = Assert.IsType<ReplCommandResponse>(header.Response).Env;
        var command = await repl.SendAsync(new ReplCommandRequest("theorem two : 1 + 1 = 2 := by\n  sorry", headerEnv), timeout);
        var sorry = Assert.Single(Assert.IsType<ReplCommandResponse>(command.Response).Sorries);
        var tactic = await repl.SendAsync(new ReplTacticRequest("rfl", sorry.ProofState!.Value), timeout);
        var proofStatus = Assert.IsType<ReplTacticResponse>(tactic.Response).ProofStatus;

        // The probes ran before the first answer; stderr is read asynchronously, so wait for all three reports.
        await Eventually.TrueAsync(() => repl.RecentStderr.Split('\n').Count(l => l.StartsWith("stand-in probe ", StringComparison.Ordinal)) >= 4,
            TimeSpan.FromSeconds(10), "the stand-in's four probe reports on stderr");
        return (repl.RecentStderr, proofStatus?.ToLowerInvariant() ?? "none");
    }
}
