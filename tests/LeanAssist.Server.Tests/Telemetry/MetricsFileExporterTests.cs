using LeanAssist.Lean.Repl;
using LeanAssist.Server.Telemetry;
using LeanAssist.Testing;
using LeanAssist.Testing.Hosting;
using Microsoft.Extensions.Logging.Abstractions;

namespace LeanAssist.Server.Tests.Telemetry;

public sealed class MetricsFileExporterTests
{
    /// <summary>No process has this id: above Linux's pid_max, and not a multiple of 4 as Windows ids are.</summary>
    private const int NeverAProcess = int.MaxValue;

    private static readonly DateTimeOffset Now = new(2025, 11, 22, 12, 0, 0, TimeSpan.Zero);

    private static string Export(TemporaryDirectory directory, string name, TimeSpan age)
    {
        var path = directory.WriteFile(name, "# metrics\n");
        File.SetLastWriteTimeUtc(path, (Now - age).UtcDateTime);
        return path;
    }

    [Theory]
    [InlineData("leanassist-1234.prom", 1234)]
    [InlineData("leanassist-1234.json", 1234)]
    [InlineData("leanassist-1234.prom.tmp", 1234)]
    [InlineData("leanassist-x1.prom", null)]
    [InlineData("leanassist-.prom", null)]
    [InlineData("leanassist-12", null)]
    [InlineData("other-12.prom", null)]
    public void The_process_id_is_read_from_the_file_name(string fileName, int? processId)
    {
        Assert.Equal(processId, MetricsFileExporter.ExporterProcessId(fileName));
    }

    [Fact]
    public void Exports_of_ended_servers_older_than_a_day_are_deleted_and_nothing_else()
    {
        using var directory = new TemporaryDirectory();
        var old = TimeSpan.FromDays(2);
        string[] deleted =
        [
            Export(directory, $"leanassist-{NeverAProcess}.prom", old),
            Export(directory, $"leanassist-{NeverAProcess}.json", old),
            Export(directory, $"leanassist-{NeverAProcess}.json.tmp", old),
        ];
        string[] kept =
        [
            // Ended an hour ago: `leanassist metrics` still shows it.
            Export(directory, $"leanassist-{NeverAProcess - 2}.prom", TimeSpan.FromHours(1)),

            // A server still running, however old its file.
            Export(directory, $"leanassist-{Environment.ProcessId}.prom", old),

            // Not an export.
            Export(directory, "leanassist-notes.txt", old),
            Export(directory, "README", old),
        ];

        var count = MetricsFileExporter.Prune(directory.Path, Now, ProcessTree.IsAlive, NullLogger.Instance);

        Assert.Equal(3, count);
        Assert.All(deleted, path => Assert.False(File.Exists(path), path));
        Assert.All(kept, path => Assert.True(File.Exists(path), path));
    }

    [LinuxFact]
    public async Task The_export_of_a_server_that_is_a_zombie_counts_as_ended()
    {
        await using var zombie = await ZombieProcess.StartAsync();
        using var directory = new TemporaryDirectory();
        var export = Export(directory, $"leanassist-{zombie.ZombieId}.prom", TimeSpan.FromDays(3));

        MetricsFileExporter.Prune(directory.Path, Now, ProcessTree.IsAlive, NullLogger.Instance);

        Assert.False(File.Exists(export));
    }

    [Fact]
    public void A_missing_directory_is_nothing_to_prune()
    {
        Assert.Equal(0, MetricsFileExporter.Prune(Path.Combine(Path.GetTempPath(), $"leanassist-absent-{Guid.NewGuid():N}"), Now, _ => false, NullLogger.Instance));
    }

    [Fact]
    public async Task The_language_server_prunes_old_exports_when_it_starts()
    {
        using var directory = new TemporaryDirectory();
        var stale = directory.WriteFile($"leanassist-{NeverAProcess}.prom", "# metrics\n");
        File.SetLastWriteTimeUtc(stale, DateTime.UtcNow - TimeSpan.FromDays(2));
        var recent = directory.WriteFile($"leanassist-{NeverAProcess - 2}.prom", "# metrics\n");

        await using var server = await InProcessServer.StartInitializedAsync([new("LeanAssist:Server:MetricsDirectory", directory.Path)]);

        await Eventually.TrueAsync(() => !File.Exists(stale), TimeSpan.FromSeconds(20), "the stale export to be deleted");
        Assert.True(File.Exists(recent));
    }
}
