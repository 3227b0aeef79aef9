using LeanAssist.Suggestions.Verification;
using LeanAssist.Testing;
using LeanAssist.Testing.Hosting;

namespace LeanAssist.Server.Tests.Verification;

/// <summary>A REPL refusal ("Unknown proof state.") says nothing about the tactic: never its cached verdict, reported as a session problem.</summary>
public sealed class RefusalTests
{
    // The first stand-in process refuses omega; later ones (same command line, same state directory) run it.
    private const string Script = """
        {
          "headerSeconds": 0.05, "commandMs": 1, "tacticMs": 2,
          "tactics": [ { "tactic": "omega", "result": "completed" } ],
          "defaultTactic": { "result": "error", "message": "tactic failed (stand-in: no rule)" },
          "faults": [ { "kind": "refuse", "requestKind": "tactic", "tactic": "omega", "processes": [1], "message": "Unknown proof state." } ]
        }
        """;

    private const string File = "theorem plus_zero (n : Nat) : n + 0 = n := by\n  sorry\n";

    [Fact]
    public async Task A_refusal_then_a_success_with_the_same_command_line_and_cache()
    {
        var project = new TemporaryDirectory();
        IEnumerable<KeyValuePair<string, string?>> settings = [new("LeanAssist:repl:sessions", "1")];
        try
        {
            await using (var host = PipelineHost.Start(Script, project, settings: settings))
            {
                var path = host.WriteLeanFile("Plus.lean", File);
                var (_, results) = await host.SuggestAllAsync(path);
                var result = results.Single();
                var omega = result.Suggestions.Single(s => s.Tactic == "omega");
                Assert.Equal(SuggestionVerdict.Failed, omega.Verdict);
                Assert.StartsWith("Not verified: the Lean session refused the request (Unknown proof state.)", omega.Error);
                Assert.Contains(result.Problems, p => p.StartsWith("Lean session problem:", StringComparison.Ordinal) && p.Contains("Unknown proof state.", StringComparison.Ordinal));
                Assert.Equal(TargetOutcome.Unsolved, result.Outcome);
            }

            await using (var again = PipelineHost.Start(Script, project, settings: settings))
            {
                var (_, results) = await again.SuggestAllAsync(project.Combine("Plus.lean"));
                var omega = results.Single().Suggestions.Single(s => s.Tactic == "omega");
                Assert.Equal((SuggestionVerdict.Solved, false), (omega.Verdict, omega.FromCache));
                Assert.Empty(results.Single().Problems);
            }
        }
        finally
        {
            project.Dispose();
        }
    }
}
