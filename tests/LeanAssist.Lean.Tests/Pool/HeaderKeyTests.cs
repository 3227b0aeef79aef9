using LeanAssist.Lean.Source;
using LeanAssist.Lean.Text;
using LeanAssist.Lean.Toolchain;
using LeanAssist.Testing;

namespace LeanAssist.Lean.Tests.Pool;

/// <summary>
/// What decides the environment is in the key: <c>prelude</c>, <c>module</c> and the module system's import
/// forms, and the Lake package's <c>leanOptions</c>. Files that differ only there never share a session or a verdict.
/// </summary>
public sealed class HeaderKeyTests
{
    private const string Body = "\n\ntheorem t (n : Nat) : n = n := by\n  sorry\n";

    public static TheoryData<string, string> HeaderVariants() => new()
    {
        { "import Proj.Basic", "prelude\nimport Proj.Basic" },
        { "import Proj.Basic", "module\nimport Proj.Basic" },
        { "module\nimport Proj.Basic", "module\npublic import Proj.Basic" },
        { "module\nimport Proj.Basic", "module\nmeta import Proj.Basic" },
        { "module\nimport Proj.Basic", "module\nimport all Proj.Basic" },
        { "module\npublic import Proj.Basic", "module\npublic meta import Proj.Basic" },
    };

    [Theory]
    [MemberData(nameof(HeaderVariants))]
    public void Headers_that_differ_only_in_prelude_module_or_import_form_have_different_fingerprints(string one, string other)
    {
        LeanFileSnapshot Snapshot(string header) => LeanFileSnapshot.Create(new SourceText(header + Body), "leanprover/lean4:v4.32.0", _ => "deps");

        var (a, b) = (Snapshot(one), Snapshot(other));

        Assert.NotEqual(a.HeaderFingerprint, b.HeaderFingerprint);
        // Everything keyed below the header (command outcomes, verdicts: the environment before each declaration) differs too.
        Assert.NotEqual(a.Commands.Single().EnvironmentBefore, b.Commands.Single().EnvironmentBefore);
    }

    [Fact]
    public void Comments_and_spacing_in_the_header_still_do_not_change_it()
    {
        LeanFileSnapshot Snapshot(string header) => LeanFileSnapshot.Create(new SourceText(header + Body), "t", _ => "deps");

        Assert.Equal(Snapshot("module\npublic import Proj.Basic").HeaderFingerprint, Snapshot("module  -- the module system\n\npublic   import Proj.Basic").HeaderFingerprint);
    }

    [Theory]
    [InlineData("import Proj.Basic", "module\nimport Proj.Basic")]
    [InlineData("import Proj.Basic", "prelude\nimport Proj.Basic")]
    [InlineData("module\nimport Proj.Basic", "module\npublic import Proj.Basic")]
    public async Task Files_that_differ_only_there_never_share_a_session(string one, string other)
    {
        await using var harness = PoolHarness.Create();

        var first = await harness.LoadAsync(one + Body);
        var second = await harness.LoadAsync(other + Body);

        Assert.NotEqual(first.HeaderFingerprint, second.HeaderFingerprint);
        Assert.True(second.LeanRequests > 0, "the second file was elaborated in its own sessions, not answered from the first's outcomes");
        Assert.Equal(2, harness.Log.CountRequests("header"));
        Assert.Contains(harness.Log.Requests, r => r.GetProperty("kind").GetString() == "header" && r.GetProperty("cmd").GetString() == other);
    }

    [Fact]
    public async Task Lakefile_lean_options_are_applied_after_the_header_and_keyed()
    {
        await using var harness = PoolHarness.Create();
        const string File = "import Proj.Basic" + Body;
        var plain = await harness.LoadAsync(File);

        harness.Host.Directory.WriteFile("project/lakefile.toml", "name = \"test\"\n\n[leanOptions]\nautoImplicit = false\nmaxHeartbeats = 400_000 # more\npp.unicode.fun = true\n");
        var withOptions = await harness.LoadAsync(File);

        Assert.NotEqual(plain.HeaderFingerprint, withOptions.HeaderFingerprint);
        Assert.NotEqual(plain.Targets.Single().EnvironmentBefore, withOptions.Targets.Single().EnvironmentBefore);
        Assert.True(withOptions.LeanRequests > 0, "elaborated again with the options");
        // As Lake's -D does for a module: the options hold for every command of the file, so they follow the imports.
        Assert.Contains(harness.Log.Requests, r => r.GetProperty("kind").GetString() == "header"
            && r.GetProperty("cmd").GetString() == "import Proj.Basic\nset_option autoImplicit false\nset_option maxHeartbeats 400000\nset_option pp.unicode.fun true");
    }

    [Fact]
    public void Lakefile_toml_options_are_read_from_the_table_or_inline()
    {
        Assert.Equal(
            [new LakeLeanOption("autoImplicit", "false"), new LakeLeanOption("pp.proofs.withType", "true"), new LakeLeanOption("trace.profiler.output", "\"out.json\"")],
            LakeLeanOptions.FromToml("name = \"p\"\n[leanOptions]\nautoImplicit = false\n\"pp.proofs.withType\" = true\ntrace.profiler.output = 'out.json'\n\n[[lean_lib]]\nname = \"P\"\nautoImplicit = true\n"));
        Assert.Equal(
            [new LakeLeanOption("autoImplicit", "false"), new LakeLeanOption("weak.linter.all", "true")],
            LakeLeanOptions.FromToml("name = \"p\"\nleanOptions = { autoImplicit = false, weak.linter.all = true }\n"));
        Assert.Empty(LakeLeanOptions.FromToml("name = \"p\"\n[[lean_lib]]\nname = \"P\"\n"));
    }

    [Fact]
    public void Lakefile_lean_options_are_read_from_the_package_declaration()
    {
        const string Lakefile = """
            import Lake
            open Lake DSL

            package «my-pkg» where
              leanOptions := #[
                ⟨`autoImplicit, false⟩,
                ⟨`pp.unicode.fun, .ofBool true⟩,
                ⟨`maxHeartbeats, (400000 : Nat)⟩
              ]

            lean_lib MyPkg where
              leanOptions := #[⟨`linter.all, true⟩]
            """;

        Assert.Equal(
            [new LakeLeanOption("autoImplicit", "false"), new LakeLeanOption("pp.unicode.fun", "true"), new LakeLeanOption("maxHeartbeats", "400000")],
            LakeLeanOptions.FromLakefileLean(Lakefile));
    }

    [Fact]
    public void Weak_options_are_keyed_but_not_sent()
    {
        IReadOnlyList<LakeLeanOption> options = [new("autoImplicit", "false"), new("weak.linter.all", "true")];

        Assert.Equal("import A\nset_option autoImplicit false", LakeLeanOptions.ApplyToHeader("import A", options));
        Assert.Contains("weak.linter.all=true", LakeLeanOptions.Describe(options), StringComparison.Ordinal);
    }
}
