using LeanAssist.Lean.Pool;
using LeanAssist.Lean.Repl;
using LeanAssist.Lean.Sandbox;
using LeanAssist.Lean.Sessions;
using LeanAssist.Lean.Toolchain;
using LeanAssist.Testing;
using LeanAssist.Testing.Options;

namespace LeanAssist.Lean.Tests.Sandbox;

/// <summary><c>leanAssist.repl.sandbox</c> modes, and what the bubblewrap command line lets the REPL see.</summary>
public sealed class SandboxPolicyTests : IDisposable
{
    private readonly TemporaryDirectory _directory = new("leanassist-sandbox-policy");

    public void Dispose() => _directory.Dispose();

    private BubblewrapProbe NoBubblewrap => new([_directory.Combine("empty-path")]);

    private ReplLaunchResolver Resolver(ReplSandboxMode mode, BubblewrapProbe probe, string? command = "repl-standin --flag") =>
        new(new MutableOptionsMonitor<ReplOptions>(new ReplOptions { Command = command, Sandbox = mode }),
            new MutableOptionsMonitor<ToolchainOptions>(new ToolchainOptions()), new LeanToolchainLocator(), probe);

    private string Project()
    {
        _directory.WriteFile("project/lakefile.toml", "name = \"p\"\n");
        _directory.WriteFile("project/lean-toolchain", StandInProject.Toolchain + "\n");
        return _directory.Combine("project");
    }

    [Fact]
    public void Required_without_bubblewrap_refuses_to_start_Lean_and_says_why_and_what_to_do()
    {
        var error = Assert.Throws<LeanUnavailableException>(() => Resolver(ReplSandboxMode.Required, NoBubblewrap).Resolve(Project()));

        Assert.Equal(LeanUnavailableReason.NotConfigured, error.Reason);
        Assert.Contains("leanAssist.repl.sandbox is \"required\"", error.Message, StringComparison.Ordinal);
        Assert.Contains(OperatingSystem.IsLinux() ? "bubblewrap (bwrap) was not found" : "exists only on Linux", error.Message, StringComparison.Ordinal);
        Assert.Contains("\"auto\"", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Auto_without_bubblewrap_runs_unsandboxed_and_says_so()
    {
        var resolver = Resolver(ReplSandboxMode.Auto, NoBubblewrap);

        Assert.Null(resolver.Resolve(Project()).Launch.Sandbox);
        Assert.False(resolver.SandboxState.Active);
        Assert.StartsWith("unavailable, Lean runs unsandboxed: ", resolver.SandboxState.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public void Off_never_sandboxes()
    {
        var resolver = Resolver(ReplSandboxMode.Off, BubblewrapProbe.FromProcess);

        Assert.Null(resolver.Resolve(Project()).Launch.Sandbox);
        Assert.Contains("off", resolver.SandboxState.Summary, StringComparison.Ordinal);
    }

    [BubblewrapFact]
    public void The_bubblewrap_command_line_unshares_the_network_drops_capabilities_and_binds_only_what_Lean_needs()
    {
        var project = Project();
        var pickles = _directory.Combine("pickles");
        var launch = Resolver(ReplSandboxMode.Auto, BubblewrapProbe.FromProcess).Resolve(project).Launch.WithSandboxWritable(pickles);
        var wrapped = launch.Sandbox!.Wrap(launch);
        var arguments = wrapped.Arguments.ToList();

        Assert.EndsWith("bwrap", wrapped.FileName, StringComparison.Ordinal);
        Assert.Contains("--unshare-all", arguments);
        Assert.DoesNotContain("--share-net", arguments);
        Assert.Equal("ALL", arguments[arguments.IndexOf("--cap-drop") + 1]);
        Assert.Equal(["--", "repl-standin", "--flag"], arguments[arguments.IndexOf("--")..]);
        // Writable: only the proof-state folder (and the private /tmp).
        Assert.Equal([pickles], Pairs(arguments, "--bind"));
        Assert.Equal("/tmp", arguments[arguments.IndexOf("--tmpfs") + 1]);
        // Readable: the project; never the home folder or all of /etc.
        Assert.Contains(project, Pairs(arguments, "--ro-bind-try"));
        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        Assert.DoesNotContain(home, Pairs(arguments, "--ro-bind").Concat(Pairs(arguments, "--ro-bind-try")));
        Assert.DoesNotContain("/etc", Pairs(arguments, "--ro-bind").Concat(Pairs(arguments, "--ro-bind-try")));
        Assert.DoesNotContain("/", Pairs(arguments, "--ro-bind"));
    }

    [BubblewrapFact]
    public void The_default_lake_launch_reads_the_elan_home_and_the_REPL_build_but_not_the_rest_of_home()
    {
        var home = _directory.Combine("home");
        var elan = _directory.WriteFile("home/.elan/bin/lake", "#!/bin/sh\n");
        _directory.WriteFile("home/.ssh/id_ed25519", "not a key");
        var environment = new ToolchainSearchEnvironment(null, home, null, IsWindows: false);

        var paths = ReplSandboxPolicy.ToolchainPaths(environment, new ToolchainOptions(), elan, _directory.Combine("repl-builds", "v4")).ToList();

        Assert.Contains(Path.Combine(home, ".elan"), paths);
        Assert.Contains(_directory.Combine("repl-builds", "v4"), paths);
        Assert.DoesNotContain(home, paths);
        Assert.DoesNotContain(paths, p => p.Contains(".ssh", StringComparison.Ordinal));
    }

    private static List<string> Pairs(List<string> arguments, string option) =>
        [.. arguments.Select((a, i) => (a, i)).Where(x => x.a == option).Select(x => arguments[x.i + 1])];
}
