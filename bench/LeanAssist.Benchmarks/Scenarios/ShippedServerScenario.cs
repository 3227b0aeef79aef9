using System.Diagnostics;
using System.IO.Compression;
using LeanAssist.Benchmarks.Workloads;
using LeanAssist.Testing;
using LeanAssist.Testing.Lsp;

namespace LeanAssist.Benchmarks.Scenarios;

/// <param name="Name">How it is built: framework-dependent, self-contained, self-contained + ReadyToRun.</param>
/// <param name="ZippedMegabytes">The published folder zipped as a VSIX zips it (Deflate): what it adds to the download.</param>
public sealed record ShippedServerBuild(string Name, double InstalledMegabytes, double ZippedMegabytes, IReadOnlyList<TimeSpan> Starts, double ResidentAfterInitializeMb)
{
    public TimeSpan StartMedian => Starts.Order().ElementAt(Starts.Count / 2);
}

/// <summary>
/// The server as the VSIXes ship it, published here the way <c>npm run package</c> publishes it: universal
/// (framework-dependent, run with dotnet), and for this machine's platform self-contained with and without
/// ReadyToRun. Each is started <see cref="Starts"/> times: process start to the <c>initialize</c> answer, and
/// resident memory after it.
/// </summary>
public static class ShippedServerScenario
{
    public static async Task<IReadOnlyList<ShippedServerBuild>> RunAsync(int starts, CancellationToken cancellationToken)
    {
        using var work = new TemporaryDirectory("leanassist-shipped");
        var rid = System.Runtime.InteropServices.RuntimeInformation.RuntimeIdentifier;
        var builds = new List<ShippedServerBuild>();
        foreach (var (name, arguments, executable) in new (string, string[], string)[]
        {
            ("universal: framework-dependent (run with dotnet)", ["-p:UseAppHost=false"], "leanassist.dll"),
            ($"{rid}: self-contained", ["-r", rid, "--self-contained", "-p:PublishReadyToRun=false"], "leanassist"),
            ($"{rid}: self-contained + ReadyToRun (what the platform VSIX ships)", ["-r", rid, "--self-contained", "-p:PublishReadyToRun=true"], "leanassist"),
        })
        {
            var output = work.Combine(builds.Count.ToString(System.Globalization.CultureInfo.InvariantCulture));
            var publish = await ProcessRunner.RunAsync("dotnet", ["publish", "server/LeanAssist.Server", "-c", "Release", "-o", output, "-p:DebugType=embedded", "--nologo", .. arguments], TimeSpan.FromMinutes(10)).ConfigureAwait(false);
            if (publish.ExitCode != 0)
            {
                throw new InvalidOperationException($"dotnet publish ({name}) failed: {publish.Describe()}");
            }

            var times = new List<TimeSpan>();
            var resident = 0.0;
            for (var i = 0; i < starts; i++)
            {
                var clock = Stopwatch.StartNew();
                var path = Path.Combine(output, executable);
                await using var server = path.EndsWith(".dll", StringComparison.Ordinal)
                    ? ServerProcess.StartExecutable(ServerProcess.DotnetHost, null, path, "lsp", "--stdio", "--log-file", "none")
                    : ServerProcess.StartExecutable(path, null, "lsp", "--stdio", "--log-file", "none");
                await server.Client.InitializeAsync(processId: Environment.ProcessId).ConfigureAwait(false);
                times.Add(clock.Elapsed);
                resident = EditorSession.ResidentMegabytes(server.Process.Id);
                await server.Client.ShutdownAndExitAsync().ConfigureAwait(false);
                await server.WaitForExitAsync(TimeSpan.FromSeconds(20)).ConfigureAwait(false);
            }

            builds.Add(new ShippedServerBuild(name, FolderMegabytes(output), ZippedMegabytes(output, work.Combine($"{builds.Count}.zip")), times, resident));
        }

        return builds;
    }

    private static double FolderMegabytes(string folder) =>
        Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length) / 1e6;

    private static double ZippedMegabytes(string folder, string zip)
    {
        ZipFile.CreateFromDirectory(folder, zip, CompressionLevel.Optimal, includeBaseDirectory: false);
        return new FileInfo(zip).Length / 1e6;
    }
}
