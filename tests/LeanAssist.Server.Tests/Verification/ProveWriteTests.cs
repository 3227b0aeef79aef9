using LeanAssist.Testing;
using LeanAssist.Testing.Hosting;

namespace LeanAssist.Server.Tests.Verification;

/// <summary><c>prove --write</c> elaborates the edited file once and never leaves it worse than it was.</summary>
public sealed class ProveWriteTests
{
    // Each `assumption` closes its goal and is confirmed with the other sorry still in place; with both in, the
    // declaration fails (the stand-in's command rule matches only the text with both tactics).
    private const string Script = """
        {
          "headerSeconds": 0.05, "commandMs": 1, "tacticMs": 2,
          "goals": [ { "declaration": "both", "goals": ["case left\np q : Prop\nhp : p\nhq : q\n⊢ p", "case right\np q : Prop\nhp : p\nhq : q\n⊢ q"] } ],
          "commands": [
            { "pattern": "· assumption\n  · assumption", "noSorries": true,
              "messages": [ { "severity": "error", "at": "assumption", "data": "type mismatch (stand-in: only the two tactics together fail)" } ] }
          ],
          "tactics": [
            { "tactic": "assumption", "goalPattern": "⊢ [pq]$", "result": "completed" },
            { "tactic": "omega", "goalPattern": "\\+ 0 = n", "result": "completed" }
          ],
          "defaultTactic": { "result": "error", "message": "tactic failed (stand-in: no rule)" }
        }
        """;

    private const string File = """
        theorem both (p q : Prop) (hp : p) (hq : q) : p ∧ q := by
          constructor
          · sorry
          · sorry

        theorem plus_zero (n : Nat) : n + 0 = n := by
          sorry

        """;

    [Fact]
    public async Task A_declaration_the_tactics_break_together_keeps_its_text_and_the_rest_is_written()
    {
        await using var host = PipelineHost.Start(Script, settings: [new("LeanAssist:repl:sessions", "1")]);
        var path = host.WriteLeanFile("Both.lean", File);

        var report = await host.ProveAsync(write: true, paths: path);

        var file = report.Files.Single();
        Assert.Equal(3, file.Targets.Count(t => t.Status == "solved"));
        Assert.True(file.Written);
        var written = await System.IO.File.ReadAllTextAsync(path);
        Assert.Contains("theorem both (p q : Prop) (hp : p) (hq : q) : p ∧ q := by\n  constructor\n  · sorry\n  · sorry\n", written, StringComparison.Ordinal);
        Assert.Contains("n + 0 = n := by\n  omega\n", written, StringComparison.Ordinal);
        Assert.Contains(file.Problems, p => p.StartsWith("the declaration at line 1 kept its original text", StringComparison.Ordinal) && p.Contains("type mismatch", StringComparison.Ordinal));
        // The whole edited file was elaborated once: the stand-in saw the declaration with both tactics in place.
        Assert.Contains(host.Log.Requests, r => r.GetProperty("kind").GetString() == "command" && r.GetProperty("cmd").GetString()!.Contains("· assumption\n  · assumption", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Without_trouble_every_solved_sorry_is_written()
    {
        await using var host = PipelineHost.Start(Script, settings: [new("LeanAssist:repl:sessions", "1")]);
        var path = host.WriteLeanFile("Plus.lean", "theorem plus_zero (n : Nat) : n + 0 = n := by\n  sorry\n");

        var report = await host.ProveAsync(write: true, paths: path);

        Assert.True(report.Files.Single().Written);
        Assert.Empty(report.Files.Single().Problems);
        Assert.Equal("theorem plus_zero (n : Nat) : n + 0 = n := by\n  omega\n", await System.IO.File.ReadAllTextAsync(path));
    }
}
