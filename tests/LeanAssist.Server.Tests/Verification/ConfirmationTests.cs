using LeanAssist.Suggestions.Verification;
using LeanAssist.Testing;
using LeanAssist.Testing.Hosting;

namespace LeanAssist.Server.Tests.Verification;

/// <summary>
/// "Solved" needs the declaration too: a tactic that closes the goal in tactic mode is checked by elaborating the
/// declaration with it in place of the sorry (the stand-in's <c>declarationError</c> makes that command fail).
/// </summary>
public sealed class ConfirmationTests
{
    private const string Script = """
        {
          "headerSeconds": 0.05, "commandMs": 1, "tacticMs": 2,
          "goals": [ { "declaration": "f_le", "goals": ["n : Nat\n⊢ f n ≤ n"] } ],
          "tactics": [
            { "tactic": "omega", "result": "completed" },
            { "tactic": "simp", "result": "completed" },
            { "tactic": "decide", "result": "completed" }
          ],
          "defaultTactic": { "result": "error", "message": "tactic failed (stand-in: no rule)" }
        }
        """;

    private const string File = "theorem f_le (n : Nat) : f n ≤ n := by\n  sorry\n";

    private static IEnumerable<KeyValuePair<string, string?>> Settings(int candidates = 3) =>
    [
        new("LeanAssist:repl:sessions", "1"),
        new("LeanAssist:confirmation:candidates", candidates.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        new("LeanAssist:portfolioCandidates", "12"),
    ];

    [Fact]
    public async Task A_solved_tactic_was_elaborated_in_place_of_the_sorry_as_a_command()
    {
        await using var host = PipelineHost.Start(Script, settings: Settings());
        var path = host.WriteLeanFile("Rec.lean", File);
        var request = host.Request(path);
        var file = await host.Service.LoadAsync(request, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(60));
        var target = file.Targets.Single();

        var result = await host.Service.SuggestAsync(request, file, target, new SuggestOptions(false, Lean.Sessions.RequestPriority.Interactive), null, CancellationToken.None)
            .WaitAsync(TimeSpan.FromSeconds(60));
        var omega = result.Suggestions.Single(s => s.Tactic == "omega");
        Assert.Equal(SuggestionVerdict.Solved, omega.Verdict);

        // The declaration check ran as a command on the environment above the declaration, with omega in place of the sorry.
        var commands = host.Log.Requests.Where(r => r.GetProperty("kind").GetString() == "command").Select(r => r.GetProperty("cmd").GetString()!).ToArray();
        Assert.Contains("theorem f_le (n : Nat) : f n ≤ n := by\n  omega", commands);
        Assert.True(result.Costs.Confirmations >= 1);
    }

    [Fact]
    public async Task The_declaration_failure_is_the_verdict_and_is_cached()
    {
        const string OnlyRecursive = """
            {
              "headerSeconds": 0.05, "commandMs": 1, "tacticMs": 2,
              "tactics": [
                { "tactic": "omega", "result": "completed", "declarationError": "fail to show termination for\n  f_le" },
                { "tactic": "simp", "result": "progress", "goals": ["n : Nat\n⊢ f n ≤ n + 0"] }
              ],
              "defaultTactic": { "result": "error", "message": "tactic failed (stand-in: no rule)" }
            }
            """;
        var project = new TemporaryDirectory();
        try
        {
            await using (var host = PipelineHost.Start(OnlyRecursive, project, settings: Settings()))
            {
                var path = host.WriteLeanFile("Rec.lean", File);
                var report = await host.ProveAsync(paths: path);
                var target = report.Files.Single().Targets.Single();
                Assert.Equal("progress", target.Status);
                var omega = target.Candidates.Single(c => c.Tactic == "omega");
                Assert.Equal("failed", omega.Verdict);
                Assert.StartsWith("the tactic closes the goal, but the declaration fails: fail to show termination", omega.Error);
            }

            // Same caches, a fresh process: the failure comes from the cache, and no Lean work is done for it.
            await using (var again = PipelineHost.Start(OnlyRecursive, project, settings: Settings()))
            {
                var before = again.Log.Requests.Count;
                var report = await again.ProveAsync(paths: project.Combine("Rec.lean"));
                var omega = report.Files.Single().Targets.Single().Candidates.Single(c => c.Tactic == "omega");
                Assert.Equal(("failed", true), (omega.Verdict, omega.FromCache));
                Assert.Contains("the declaration fails", omega.Error);
                Assert.DoesNotContain(again.Log.Requests.Skip(before), r => r.GetProperty("kind").GetString() == "command"
                    && r.GetProperty("cmd").GetString()!.Contains("omega", StringComparison.Ordinal));
            }
        }
        finally
        {
            project.Dispose();
        }
    }

    [Fact]
    public async Task Only_the_few_best_candidates_are_checked_and_the_rest_are_not_offered_as_closing_the_goal()
    {
        await using var host = PipelineHost.Start(Script, settings: Settings(candidates: 1));
        var path = host.WriteLeanFile("Rec.lean", File);

        var (_, results) = await host.SuggestAllAsync(path);

        var suggestions = results.Single().Suggestions;
        var closing = suggestions.Where(s => s.Tactic is "omega" or "simp" or "decide").ToArray();
        Assert.Equal(3, closing.Length);
        Assert.Single(closing, s => s.Verdict == SuggestionVerdict.Solved);
        Assert.Equal(2, closing.Count(s => s.Verdict == SuggestionVerdict.Unconfirmed));
        Assert.All(closing.Where(s => s.Verdict == SuggestionVerdict.Unconfirmed), s => Assert.False(s.IsVerified));
        Assert.Equal(1, results.Single().Costs.Confirmations);
    }
}
