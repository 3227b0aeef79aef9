using System.Runtime.CompilerServices;

namespace LeanAssist.Tests;

/// <summary>
/// Points LeanAssist's per-user cache root (LEANASSIST_CACHE_DIR) at a folder of this test process
/// before any test runs, so no test reads or writes the developer's real cache, and removes it at exit.
/// Compiled into every test project (tests/Directory.Build.props).
/// </summary>
internal static class TestCacheIsolation
{
#pragma warning disable CA2255 // A test assembly is where a module initializer belongs: it must run before any test.
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void Isolate()
    {
        if (!string.IsNullOrEmpty(Environment.GetEnvironmentVariable("LEANASSIST_CACHE_DIR")))
        {
            return;
        }

        var root = Path.Combine(Path.GetTempPath(), "leanassist-tests", Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Environment.SetEnvironmentVariable("LEANASSIST_CACHE_DIR", root);
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                Directory.Delete(root, recursive: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Something still holds a file; the OS temp cleaner takes it.
            }
        };
    }
}
