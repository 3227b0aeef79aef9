using System.Text.Json;
using LeanAssist.Lean.Pool;
using LeanAssist.Testing;

namespace LeanAssist.Lean.Tests.Pool;

/// <summary>
/// Where command outcomes (which hold goal texts) are kept follows <c>repl.persistOutcomes</c> and
/// <c>repl.outcomeCacheDirectory</c> as they are when the work happens, not as they were when the pool was
/// built: the editor's settings arrive after that, and may change while it runs.
/// </summary>
public sealed class OutcomePersistenceTests
{
    private const string Other = "theorem other (n : Nat) : n = n := by\n  sorry\n";
    private const string Third = "theorem third (p : Prop) (hp : p) : p := by\n  sorry\n";

    private static ReplOptions With(ReplOptions current, Action<ReplOptions> change)
    {
        var copy = JsonSerializer.Deserialize<ReplOptions>(JsonSerializer.Serialize(current))!;
        change(copy);
        return copy;
    }

    private static long Count(string directory) => CacheFiles.CountEntries(Path.Combine(directory, "outcomes.db"));

    [Fact]
    public async Task Settings_given_after_the_pool_was_built_decide_and_changes_apply_at_once()
    {
        await using var harness = PoolHarness.Create();
        var first = harness.Options.CurrentValue.OutcomeCacheDirectory!;
        var second = harness.Host.Directory.Combine("outcomes-second");

        // The editor's settings arrive after construction: persistence off.
        harness.Options.Set(With(harness.Options.CurrentValue, o => o.PersistOutcomes = false));
        var loaded = await harness.LoadAsync(PoolHarness.StandardFile);

        Assert.NotEmpty(loaded.Targets);
        Assert.False(File.Exists(Path.Combine(first, "outcomes.db")), "goal texts went to disk although persistOutcomes is off");

        // Switched on, in another folder.
        harness.Options.Set(With(harness.Options.CurrentValue, o =>
        {
            o.PersistOutcomes = true;
            o.OutcomeCacheDirectory = second;
        }));
        await harness.LoadAsync(Other);
        var kept = Count(second);

        Assert.True(kept > 0);
        Assert.False(File.Exists(Path.Combine(first, "outcomes.db")));

        // Off again: the store is closed and nothing more is written.
        harness.Options.Set(With(harness.Options.CurrentValue, o => o.PersistOutcomes = false));
        await harness.LoadAsync(Third);

        Assert.Equal(kept, Count(second));
    }
}
