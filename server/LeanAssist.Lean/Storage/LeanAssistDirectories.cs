namespace LeanAssist.Lean.Storage;

/// <summary>
/// Where LeanAssist keeps per-user state: logs, REPL builds per toolchain, caches.
/// <c>LEANASSIST_CACHE_DIR</c> overrides the platform default (tests use it to stay isolated).
/// </summary>
public static class LeanAssistDirectories
{
    public const string CacheDirectoryVariable = "LEANASSIST_CACHE_DIR";

    /// <summary>The root cache directory (not created here).</summary>
    public static string CacheRoot
    {
        get
        {
            var overridden = Environment.GetEnvironmentVariable(CacheDirectoryVariable);
            if (!string.IsNullOrWhiteSpace(overridden))
            {
                return Path.GetFullPath(overridden);
            }

            if (OperatingSystem.IsWindows())
            {
                return Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData), "LeanAssist", "Cache");
            }

            var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
            if (OperatingSystem.IsMacOS())
            {
                return Path.Combine(home, "Library", "Caches", "LeanAssist");
            }

            var xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
            return Path.Combine(string.IsNullOrWhiteSpace(xdg) ? Path.Combine(home, ".cache") : xdg, "leanassist");
        }
    }

    /// <summary>Resolves <paramref name="configured"/> if set, else <paramref name="relative"/> under the cache root.</summary>
    public static string Resolve(string? configured, params string[] relative) =>
        string.IsNullOrWhiteSpace(configured)
            ? Path.Combine([CacheRoot, .. relative])
            : Path.GetFullPath(Environment.ExpandEnvironmentVariables(configured));

    public static string Logs => Path.Combine(CacheRoot, "logs");
}
