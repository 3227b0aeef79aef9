namespace LeanAssist.Testing;

/// <summary>
/// Serialises <c>npm run package</c> across test processes: it writes <c>dist/</c> in the checkout, and
/// `dotnet test LeanAssist.sln` runs the test projects that build a VSIX (Client.Tests, VsCode.EndToEnd.Tests)
/// side by side. Held as an exclusive lock on a file under out/, released when disposed (or when the process dies).
/// </summary>
public sealed class PackageBuildLock : IDisposable
{
    private readonly FileStream _lock;

    private PackageBuildLock(FileStream stream) => _lock = stream;

    public static async Task<PackageBuildLock> AcquireAsync(TimeSpan timeout)
    {
        var path = Path.Combine(RepositoryPaths.RepositoryRoot, "out", "npm-run-package.lock");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            try
            {
                return new PackageBuildLock(new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                // Another test process is packaging; it takes about a minute.
                await Task.Delay(200);
            }
        }
    }

    public void Dispose() => _lock.Dispose();
}
