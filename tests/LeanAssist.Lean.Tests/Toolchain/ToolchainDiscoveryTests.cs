using LeanAssist.Testing.Options;
using LeanAssist.Lean.Pool;
using LeanAssist.Lean.Sessions;
using LeanAssist.Lean.Toolchain;
using LeanAssist.Testing;

namespace LeanAssist.Lean.Tests.Toolchain;

/// <summary>Toolchain and project discovery on temporary directories (no real Lean needed).</summary>
public sealed class ToolchainDiscoveryTests
{
    [Fact]
    public void Tools_are_found_on_PATH_then_in_the_elan_home_and_a_setting_wins()
    {
        using var directory = new TemporaryDirectory();
        var pathBin = directory.WriteFile("path-bin/lake", "#!/bin/sh\n");
        var elanLean = directory.WriteFile("home/.elan/bin/lean", "#!/bin/sh\n");
        var elan = directory.WriteFile("home/.elan/bin/elan", "#!/bin/sh\n");
        var configured = directory.WriteFile("custom/my-lake", "#!/bin/sh\n");
        var locator = new LeanToolchainLocator(new ToolchainSearchEnvironment(directory.Combine("path-bin"), directory.Combine("home"), null, IsWindows: false));

        var found = locator.Locate(new ToolchainOptions());
        var overridden = locator.Locate(new ToolchainOptions { LakePath = configured });

        Assert.Equal((elan, pathBin, elanLean), (found.Elan, found.Lake, found.Lean));
        Assert.Equal(configured, overridden.Lake);
        Assert.Contains(directory.Combine("home", ".elan", "bin"), found.SearchedDirectories);
    }

    [Fact]
    public void ELAN_HOME_is_searched_first_and_nothing_found_is_reported_with_where_it_looked()
    {
        using var directory = new TemporaryDirectory();
        var elanHomeLake = directory.WriteFile("elan-home/bin/lake", "");
        directory.WriteFile("path-bin/lake", "");
        var locator = new LeanToolchainLocator(new ToolchainSearchEnvironment(directory.Combine("path-bin"), directory.Combine("home"), directory.Combine("elan-home"), IsWindows: false));
        var empty = new LeanToolchainLocator(new ToolchainSearchEnvironment(directory.Combine("nothing"), directory.Combine("nobody"), null, IsWindows: false));

        Assert.Equal(elanHomeLake, locator.Locate(new ToolchainOptions()).Lake);
        var none = empty.Locate(new ToolchainOptions());
        Assert.Null(none.Lake);
        Assert.Null(none.Elan);
        Assert.Equal([directory.Combine("nothing"), directory.Combine("nobody", ".elan", "bin")], none.SearchedDirectories);
    }

    [Fact]
    public void The_project_root_is_the_nearest_directory_with_a_lakefile()
    {
        using var directory = new TemporaryDirectory();
        directory.WriteFile("outer/lakefile.lean", "import Lake");
        directory.WriteFile("outer/inner/lakefile.toml", "name = \"inner\"");
        var deep = directory.WriteFile("outer/inner/Inner/Deep/File.lean", "theorem t : True := trivial");
        var shallow = directory.WriteFile("outer/Outer.lean", "");
        var alone = directory.WriteFile("alone/Scratch.lean", "");

        Assert.Equal(directory.Combine("outer", "inner"), LeanProjectLocator.FindProjectRoot(deep));
        Assert.Equal(directory.Combine("outer"), LeanProjectLocator.FindProjectRoot(shallow));
        Assert.Null(LeanProjectLocator.FindProjectRoot(alone));
    }

