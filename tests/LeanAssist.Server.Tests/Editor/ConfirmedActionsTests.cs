namespace LeanAssist.Server.Tests.Editor;

/// <summary>In the editor, only a tactic confirmed at the declaration becomes a "closes the goal" action.</summary>
public sealed class ConfirmedActionsTests
{
    // omega closes the goal in tactic mode, but the declaration with it fails (termination); simp is a real step.
    private const string Script = """
        {
          "headerSeconds": 0.05, "commandMs": 1, "tacticMs": 2,
          "tactics": [
            { "tactic": "omega", "result": "completed", "declarationError": "fail to show termination for\n  plus_zero" },
            { "tactic": "simp", "result": "progress", "goals": ["n : Nat\n⊢ n = n + 0"] }
          ],
          "defaultTactic": { "result": "error", "message": "tactic failed (stand-in: no rule)" }
        }
        """;

    [Fact]
    public async Task A_tactic_whose_declaration_fails_is_not_offered_as_closing_the_goal_and_the_hover_says_why()
    {
        await using var editor = await EditorHarness.StartAsync(Script);
        var uri = await editor.OpenAsync("Rec.lean", "theorem plus_zero (n : Nat) : n + 0 = n := by\n  sorry\n");

        var actions = await editor.WaitForActionsAsync(uri, 1, 3, EditorHarness.HasVerified);

        var titles = EditorHarness.Titles(actions).ToArray();
        Assert.DoesNotContain(titles, t => t.Contains("`omega`", StringComparison.Ordinal));
        Assert.DoesNotContain(titles, t => t.Contains("closes the goal", StringComparison.Ordinal));
        Assert.Contains(titles, t => t.StartsWith("LeanAssist: `simp` — 1 goal left", StringComparison.Ordinal));
        var hover = await editor.Client.RequestResultAsync("textDocument/hover", new System.Text.Json.Nodes.JsonObject
        {
            ["textDocument"] = new System.Text.Json.Nodes.JsonObject { ["uri"] = uri },
            ["position"] = EditorHarness.Position(1, 3),
        });
        var markdown = hover!["contents"]!["value"]!.GetValue<string>();
        Assert.Contains("| `omega` | ❌ the tactic closes the goal, but the declaration fails: fail to show termination", markdown, StringComparison.Ordinal);
    }
}
