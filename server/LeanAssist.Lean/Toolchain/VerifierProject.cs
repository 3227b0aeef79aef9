namespace LeanAssist.Lean.Toolchain;

/// <summary>The <c>lean_verifier/</c> project that hosts standalone files: a setting, else found above the LeanAssist installation.</summary>
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
}
