using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using LeanAssist.Benchmarks.Scenarios;

namespace LeanAssist.Benchmarks.Workloads;

/// <summary>
/// A Lean file with 20 sorries of four everyday kinds (linear arithmetic, a conjunction to rebuild, an
/// implication, a list lemma), and the stand-in script that answers for them as Lean does: one or two
/// tactics of the built-in portfolio close each goal, the rest fail, "exact?" names a concrete tactic.
/// </summary>
public static class TwentySorries
{
    public const int Count = 20;

    /// <param name="count">Sorries in the file (the four kinds in turn).</param>
    public static string File(int variant = 0, int count = Count)
    {
        var text = new StringBuilder("import Mathlib\n\nopen Nat\n\n");
        for (var i = 0; i < count; i++)
        {
            var k = i + (variant * 100);
            text.Append((i % 4) switch
            {
                0 => string.Create(CultureInfo.InvariantCulture, $"theorem arith_{k} (n : ℕ) (h : n ≥ {k}) : n + {k} ≥ 2 * {k} := by\n  sorry\n\n"),
                1 => string.Create(CultureInfo.InvariantCulture, $"theorem swap_{k} (p q : Prop) (h : p ∧ q) : q ∧ p := by\n  sorry\n\n"),
                2 => string.Create(CultureInfo.InvariantCulture, $"theorem imp_{k} (p : Prop) (hp : p) : (p → p) ∧ p := by\n  sorry\n\n"),
                _ => string.Create(CultureInfo.InvariantCulture, $"theorem len_{k} (xs ys : List ℕ) : (xs ++ ys).length = xs.length + ys.length := by\n  sorry\n\n"),
            });
        }

        return text.ToString();
    }

    /// <summary>The script on <paramref name="cost"/>'s header, tactic and command costs.</summary>
    public static string Script(StandInCostModel cost) => Script(cost.HeaderSeconds, cost.TacticMilliseconds, cost.CommandMilliseconds, cost.CpuBound);

    /// <summary>The script: <paramref name="tacticMs"/> per tactic, the header and command costs given.</summary>
    /// <param name="cpuBound">Lean's time burnt as CPU by the stand-in rather than slept.</param>
    public static string Script(double headerSeconds, double tacticMs, double commandMs = 5, bool cpuBound = false) => new JsonObject
    {
        ["cpuBound"] = cpuBound,
        ["headerSeconds"] = headerSeconds,
        ["commandMs"] = commandMs,
        ["tacticMs"] = tacticMs,
        ["tactics"] = new JsonArray(
            Rule("^omega$", "≥ 2 \\*", "completed"),
            Rule("^linarith$", "≥ 2 \\*", "completed"),
            Rule("^exact\\?$", "⊢ q ∧ p", "completed", info: "Try this: exact And.symm h", latency: tacticMs * 6),
            Rule("^exact And.symm h$", "⊢ q ∧ p", "completed"),
            Rule("^simp_all$", "⊢ q ∧ p", "completed"),
            Rule("^constructor$", "⊢ \\(p → p\\) ∧ p", "progress", goals: ["case left\np : Prop\nhp : p\n⊢ p → p", "case right\np : Prop\nhp : p\n⊢ p"]),
            Rule("^simp$", "⊢ \\(p → p\\) ∧ p", "completed"),
            Rule("^simp$", "\\.length", "completed"),
            Rule("^exact\\?$", "\\.length", "completed", info: "Try this: exact List.length_append", latency: tacticMs * 6)),
        ["defaultTactic"] = new JsonObject { ["result"] = "error", ["message"] = "tactic failed (stand-in: does not apply here)" },
    }.ToJsonString();

    private static JsonObject Rule(string pattern, string goal, string result, string? info = null, double? latency = null, string[]? goals = null)
    {
        var rule = new JsonObject { ["pattern"] = pattern, ["goalPattern"] = goal, ["result"] = result };
        if (info is not null)
        {
            rule["info"] = info;
        }

        if (latency is { } ms)
        {
            rule["latencyMs"] = ms;
        }

        if (goals is not null)
        {
            rule["goals"] = new JsonArray(goals.Select(g => (JsonNode?)g).ToArray());
        }

        return rule;
    }
}
