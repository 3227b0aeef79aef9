using LeanAssist.Lean.Source;
using LeanAssist.Lean.Storage;

namespace LeanAssist.Lean.Toolchain;

/// <summary>
/// The <c>lean_verifier/</c> project that hosts standalone files: the setting when given, else a working
/// copy of the template shipped with LeanAssist (found above the installation), kept under the per-user
/// cache. Lake writes into the project it runs in (<c>.lake/</c>, the manifest), and an installed
/// extension's folder must never be written to, so the template itself is not used.
/// </summary>
public static class VerifierProject
{
    public const string DirectoryName = "lean_verifier";

    public static string? Locate(ToolchainOptions options, string? startDirectory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!string.IsNullOrWhiteSpace(options.VerifierProject))
        {
            var configured = Path.GetFullPath(Environment.ExpandEnvironmentVariables(options.VerifierProject));
            return Directory.Exists(configured) ? configured : null;
        }

        return FindTemplate(startDirectory) is { } template ? WorkingCopy(template) : null;
    }

    /// <summary>The shipped template: the nearest <c>lean_verifier/lakefile.toml</c> above <paramref name="startDirectory"/>.</summary>
    public static string? FindTemplate(string? startDirectory = null)
    {
        for (var directory = new DirectoryInfo(startDirectory ?? AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, DirectoryName);
            if (File.Exists(Path.Combine(candidate, "lakefile.toml")))
            {
                return candidate;
            }
        }

        return null;
    }

    /// <summary>
    /// A copy of the template's files (not its <c>.lake/</c>) under the cache, named by their content, so a
    /// new LeanAssist with another toolchain pin gets a fresh project and the old one stays intact.
    /// </summary>
    public static string WorkingCopy(string template)
    {
        var files = Directory.GetFiles(template).Where(f => !Path.GetFileName(f).StartsWith('.')).Order(StringComparer.Ordinal).ToArray();
        var fingerprint = LeanFingerprint.Compute([.. files.SelectMany(f => new[] { Path.GetFileName(f), File.ReadAllText(f) })]).Value[..16];
        var destination = Path.Combine(LeanAssistDirectories.CacheRoot, DirectoryName, fingerprint);
        if (File.Exists(Path.Combine(destination, "lakefile.toml")))
        {
            return destination;
        }

        // Built next to its final place and renamed, so a half-copied project is never used.
        var staging = destination + $".{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";
        Directory.CreateDirectory(staging);
        foreach (var file in files)
        {
            File.Copy(file, Path.Combine(staging, Path.GetFileName(file)));
        }

        try
        {
            Directory.Move(staging, destination);
        }
        catch (IOException) when (File.Exists(Path.Combine(destination, "lakefile.toml")))
        {
            // Another process made the same copy first.
            Directory.Delete(staging, recursive: true);
        }

        return destination;
    }
}
