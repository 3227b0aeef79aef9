using LeanAssist.Lean.Source;
using LeanAssist.Lean.Text;
using LeanAssist.Lean.Toolchain;
using LeanAssist.Testing;

namespace LeanAssist.Lean.Tests.Toolchain;

/// <summary>
/// The header fingerprint's view of the project (root, manifest, builds of imported modules), on a
/// temporary Lake project laid out as Lake lays one out.
/// </summary>
public sealed class HeaderDependenciesTests : IDisposable
{
    private static readonly string[] Imports = ["Proj.Basic", "Proj.Util", "Proj.Old", "Mathlib.Tactic"];
    private static readonly DateTime Built = new(2025, 1, 2, 3, 4, 5, DateTimeKind.Utc);

    private readonly TemporaryDirectory _directory = new();

    private string Root => _directory.Combine("proj");

    public HeaderDependenciesTests() => Lay(Root);

    /// <summary>Proj.Basic built (current Lake layout), Proj.Util source only, Proj.Old built (older layout), Mathlib a package.</summary>
    private void Lay(string root)
    {
        Write(root, "lakefile.toml", "name = \"proj\"\n");
        Write(root, "lake-manifest.json", """{"version": "1.1.0", "packages": [{"name": "mathlib", "rev": "aaaa"}]}""");
        Write(root, ".lake/build/lib/lean/Proj/Basic.olean", "olean bytes v1");
        Write(root, "Proj/Basic.lean", "def basic := 1\n");
        Write(root, "Proj/Util.lean", "def util := 1\n");
        Write(root, ".lake/build/lib/Proj/Old.olean", "old layout olean");
        Write(root, ".lake/packages/mathlib/Mathlib/Tactic.lean", "-- a package module\n");
        Write(root, ".lake/packages/mathlib/.lake/build/lib/lean/Mathlib/Tactic.olean", "package olean");
    }

    private static void Write(string root, string relative, string content, DateTime? time = null)
    {
        var path = Path.Combine(root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
        File.SetLastWriteTimeUtc(path, time ?? Built);
    }

    private string Describe(string? root = null) => LeanHeaderDependencies.Describe(root ?? Root, Imports);

    [Fact]
    public void Unchanged_project_gives_the_same_description_and_fingerprint()
    {
        var first = Describe();

        Assert.Equal(first, Describe());
        Assert.Equal(LeanFingerprint.ForHeader("lean4:v4", "import Proj.Basic", first), LeanFingerprint.ForHeader("lean4:v4", "import Proj.Basic", Describe()));
    }

    [Fact]
    public void A_rebuilt_olean_changes_it_by_size_or_by_time()
    {
        var before = Describe();

        Write(Root, ".lake/build/lib/lean/Proj/Basic.olean", "olean bytes v2, longer");
        var resized = Describe();
        Write(Root, ".lake/build/lib/lean/Proj/Basic.olean", "olean bytes v3, longer", Built.AddMinutes(1));
        var retimed = Describe();

        Assert.NotEqual(before, resized);
        Assert.NotEqual(resized, retimed);
    }

    [Fact]
    public void An_olean_in_the_older_Lake_layout_is_stamped_too()
    {
        var before = Describe();

        Write(Root, ".lake/build/lib/Proj/Old.olean", "old layout olean", Built.AddHours(1));

        Assert.NotEqual(before, Describe());
    }

    [Fact]
    public void An_unbuilt_module_is_stamped_by_its_source_and_a_built_one_by_its_olean_only()
    {
        var before = Describe();

        // Lean imports the .olean: editing the source of a built module changes nothing until it is rebuilt.
        Write(Root, "Proj/Basic.lean", "def basic := 2 -- edited, not rebuilt\n", Built.AddHours(1));
        Assert.Equal(before, Describe());

        Write(Root, "Proj/Util.lean", "def util := 2 -- edited\n", Built.AddHours(1));
        Assert.NotEqual(before, Describe());
    }

    [Fact]
    public void Package_modules_are_covered_by_the_manifest()
    {
        var before = Describe();

        Write(Root, ".lake/packages/mathlib/.lake/build/lib/lean/Mathlib/Tactic.olean", "package olean, rebuilt", Built.AddHours(1));
        Assert.Equal(before, Describe());

        // lake update: a new revision pinned (same size and time even, so only the content tells).
        Write(Root, "lake-manifest.json", """{"version": "1.1.0", "packages": [{"name": "mathlib", "rev": "bbbb"}]}""", Built);
        Assert.NotEqual(before, Describe());
    }

    [Fact]
    public void A_project_without_a_manifest_still_has_a_description_and_gets_one_when_it_appears()
    {
        File.Delete(Path.Combine(Root, "lake-manifest.json"));
        var without = Describe();

        Write(Root, "lake-manifest.json", "{}");

        Assert.NotEqual(without, Describe());
    }

    [Fact]
    public void Another_checkout_of_the_same_project_is_another_environment()
    {
        var other = _directory.Combine("checkout2");
        Lay(other);

        Assert.NotEqual(Describe(), Describe(other));
        // The same project however its root is written.
        Assert.Equal(Describe(), Describe(Root + Path.DirectorySeparatorChar));
    }

    [Fact]
    public void Different_dependencies_give_different_header_and_command_fingerprints()
    {
        var text = new SourceText("import Proj.Basic\n\ntheorem t : True := by\n  sorry\n");
        var before = LeanFileSnapshot.Create(text, "lean4:v4", header => LeanHeaderDependencies.Describe(Root, header.Modules));

        Write(Root, ".lake/build/lib/lean/Proj/Basic.olean", "olean bytes, rebuilt", Built.AddHours(1));
        var after = LeanFileSnapshot.Create(text, "lean4:v4", header => LeanHeaderDependencies.Describe(Root, header.Modules));

        Assert.Equal(["Proj.Basic"], before.Layout.Header.Modules);
        Assert.NotEqual(before.HeaderFingerprint, after.HeaderFingerprint);
        Assert.NotEqual(before.Commands[0].Fingerprint, after.Commands[0].Fingerprint);
    }

    [Theory]
    [InlineData("A.B.C", new[] { "A", "B", "C" })]
    [InlineData("«My Lib».Basic", new[] { "My Lib", "Basic" })]
    [InlineData("«a.b».c", new[] { "a.b", "c" })]
    public void Module_names_map_to_paths(string module, string[] parts) => Assert.Equal(parts, LeanHeaderDependencies.ModulePath(module));

    [Theory]
    [InlineData("«..».x")]
    [InlineData("A..B")]
    [InlineData("A.")]
    [InlineData("«a/b».c")]
    [InlineData("«unclosed")]
    public void Names_that_would_leave_the_project_map_to_nothing(string module) => Assert.Null(LeanHeaderDependencies.ModulePath(module));

    public void Dispose() => _directory.Dispose();
}
