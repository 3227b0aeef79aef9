namespace LeanAssist.Testing.Packaging;

/// <summary>
/// Builds VSIXes from the checkout exactly as a release does (<c>npm run package</c>), one at a time
/// across processes: every build writes the repository's <c>dist/</c>, and test projects run in
/// parallel. Each VSIX is copied out of the build under the lock and built at most once per process.
/// </summary>
public static class VsixBuilder
{
    private static readonly Dictionary<string, Lazy<Task<string>>> Builds = [];

    /// <summary>The VS Code platform target of the machine the tests run on (linux-x64 here), or null where none is built.</summary>
    public static string? CurrentPlatformTarget =>
        OperatingSystem.IsLinux() && System.Runtime.InteropServices.RuntimeInformation.OSArchitecture == System.Runtime.InteropServices.Architecture.X64
            ? "linux-x64"
            : null;

    /// <summary>The universal VSIX (null target) or a platform-specific one; returns its path.</summary>
    public static Task<string> BuildAsync(string? target = null)
    {
        lock (Builds)
        {
            var key = target ?? "universal";
            if (!Builds.TryGetValue(key, out var build))
            {
                build = new Lazy<Task<string>>(() => BuildLockedAsync(target));
                Builds[key] = build;
            }

            return build.Value;
        }
    }

    private static async Task<string> BuildLockedAsync(string? target)
    {
        var output = Directory.CreateTempSubdirectory($"leanassist-vsix-{target ?? "universal"}-").FullName;
        await using (await AcquireLockAsync(TimeSpan.FromMinutes(15)).ConfigureAwait(false))
        {
            var npm = OperatingSystem.IsWindows() ? "npm.cmd" : "npm";
            string[] arguments = target is null
                ? ["run", "package", "--", "--out", output + Path.DirectorySeparatorChar]
                : ["run", "package", "--", "--target", target, "--out", output + Path.DirectorySeparatorChar];
            var build = await ProcessRunner.RunAsync(npm, arguments, TimeSpan.FromMinutes(8)).ConfigureAwait(false);
            if (build.ExitCode != 0)
            {
                throw new InvalidOperationException($"npm {string.Join(' ', arguments)} failed: {build.Describe()}");
            }
        }

        var vsix = Directory.GetFiles(output, "*.vsix");
        return vsix.Length == 1
            ? vsix[0]
            : throw new InvalidOperationException($"expected one VSIX in {output}, found: {string.Join(", ", vsix)}");
    }

    /// <summary>An exclusive lock per checkout (a file in the temporary folder), waited for with a bound.</summary>
    private static async Task<FileStream> AcquireLockAsync(TimeSpan timeout)
    {
        var checkout = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(RepositoryPaths.RepositoryRoot)))[..16];
        var path = Path.Combine(Path.GetTempPath(), $"leanassist-vsix-build-{checkout}.lock");
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.DeleteOnClose);
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(500)).ConfigureAwait(false);
            }
        }
    }
}
