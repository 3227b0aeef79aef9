using System.Text.Json;

namespace LeanAssist.Lean.Toolchain;

/// <summary>Mathlib in a project: whether it is required, downloaded, and built (its .olean files present).</summary>
public sealed record MathlibStatus(bool Required, bool PackagePresent, bool OleansPresent, string? PackageDirectory);

/// <summary>Finds Lake projects and reads what they declare (toolchain, Mathlib).</summary>
public static class LeanProjectLocator
{
    public static readonly string[] LakefileNames = ["lakefile.toml", "lakefile.lean"];

    /// <summary>The nearest directory at or above the file's directory with a lakefile, or null (a standalone file).</summary>
    public static string? FindProjectRoot(string filePath)
    {
        ArgumentException.ThrowIfNullOrEmpty(filePath);
        var full = Path.GetFullPath(filePath);
        for (var directory = Directory.Exists(full) ? new DirectoryInfo(full) : new FileInfo(full).Directory; directory is not null; directory = directory.Parent)
        {
            if (LakefileNames.Any(name => File.Exists(Path.Combine(directory.FullName, name))))
            {
                return directory.FullName;
            }
        }

        return null;
    }

    /// <summary>The project's <c>lean-toolchain</c> (e.g. "leanprover/lean4:v4.32.0"), or null when there is none.</summary>
    public static string? ReadToolchain(string projectRoot)
    {
        var file = Path.Combine(projectRoot, "lean-toolchain");
        if (!File.Exists(file))
        {
            return null;
        }

        var text = File.ReadAllText(file).Trim();
        return text.Length == 0 ? null : text;
    }

    public static MathlibStatus DetectMathlib(string projectRoot)
    {
        var required = ManifestRequiresMathlib(Path.Combine(projectRoot, "lake-manifest.json")) || LakefileRequiresMathlib(projectRoot);
        var package = new[] { Path.Combine(projectRoot, ".lake", "packages", "mathlib"), Path.Combine(projectRoot, "lake-packages", "mathlib") }
            .FirstOrDefault(Directory.Exists);
        var oleans = package is not null && new[]
        {
            Path.Combine(package, ".lake", "build", "lib", "lean", "Mathlib.olean"),
            Path.Combine(package, ".lake", "build", "lib", "Mathlib.olean"),
            Path.Combine(package, "build", "lib", "Mathlib.olean"),
        }.Any(File.Exists);
        return new MathlibStatus(required || package is not null, package is not null, oleans, package);
    }

    private static bool ManifestRequiresMathlib(string manifest)
    {
        if (!File.Exists(manifest))
        {
            return false;
        }

        try
        {
            using var document = JsonDocument.Parse(File.ReadAllText(manifest));
            return document.RootElement.TryGetProperty("packages", out var packages) && packages.ValueKind == JsonValueKind.Array
                && packages.EnumerateArray().Any(p => p.TryGetProperty("name", out var name) && string.Equals(name.GetString(), "mathlib", StringComparison.OrdinalIgnoreCase));
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static bool LakefileRequiresMathlib(string projectRoot) =>
        LakefileNames.Select(name => Path.Combine(projectRoot, name)).Where(File.Exists).Any(file =>
        {
            var text = File.ReadAllText(file);
            return text.Contains("leanprover-community/mathlib", StringComparison.OrdinalIgnoreCase)
                || text.Contains("name = \"mathlib\"", StringComparison.OrdinalIgnoreCase)
                || text.Contains("require mathlib", StringComparison.OrdinalIgnoreCase);
        });
}
