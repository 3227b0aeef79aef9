using System.Globalization;
using System.Text.Json.Nodes;

namespace LeanAssist.Benchmarks.Scenarios;

/// <summary>
/// What the scripted REPL stand-in charges for each kind of request: the cost model every scenario runs
/// against (a Mathlib header import is quoted at 12 s cold).
/// </summary>
/// <param name="DeclarationMilliseconds">Elaborating the target declaration itself (its statement and the proof up to the sorry).</param>
/// <param name="CpuBound">The stand-in burns these times as CPU (as real Lean does) instead of sleeping them.</param>
public sealed record StandInCostModel(
    double HeaderSeconds = 12,
    double CommandMilliseconds = 5,
    double DeclarationMilliseconds = 20,
    double TacticMilliseconds = 50,
    double PickleMilliseconds = 30,
    double UnpickleMilliseconds = 30,
    bool CpuBound = false)
{
    /// <summary>"sleep" or "CPU": how the stand-in spends Lean's time.</summary>
    public string Mode => CpuBound ? "CPU" : "sleep";

    /// <summary>A stand-in script with this cost model; every candidate tactic ("candidate_N") closes the goal.</summary>
    public string ToScript(IEnumerable<JsonObject>? extraCommandRules = null)
    {
        var commands = new JsonArray(
            new JsonObject { ["pattern"] = "^theorem target", ["latencyMs"] = DeclarationMilliseconds });
        foreach (var rule in extraCommandRules ?? [])
        {
            commands.Insert(0, rule);
        }

        var script = new JsonObject
        {
            ["cpuBound"] = CpuBound,
            ["headerSeconds"] = HeaderSeconds,
            ["commandMs"] = CommandMilliseconds,
            ["tacticMs"] = TacticMilliseconds,
            ["pickleMs"] = PickleMilliseconds,
            ["unpickleMs"] = UnpickleMilliseconds,
            ["goals"] = new JsonArray(new JsonObject { ["declaration"] = "target", ["goals"] = new JsonArray("n : ℕ\n⊢ n + 0 = n") }),
            ["commands"] = commands,
            ["tactics"] = new JsonArray(new JsonObject { ["pattern"] = "^candidate", ["result"] = "completed" }),
        };
        return script.ToJsonString();
    }

    /// <summary>A batch of <paramref name="candidates"/> tactics with perfect parallelism over <paramref name="sessions"/> and no overhead: ceil(K / N) tactic latencies.</summary>
    public TimeSpan IdealBatch(int candidates, int sessions) => TimeSpan.FromMilliseconds(Math.Ceiling((double)candidates / sessions) * TacticMilliseconds);

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"header {HeaderSeconds} s, command {CommandMilliseconds} ms, declaration {DeclarationMilliseconds} ms, tactic {TacticMilliseconds} ms, pickle {PickleMilliseconds} ms, unpickle {UnpickleMilliseconds} ms, {Mode} mode");
}

/// <summary>The Lean file every scenario verifies: a Mathlib header, a few commands, and the target's sorry.</summary>
public static class BenchmarkFile
{
    public static string Text =>
        "import Mathlib\n\nopen Nat\n\ndef double (n : ℕ) : ℕ := 2 * n\n\ntheorem double_eq (n : ℕ) : double n = 2 * n := rfl\n\ndef triple (n : ℕ) : ℕ := 3 * n\n\n"
        + "theorem target (n : ℕ) : n + 0 = n := by\n  sorry\n";

    public static string[] Candidates(int count) =>
        Enumerable.Range(1, count).Select(i => $"candidate_{i}").ToArray();
}
