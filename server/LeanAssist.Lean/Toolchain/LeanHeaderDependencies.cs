using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace LeanAssist.Lean.Toolchain;

/// <summary>
/// What the environment a header imports depends on besides the toolchain and the import lines: the
/// project it is loaded in, the pinned packages (<c>lake-manifest.json</c>), and the build of each
/// imported module of the project itself. Part of the header fingerprint, so everything keyed by it
/// (verdicts, command outcomes, warm sessions) is new after the user rebuilds an imported module,
/// updates a dependency, or opens the same file in another checkout.
/// </summary>
/// <remarks>
/// Cheap by design, because it is computed for every load of a document version (not per keystroke: loads
/// follow the editor's debounce): one read of the manifest (a few kilobytes) and at most three stats per
/// import. An imported module of the project is stamped by size and modification time of the first of
/// <c>.lake/build/lib/lean/A/B/C.olean</c> (Lake's current layout), <c>.lake/build/lib/A/B/C.olean</c>
/// (older Lake) and, when it is not built, its source <c>A/B/C.lean</c>: Lean imports the .olean, so
/// its stamp is what decides the environment (content hashes of .olean files would cost too much).
/// Only direct imports are stamped: Lake rebuilds a module when a module it imports changed, so a
/// change further down shows up in the direct import's .olean. Modules of packages
/// (<c>.lake/packages/*</c>) and of the toolchain are covered by the manifest and the toolchain.
/// </remarks>
public static class LeanHeaderDependencies
{
    private const string Absent = "-";

    /// <summary>
    /// A text naming the project root (full path) and the current state of the dependencies of a header
    /// importing <paramref name="modules"/>; equal texts mean the same environment as far as can be seen on disk.
    /// </summary>
    public static string Describe(string projectRoot, IReadOnlyList<string> modules) =>
        Describe(projectRoot, modules, LakeLeanOptions.Read(projectRoot));

    /// <param name="leanOptions">The package's <c>leanOptions</c> as read once for this load (see <see cref="LakeLeanOptions"/>): they change what every command means.</param>
    public static string Describe(string projectRoot, IReadOnlyList<string> modules, IReadOnlyList<LakeLeanOption> leanOptions)
    {
        ArgumentException.ThrowIfNullOrEmpty(projectRoot);
        ArgumentNullException.ThrowIfNull(modules);
        ArgumentNullException.ThrowIfNull(leanOptions);
        var root = NormalizeRoot(projectRoot);
        var builder = new StringBuilder();
        builder.Append("root=").Append(root).Append('\n');
        builder.Append("manifest=").Append(ManifestHash(Path.Combine(root, "lake-manifest.json"))).Append('\n');
        foreach (var module in modules)
        {
            builder.Append("module ").Append(module).Append('=').Append(ModuleStamp(root, module)).Append('\n');
        }

        if (leanOptions.Count > 0)
        {
            builder.Append(LakeLeanOptions.Describe(leanOptions)).Append('\n');
        }

        return builder.ToString();
    }

    /// <summary>The full path without a trailing separator, so "/p/proj" and "/p/proj/" are one project.</summary>
    public static string NormalizeRoot(string projectRoot) => Path.TrimEndingDirectorySeparator(Path.GetFullPath(projectRoot));

    /// <summary>
    /// The path components of a module name (<c>A.B.C</c> → A, B, C; <c>«My Lib».Basic</c> → My Lib, Basic),
    /// or null when it is not a name that maps to a file inside the project.
    /// </summary>
    public static IReadOnlyList<string>? ModulePath(string module)
    {
        ArgumentNullException.ThrowIfNull(module);
        var parts = new List<string>();
        var i = 0;
        while (i < module.Length)
        {
            int end;
            if (module[i] == '«')
            {
                end = module.IndexOf('»', i + 1);
                if (end < 0)
                {
                    return null;
                }

                parts.Add(module[(i + 1)..end]);
                i = end + 1;
            }
            else
            {
                end = module.IndexOf('.', i);
                end = end < 0 ? module.Length : end;
                parts.Add(module[i..end]);
                i = end;
            }

            if (i < module.Length)
            {
                if (module[i] != '.' || i + 1 == module.Length)
                {
                    return null;
                }

                i++;
            }
        }

        // Never let a name reach outside the project ("..", separators, empty parts).
        return parts.Count == 0 || parts.Any(p => p.Length == 0 || p is "." or ".." || p.IndexOfAny(['/', '\\', ':']) >= 0 || p.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0)
            ? null
            : parts;
    }

    private static string ModuleStamp(string root, string module)
    {
        if (ModulePath(module) is not { } parts)
        {
            return Absent;
        }

        var relative = Path.Combine([.. parts]);
        var candidates = new[]
        {
            ("olean", Path.Combine(root, ".lake", "build", "lib", "lean", relative + ".olean")),
            ("olean", Path.Combine(root, ".lake", "build", "lib", relative + ".olean")),
            ("source", Path.Combine(root, relative + ".lean")),
        };
        foreach (var (kind, path) in candidates)
        {
            if (Stat(path) is { } stat)
            {
                return string.Create(CultureInfo.InvariantCulture, $"{kind}:{stat.Length}:{stat.Ticks}");
            }
        }

        // Not in the project: a package's or the toolchain's module (the manifest and the toolchain cover it).
        return Absent;
    }

    /// <summary>
    /// The manifest's content hash. Read every time rather than trusted by size and time: a
    /// <c>lake update</c> can rewrite it at the same length within the file system's time resolution,
    /// and it is a few kilobytes.
    /// </summary>
    private static string ManifestHash(string path)
    {
        try
        {
            return File.Exists(path) ? Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path))) : Absent;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Being rewritten (lake update) or unreadable: a value that matches no readable manifest.
            return "unreadable";
        }
    }

    /// <summary>Size and last write time (UTC ticks) of a file, or null when there is no such file.</summary>
    private static (long Length, long Ticks)? Stat(string path)
    {
        try
        {
            var info = new FileInfo(path);
            return info.Exists ? (info.Length, info.LastWriteTimeUtc.Ticks) : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            return null;
        }
    }
}