    [Fact]
    public void The_toolchain_and_Mathlib_state_are_read_from_the_project()
    {
        using var directory = new TemporaryDirectory();
        directory.WriteFile("p/lean-toolchain", "leanprover/lean4:v4.32.0\n");
        directory.WriteFile("p/lakefile.toml", "name = \"p\"\n[[require]]\nname = \"mathlib\"\nscope = \"leanprover-community\"\n");
        var root = directory.Combine("p");

        var required = LeanProjectLocator.DetectMathlib(root);
        directory.WriteFile("p/.lake/packages/mathlib/Mathlib.lean", "");
        var downloaded = LeanProjectLocator.DetectMathlib(root);
        directory.WriteFile("p/.lake/packages/mathlib/.lake/build/lib/lean/Mathlib.olean", "");
        var built = LeanProjectLocator.DetectMathlib(root);

        Assert.Equal("leanprover/lean4:v4.32.0", LeanProjectLocator.ReadToolchain(root));
        Assert.Equal((true, false, false), (required.Required, required.PackagePresent, required.OleansPresent));
        Assert.Equal((true, true, false), (downloaded.Required, downloaded.PackagePresent, downloaded.OleansPresent));
        Assert.Equal((true, true, true), (built.Required, built.PackagePresent, built.OleansPresent));
    }

    [Fact]
    public void A_project_without_Mathlib_does_not_require_it_and_the_manifest_is_read()
    {
        using var directory = new TemporaryDirectory();
        directory.WriteFile("plain/lakefile.toml", "name = \"plain\"\n");
        directory.WriteFile("withmanifest/lakefile.lean", "import Lake\n");
        directory.WriteFile("withmanifest/lake-manifest.json", "{\"version\": 7, \"packages\": [{\"name\": \"mathlib\", \"type\": \"git\"}]}");

        Assert.False(LeanProjectLocator.DetectMathlib(directory.Combine("plain")).Required);
        Assert.True(LeanProjectLocator.DetectMathlib(directory.Combine("withmanifest")).Required);
        Assert.Null(LeanProjectLocator.ReadToolchain(directory.Combine("plain")));
    }

    [Theory]
    [InlineData("leanprover/lean4:v4.32.0", "v4.32.0")]
    [InlineData("leanprover/lean4:v4.33.0-rc2", "v4.33.0-rc2")]
    [InlineData("v4.9.1", "v4.9.1")]
    [InlineData("leanprover/lean4:nightly-2025-01-01", null)]
    [InlineData("leanprover/lean4-pr-releases:pr-release-1234", null)]
    public void The_REPL_tag_matches_the_toolchain_release(string toolchain, string? tag)
    {
        Assert.Equal(tag, ReplBuildLayout.ReplTagFor(toolchain));
    }

    [Fact]
    public void REPL_builds_are_kept_per_toolchain()
    {
        var layout = new ReplBuildLayout("/cache/repl");

        Assert.NotEqual(layout.DirectoryFor("leanprover/lean4:v4.32.0"), layout.DirectoryFor("leanprover/lean4:v4.31.0"));
        Assert.Equal(Path.Combine("/cache/repl", "leanprover-lean4-v4.32.0", "repl", ".lake", "build", "bin", "repl"), layout.ExecutableFor("leanprover/lean4:v4.32.0"));
    }

    [Fact]
    public void The_default_launch_is_lake_env_repl_in_the_project_root_once_the_REPL_is_built()
    {
        using var directory = new TemporaryDirectory();
        var lake = directory.WriteFile("bin/lake", "");
        directory.WriteFile("p/lean-toolchain", "leanprover/lean4:v4.32.0");
        directory.WriteFile("p/lakefile.toml", "name = \"p\"");
        var toolchainOptions = new ToolchainOptions { LakePath = lake, ReplBuildDirectory = directory.Combine("builds") };
        var resolver = new ReplLaunchResolver(new MutableOptionsMonitor<ReplOptions>(new ReplOptions()), new MutableOptionsMonitor<ToolchainOptions>(toolchainOptions),
            new LeanToolchainLocator(new ToolchainSearchEnvironment(null, null, null, false)));

        var notBuilt = Assert.Throws<LeanUnavailableException>(() => resolver.Resolve(directory.Combine("p")));
        var repl = directory.WriteFile("builds/leanprover-lean4-v4.32.0/repl/.lake/build/bin/repl", "");
        var plan = resolver.Resolve(directory.Combine("p"));

        Assert.Contains("leanassist setup --project", notBuilt.Message, StringComparison.Ordinal);
        Assert.Equal(lake, plan.Launch.FileName);
        Assert.Equal(["env", repl], plan.Launch.Arguments);
        Assert.Equal(directory.Combine("p"), plan.Launch.WorkingDirectory);
        Assert.Equal("leanprover/lean4:v4.32.0", plan.Toolchain);
    }

