using LeanAssist.Lean.Sessions;
using LeanAssist.Lean.Text;
using LeanAssist.Testing;

namespace LeanAssist.Lean.Tests.Pool;

/// <summary>
/// Sessions hold the environment their header imported when they started: after an imported module of the
/// project is rebuilt they are stale, so the pool must treat the file as a new header, start fresh sessions,
/// and retire the old ones.
/// </summary>
public sealed class HeaderRebuildTests
{
    private const string File = "import Proj.Basic\n\ntheorem t (n : Nat) : n = n := by\n  sorry\n";

    private static string RebuildOlean(string projectRoot, string content, DateTime time)
    {
        var olean = Path.Combine(projectRoot, ".lake", "build", "lib", "lean", "Proj", "Basic.olean");
        Directory.CreateDirectory(Path.GetDirectoryName(olean)!);
        System.IO.File.WriteAllText(olean, content);
        System.IO.File.SetLastWriteTimeUtc(olean, time);
        return olean;
    }

    [Fact]
    public async Task A_rebuilt_import_gives_a_new_header_fresh_sessions_and_retires_the_old_ones()
    {
        await using var harness = PoolHarness.Create(maintenanceInterval: TimeSpan.FromMilliseconds(50));
        harness.Pool.RetiredGroupGrace = TimeSpan.Zero;
        var built = new DateTime(2025, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        RebuildOlean(harness.ProjectRoot, "built once", built);
        var before = await harness.LoadAsync(File);
        var oldGroup = new SessionGroupKey(before.ProjectRoot, before.HeaderFingerprint);
        Assert.Contains(harness.Pool.Snapshot.Sessions, s => s.Group == oldGroup);

        RebuildOlean(harness.ProjectRoot, "built twice, different", built.AddMinutes(5));
        var after = await harness.LoadAsync(File);
        var newGroup = new SessionGroupKey(after.ProjectRoot, after.HeaderFingerprint);

        Assert.NotEqual(before.HeaderFingerprint, after.HeaderFingerprint);
        Assert.NotEqual(before.Targets.Single().EnvironmentBefore, after.Targets.Single().EnvironmentBefore);
        Assert.True(after.LeanRequests > 0, "the file was elaborated again on the new build");
        Assert.Equal(2, harness.Log.CountRequests("header"));
        await Eventually.TrueAsync(() => harness.Pool.Snapshot.Sessions.Count > 0 && harness.Pool.Snapshot.Sessions.All(s => s.Group == newGroup),
            TimeSpan.FromSeconds(30), "only sessions of the new build remain");
        await Eventually.TrueAsync(() => harness.Pool.GroupCount == 1, TimeSpan.FromSeconds(30), "the retired group is dropped");

        // The new build is kept: loading again is answered without Lean.
        var again = await harness.LoadAsync(File);
        Assert.Equal(0, again.LeanRequests);
        Assert.Equal(2, harness.Log.CountRequests("header"));
    }

    [Fact]
    public async Task Tactics_asked_of_a_target_of_the_old_build_still_get_verdicts()
    {
        await using var harness = PoolHarness.Create();
        var built = new DateTime(2025, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        RebuildOlean(harness.ProjectRoot, "built once", built);
        var before = await harness.LoadAsync(File);

        RebuildOlean(harness.ProjectRoot, "built twice, different", built.AddMinutes(5));
        await harness.LoadAsync(File);
        var runs = await harness.RunAsync(before.Targets.Single(), "rfl");

        // Work asked before the rebuild was seen is served (on a session started for it), not failed.
        Assert.Equal(TacticRunStatus.Responded, Assert.Single(runs).Status);
    }

    [Fact]
    public async Task The_same_file_in_another_checkout_shares_no_outcomes()
    {
        await using var harness = PoolHarness.Create();
        var otherRoot = harness.Host.Directory.Combine("checkout2");
        harness.Host.Directory.WriteFile("checkout2/lakefile.toml", "name = \"test\"\n");
        harness.Host.Directory.WriteFile("checkout2/lean-toolchain", "leanprover/lean4:v4.32.0\n");
        var first = await harness.LoadAsync(File);

        var other = await harness.Pool.LoadFileAsync(new LeanFileRequest(otherRoot, Path.Combine(otherRoot, "Test.lean"), new SourceText(File)), CancellationToken.None)
            .WaitAsync(TimeSpan.FromSeconds(60));

        Assert.NotEqual(first.HeaderFingerprint, other.HeaderFingerprint);
        Assert.True(other.LeanRequests > 0, "elaborated in its own project, not answered from the first one's outcomes");
    }
}
