using System.Text.Json;
using LeanAssist.Server.Prove;
using LeanAssist.Testing.Hosting;

namespace LeanAssist.Server.Tests.Verification;

/// <summary>
/// <c>prove</c> over several files keeps every session busy: the next file is loaded while the targets of
/// the first are still being verified (one queue of targets across files), instead of file after file,
/// which leaves sessions idle at every file's tail and during every load. Asserts the order of what
/// reached the REPL, not how long it took.
/// </summary>
public sealed class ProveSchedulingTests
{
    private const string Script = """
        {
          "headerSeconds": 0.05, "commandMs": 1, "tacticMs": 150,
          "tactics": [ { "tactic": "omega", "goalPattern": "≥", "result": "completed" } ]
        }
        """;

    [Fact]
    public async Task The_second_file_is_loaded_while_the_first_files_targets_are_still_verified()
    {
        await using var host = PipelineHost.Start(Script, settings: [new("LeanAssist:repl:sessions", "2")]);
        // File A: arithmetic goals, for which the portfolio proposes omega. File B: propositional goals (no omega).
        host.Project.WriteFile("src/A.lean", "import Mathlib\n\n" + string.Concat(Enumerable.Range(1, 4).Select(i =>
            $"theorem arith_{i} (n : ℕ) (h : n ≥ {i}) : n + {i} ≥ {2 * i} := by\n  sorry\n\n")));
        host.Project.WriteFile("src/B.lean", "import Mathlib\n\n" + string.Concat(Enumerable.Range(1, 4).Select(i =>
            $"theorem swap_{i} (p q : Prop) (h : p ∧ q) : q ∧ p := by\n  sorry\n\n")));

        var report = await host.Prove.RunAsync(new ProveRequest([host.Project.Combine("src")], null, false, false, ProveRequest.ParallelismFor(2)), null, CancellationToken.None);

        Assert.Equal(8, report.Summary.Targets);
        Assert.Equal(4, report.Summary.Solved);
        var requests = host.Log.Requests;
        double Start(JsonElement r) => r.GetProperty("time").GetInt64() - r.GetProperty("elapsedMs").GetDouble();
        var firstOfB = requests.Where(r => r.TryGetProperty("cmd", out var cmd) && cmd.GetString()!.Contains("theorem swap_", StringComparison.Ordinal)).Min(Start);
        var lastOmegaEnd = requests.Where(r => r.TryGetProperty("tactic", out var tactic) && tactic.GetString() == "omega").Max(r => r.GetProperty("time").GetInt64());
        Assert.True(firstOfB < lastOmegaEnd, $"file B was first sent to Lean {firstOfB - lastOmegaEnd:0} ms after file A's last omega finished: the files ran one after the other");
    }
}
