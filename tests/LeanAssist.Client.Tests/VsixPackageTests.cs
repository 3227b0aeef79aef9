using System.IO.Compression;
using System.Text.Json;
using System.Xml.Linq;
using LeanAssist.Testing;
using LeanAssist.Testing.Packaging;

namespace LeanAssist.Client.Tests;

/// <summary>
/// Builds the VSIX exactly as a release does (<c>npm run package</c>: esbuild bundle, <c>dotnet publish</c>
/// of the server, <c>vsce package</c>) and checks what is inside. Takes about a minute.
/// </summary>
public sealed class VsixPackageTests : IDisposable
{
    /// <summary>Files outside dist/server that the VSIX may hold; anything else is a packaging mistake.</summary>
    private static readonly string[] ExpectedOutsideServer =
    [
        "[Content_Types].xml",
        "extension.vsixmanifest",
        "extension/package.json",
        "extension/readme.md",
        "extension/LICENSE.txt",
        "extension/dist/extension.js",
        "extension/lean_verifier/lakefile.toml",
        "extension/lean_verifier/lean-toolchain",
        "extension/lean_verifier/LeanVerifier.lean",
        "extension/lean_verifier/README.md",
    ];

    /// <summary>The .NET runtime identifiers of the platforms VS Code runs on (see .vscodeignore), plus "win" (Windows-only assemblies).</summary>
    private static readonly string[] ExpectedRuntimeFolders =
        ["linux-arm", "linux-arm64", "linux-musl-arm64", "linux-musl-x64", "linux-x64", "osx-arm64", "osx-x64", "win", "win-arm64", "win-x64"];

    private readonly string _work = Directory.CreateTempSubdirectory("leanassist-vsix-").FullName;

    public void Dispose() => Directory.Delete(_work, recursive: true);

    [Fact]
    public async Task Npm_run_package_builds_a_vsix_with_the_client_bundle_and_the_server_and_nothing_else()
    {
        var manifest = ReadManifest(Path.Combine(RepositoryPaths.RepositoryRoot, "package.json"));
        var version = manifest.GetProperty("version").GetString()!;

        var vsix = await VsixBuilder.BuildAsync();

        Assert.Equal($"leanassist-{version}.vsix", Path.GetFileName(vsix));
        var extracted = Path.Combine(_work, "vsix");
        ZipFile.ExtractToDirectory(vsix, extracted);
        var entries = Directory.EnumerateFiles(extracted, "*", SearchOption.AllDirectories)
            .Select(file => Path.GetRelativePath(extracted, file).Replace('\\', '/'))
            .ToHashSet(StringComparer.Ordinal);

        // Exactly the bundle, the manifest files and the server: no sources, tests, maps or node_modules.
        foreach (var expected in ExpectedOutsideServer)
        {
            Assert.Contains(expected, entries);
        }

        var unexpected = entries.Where(entry => !ExpectedOutsideServer.Contains(entry) && !entry.StartsWith("extension/dist/server/", StringComparison.Ordinal)).ToArray();
        Assert.True(unexpected.Length == 0, $"unexpected files in the VSIX: {string.Join(", ", unexpected)}");
        Assert.DoesNotContain(entries, entry => entry.EndsWith(".ts", StringComparison.Ordinal) || entry.EndsWith(".cs", StringComparison.Ordinal)
            || entry.EndsWith(".map", StringComparison.Ordinal) || entry.EndsWith(".pdb", StringComparison.Ordinal) || entry.Contains("node_modules/", StringComparison.Ordinal));

        AssertServerIsComplete(Path.Combine(extracted, "extension", "dist", "server"), entries);
        AssertManifests(extracted, manifest, version);
        await AssertBundleLoadsAsync(Path.Combine(extracted, "extension", "dist", "extension.js"));
        await AssertServerRunsAsync(Path.Combine(extracted, "extension", "dist", "server", "leanassist.dll"), version);
    }

    /// <summary>
    /// The platform VSIX of this machine (linux-x64 here): a self-contained server, so a Lean user with no
    /// .NET gets a working extension. Run with no dotnet reachable: not on PATH, no DOTNET_ROOT.
    /// </summary>
    [Fact]
    public async Task Npm_run_package_with_a_target_builds_a_self_contained_vsix_whose_server_runs_without_dotnet()
    {
        Assert.True(VsixBuilder.CurrentPlatformTarget is not null, "no platform VSIX is built for this machine's platform; run this test on linux-x64");
        var target = VsixBuilder.CurrentPlatformTarget!;
        var version = ReadManifest(Path.Combine(RepositoryPaths.RepositoryRoot, "package.json")).GetProperty("version").GetString()!;

        var vsix = await VsixBuilder.BuildAsync(target);

        Assert.Equal($"leanassist-{target}-{version}.vsix", Path.GetFileName(vsix));
        var extracted = Path.Combine(_work, "platform");
        ZipFile.ExtractToDirectory(vsix, extracted);
        XNamespace ns = "http://schemas.microsoft.com/developer/vsx-schema/2011";
        var identity = XDocument.Load(Path.Combine(extracted, "extension.vsixmanifest")).Descendants(ns + "Identity").Single();
        Assert.Equal(target, identity.Attribute("TargetPlatform")?.Value);

        var server = Path.Combine(extracted, "extension", "dist", "server");
        var executable = Path.Combine(server, "leanassist");
        Assert.True(File.Exists(Path.Combine(server, "libhostfxr.so")), "the platform VSIX's server does not carry the .NET runtime");
        using (var zip = ZipFile.OpenRead(vsix))
        {
            // VS Code keeps the mode bits of the entry; without the executable bit the client cannot start it.
            var entry = zip.GetEntry("extension/dist/server/leanassist")!;
            Assert.True(((entry.ExternalAttributes >> 16) & 0b001_001_001) != 0, $"the server executable is not executable in the VSIX (mode {Convert.ToString(entry.ExternalAttributes >> 16, 8)})");
        }

        Assert.DoesNotContain(Directory.EnumerateDirectories(Path.Combine(server)), directory => Path.GetFileName(directory) == "runtimes");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(executable, File.GetUnixFileMode(executable) | UnixFileMode.UserExecute);
        }

