using System.Diagnostics;
using System.Text;
using LeanAssist.Lean.Repl;
using LeanAssist.ReplStandIn;
using LeanAssist.Testing;

namespace LeanAssist.Lean.Tests.StandIn;

/// <summary>
/// The scripted stand-in is only useful if it answers like Lean: given the recorded requests of real
/// transcripts (and a script for the tactics), it must print the recorded answers byte for byte.
/// </summary>
public sealed class ScriptedStandInFidelityTests
{
    private const string Script = """
        {
          "tactics": [
            { "tactic": "assumption", "result": "completed" },
            { "tactic": "apply Int.natAbs", "goalPattern": "^x : Unit", "result": "progress", "goals": ["x : Unit\n⊢ Int"] },
            { "tactic": "apply Int.natAbs", "result": "progress", "goals": ["⊢ Int"] },
            { "tactic": "exact -37", "result": "completed" },
            { "tactic": "have t : Nat := 42", "result": "progress", "goals": ["t : Nat\n⊢ Nat"] },
            { "tactic": "exact t", "result": "completed" },
            { "tactic": "exat 42", "result": "replError", "message": "Lean error:\n<input>:1:1: unknown tactic" },
            { "tactic": "sorry", "result": "sorry" },
            { "tactic": "exact my_fake_premise", "result": "error", "message": "Unknown identifier `my_fake_premise`" },
            { "tactic": "exact ex", "result": "kernelError", "message": "(kernel) declaration has free variables '[anonymous]', expression: \n  _fvar.2" }
          ],
          "commands": [
            { "pattern": "exact ex$", "noSorries": true, "messages": [ { "severity": "error", "line": 1, "column": 8, "endColumn": 10,
              "data": "fail to show termination for\n  ex\nwith errors\nfailed to infer structural recursion:\nno parameters suitable for structural recursion\n\nwell-founded recursion cannot be used, `ex` does not take any (non-fixed) arguments" } ] }
          ]
        }
        """;

    [TranscriptTheory]
    [InlineData("core", "tactic_sorry")]
    [InlineData("core", "term_sorry")]
    [InlineData("core", "dup_sorries")]
    [InlineData("core", "assumption_proof")]
    [InlineData("core", "unknown_environment")]
    [InlineData("core", "readme")]
    [InlineData("core", "proof_step")]
    [InlineData("core", "unknown_tactic")]
    [InlineData("core", "tactic_mode_sorry")]
    [InlineData("core", "invalid_tactic")]
    [InlineData("core", "self_proof_exact_check")]
    [InlineData("core", "import_lean")]
    [InlineData("core", "pickle_proof_state_1")]
    [InlineData("core", "pickle_proof_state_env")]
    [InlineData("mathlib", "H20231215_2")]
    public async Task The_scripted_stand_in_answers_recorded_requests_exactly_as_Lean_did(string set, string name)
    {
        using var directory = new TemporaryDirectory();
        Directory.CreateDirectory(directory.Combine("test"));
        if (name == "H20231215_2")
        {
            // Its first request unpickles an environment an earlier session pickled.
            directory.WriteFile("test/H20231215.olean", "{\"kind\": \"env\", \"imports\": [\"import Mathlib\"]}");
        }

        var script = directory.WriteFile("script.json", Script);
        var transcript = ReplStandInLauncher.TranscriptPath(set, name);
        var requests = ReplayMode.ReadRequests(await File.ReadAllTextAsync(transcript + ".in"));
        var expected = ReplayMode.ReadResponses(await File.ReadAllTextAsync(transcript + ".expected.out"));

        var start = new ProcessStartInfo(ReplStandInLauncher.ExecutablePath, ["scripted", "--script", script])
        {
            WorkingDirectory = directory.Path,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(start)!;
        var reader = new ReplResponseReader(process.StandardOutput.BaseStream, 1 << 20);
        try
        {
            for (var i = 0; i < requests.Count; i++)
            {
                await process.StandardInput.WriteAsync(requests[i] + "\n\n");
                await process.StandardInput.FlushAsync();
                var answer = Encoding.UTF8.GetString((await reader.ReadResponseAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(20))).Span);
                Assert.Equal(expected[i], answer);
            }
        }
        finally
        {
            process.Kill(entireProcessTree: true);
        }
    }

    [Theory]
    [InlineData("theorem t (a b : Nat) (h : a = b) : b = a := by sorry", "a b : Nat\nh : a = b\n⊢ b = a")]
    [InlineData("lemma l {α : Type} [inst : Inhabited α] (x y : α) : x = x := sorry", "α : Type\ninst : Inhabited α\nx y : α\n⊢ x = x")]
    [InlineData("example [Group G] (g : G) : g * 1 = g := by simp; sorry", "inst✝ : Group G\ng : G\n⊢ g * 1 = g")]
    [InlineData("def f (p : ℕ × ℕ) :\n    ℕ :=\n  sorry", "p : ℕ × ℕ\n⊢ ℕ")]
    public void The_fallback_goal_is_binders_then_the_statement(string declaration, string goal)
    {
        Assert.Equal(goal, LeanTextScan.DeriveGoal(declaration));
    }
}