    [Fact]
    public void A_configured_command_replaces_the_launch_and_keeps_its_results_apart()
    {
        using var directory = new TemporaryDirectory();
        directory.WriteFile("p/lean-toolchain", "leanprover/lean4:v4.32.0");
        var resolver = new ReplLaunchResolver(new MutableOptionsMonitor<ReplOptions>(new ReplOptions { Command = "\"/opt/my repl\" --fast" }),
            new MutableOptionsMonitor<ToolchainOptions>(new ToolchainOptions()), new LeanToolchainLocator(new ToolchainSearchEnvironment(null, null, null, false)));

        var plan = resolver.Resolve(directory.Combine("p"));

        Assert.Equal("/opt/my repl", plan.Launch.FileName);
        Assert.Equal(["--fast"], plan.Launch.Arguments);
        Assert.StartsWith("leanprover/lean4:v4.32.0+command:", plan.Toolchain, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_lake_the_launch_says_how_to_install_Lean()
    {
        using var directory = new TemporaryDirectory();
        directory.WriteFile("p/lean-toolchain", "leanprover/lean4:v4.32.0");
        var resolver = new ReplLaunchResolver(new MutableOptionsMonitor<ReplOptions>(new ReplOptions()), new MutableOptionsMonitor<ToolchainOptions>(new ToolchainOptions()),
            new LeanToolchainLocator(new ToolchainSearchEnvironment(directory.Combine("empty"), directory.Combine("home"), null, false)));

        var error = Assert.Throws<LeanUnavailableException>(() => resolver.Resolve(directory.Combine("p")));

        Assert.Contains("elan", error.Message, StringComparison.Ordinal);
        Assert.Contains("leanAssist.toolchain.lakePath", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_repository_lean_verifier_template_pins_the_REPL_at_its_toolchain()
    {
        var template = VerifierProject.FindTemplate();

        Assert.Equal(Path.Combine(RepositoryPaths.RepositoryRoot, "lean_verifier"), template);
        Assert.Equal(ReplBuildLayout.ReplTagFor(LeanProjectLocator.ReadToolchain(template!)!), ReadRequiredReplRevision(template!));
    }

    [Fact]
    public void Standalone_files_run_in_a_working_copy_of_the_template_never_in_the_template()
    {
        using var install = new TemporaryDirectory();
        install.WriteFile("lean_verifier/lakefile.toml", "name = \"lean_verifier\"\n");
        install.WriteFile("lean_verifier/lean-toolchain", "leanprover/lean4:v4.32.0\n");
        install.WriteFile("lean_verifier/.lake/junk", "not copied");

        var first = VerifierProject.Locate(new ToolchainOptions(), install.Combine("server", "bin"));
        var second = VerifierProject.Locate(new ToolchainOptions(), install.Combine("server", "bin"));
        install.WriteFile("lean_verifier/lean-toolchain", "leanprover/lean4:v4.33.0\n");
        var changed = VerifierProject.Locate(new ToolchainOptions(), install.Combine("server", "bin"));

        Assert.NotNull(first);
        Assert.StartsWith(LeanAssist.Lean.Storage.LeanAssistDirectories.CacheRoot, first, StringComparison.Ordinal);
        Assert.Equal(first, second);
        Assert.NotEqual(first, changed);
        Assert.Equal("leanprover/lean4:v4.32.0\n", File.ReadAllText(Path.Combine(first!, "lean-toolchain")));
        Assert.False(Directory.Exists(Path.Combine(first!, ".lake")));
    }

    /// <summary>The REPL revision lean_verifier/lakefile.toml requires: it must be the toolchain's own tag.</summary>
    private static string ReadRequiredReplRevision(string verifier)
    {
        var lines = File.ReadAllLines(Path.Combine(verifier, "lakefile.toml"));
        var rev = lines.Single(l => l.TrimStart().StartsWith("rev", StringComparison.Ordinal));
        return rev[(rev.IndexOf('"', StringComparison.Ordinal) + 1)..rev.LastIndexOf('"')];
    }
}