        var empty = Directory.CreateDirectory(Path.Combine(_work, "no-dotnet")).FullName;
        var result = await ProcessRunner.RunAsync(executable, ["--version"], TimeSpan.FromMinutes(1), environment: new Dictionary<string, string?>
        {
            ["PATH"] = empty,
            ["DOTNET_ROOT"] = null,
            ["DOTNET_ROOT_X64"] = null,
            ["DOTNET_HOST_PATH"] = null,
        });
        Assert.True(result.ExitCode == 0, $"the self-contained server did not run without dotnet: {result.Describe()}");
        Assert.StartsWith(version, result.StandardOutput.Trim(), StringComparison.Ordinal);
    }

    /// <summary>Every assembly the server's deps.json names for the portable target is there, and native files only for VS Code's platforms.</summary>
    private static void AssertServerIsComplete(string server, IReadOnlySet<string> entries)
    {
        foreach (var file in new[] { "leanassist.dll", "leanassist.runtimeconfig.json", "leanassist.deps.json" })
        {
            Assert.True(File.Exists(Path.Combine(server, file)), $"the VSIX has no server {file}");
        }

        Assert.False(File.Exists(Path.Combine(server, "leanassist")) || File.Exists(Path.Combine(server, "leanassist.exe")),
            "the VSIX carries a platform-specific apphost; the package is meant for every platform (framework-dependent dll)");

        using var deps = JsonDocument.Parse(File.ReadAllText(Path.Combine(server, "leanassist.deps.json")));
        var target = deps.RootElement.GetProperty("targets").EnumerateObject().Single().Value;
        var missing = new List<string>();
        foreach (var library in target.EnumerateObject())
        {
            if (library.Value.TryGetProperty("runtime", out var runtime))
            {
                missing.AddRange(runtime.EnumerateObject().Select(asset => Path.GetFileName(asset.Name)).Where(file => !File.Exists(Path.Combine(server, file))));
            }
        }

        Assert.True(missing.Count == 0, $"assemblies the server needs are not in the VSIX: {string.Join(", ", missing)}");

        var runtimeFolders = entries
            .Where(entry => entry.StartsWith("extension/dist/server/runtimes/", StringComparison.Ordinal))
            .Select(entry => entry.Split('/')[4])
            .Distinct()
            .Order(StringComparer.Ordinal)
            .ToArray();
        Assert.Equal(ExpectedRuntimeFolders, runtimeFolders);
    }

    private static void AssertManifests(string extracted, JsonElement sourceManifest, string version)
    {
        var packaged = ReadManifest(Path.Combine(extracted, "extension", "package.json"));
        Assert.Equal("leanassist", packaged.GetProperty("name").GetString());
        Assert.Equal(version, packaged.GetProperty("version").GetString());
        Assert.Equal(sourceManifest.GetProperty("engines").GetProperty("vscode").GetString(), packaged.GetProperty("engines").GetProperty("vscode").GetString());
        var main = packaged.GetProperty("main").GetString()!;
        Assert.True(File.Exists(Path.Combine(extracted, "extension", main)), $"main ({main}) is not in the VSIX");

        XNamespace ns = "http://schemas.microsoft.com/developer/vsx-schema/2011";
        var vsixManifest = XDocument.Load(Path.Combine(extracted, "extension.vsixmanifest"));
        var identity = vsixManifest.Descendants(ns + "Identity").Single();
        Assert.Equal("leanassist", identity.Attribute("Id")?.Value);
        Assert.Equal("leanassist", identity.Attribute("Publisher")?.Value);
        Assert.Equal(version, identity.Attribute("Version")?.Value);
        var properties = vsixManifest.Descendants(ns + "Property").ToDictionary(p => p.Attribute("Id")!.Value, p => p.Attribute("Value")?.Value);
        Assert.Equal("leanprover.lean4", properties["Microsoft.VisualStudio.Code.ExtensionDependencies"]);
        Assert.Equal("workspace", properties["Microsoft.VisualStudio.Code.ExtensionKind"]);
    }

    private static async Task AssertBundleLoadsAsync(string bundle)
    {
        var script = Path.Combine(RepositoryPaths.RepositoryRoot, "tests", "LeanAssist.Client.Tests", "Node", "load-extension-bundle.cjs");
        var result = await NodeRunner.RunAsync(script, TimeSpan.FromMinutes(1), bundle);
        Assert.True(result.ExitCode == 0, $"the packaged bundle failed its checks:\n{result.StandardOutput}\n{result.StandardError}");
    }

    /// <summary>The packaged server starts with a .NET runtime (the way the client runs it) and reports the package's version.</summary>
    private static async Task AssertServerRunsAsync(string serverDll, string version)
    {
        var result = await ProcessRunner.RunAsync(
            "dotnet",
            [serverDll, "--version"],
            TimeSpan.FromMinutes(1),
            environment: new Dictionary<string, string?> { ["DOTNET_ROLL_FORWARD"] = "Major" });
        Assert.True(result.ExitCode == 0, $"the packaged server did not run: {result.Describe()}");
        Assert.StartsWith(version, result.StandardOutput.Trim(), StringComparison.Ordinal);
    }

    private static JsonElement ReadManifest(string file)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(file));
        return document.RootElement.Clone();
    }
}
