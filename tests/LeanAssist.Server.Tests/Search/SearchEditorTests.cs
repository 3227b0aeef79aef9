using System.Text.Json.Nodes;
using LeanAssist.Protocol.JsonRpc;
using LeanAssist.Server.Tests.Editor;

namespace LeanAssist.Server.Tests.Search;

/// <summary>"LeanAssist: Search for a proof" over LSP: the code action, the command with `$/progress`, the "proof found" quick fix and its hover.</summary>
public sealed class SearchEditorTests
{
    private const string File = "theorem four_steps (p q : Prop) (hp : p) (hq : q) : True → p ∧ q := by\n  sorry\n\ntheorem slow_first (r : Prop) (hr : r) : Slow r := by\n  sorry\n";

    private static JsonObject SearchCommand(string uri, int line, int character, string token) => new()
    {
        ["command"] = "leanAssist.searchProof",
        ["arguments"] = new JsonArray(new JsonObject { ["uri"] = uri, ["position"] = EditorHarness.Position(line, character) }),
        ["workDoneToken"] = token,
    };

    [Fact]
    public async Task Search_from_the_code_action_reports_progress_then_offers_the_proof_as_a_quick_fix_whose_hover_shows_the_steps()
    {
        await using var editor = await EditorHarness.StartAsync(ProofSearchTests.Script);
        var uri = await editor.OpenAsync("Search.lean", File);

        // Before any search: the action that starts one, carrying the command (it runs only when chosen).
        var before = await editor.CodeActionsAsync(uri, 1, 3);
        var start = before.Single(a => a!["title"]!.GetValue<string>() == "LeanAssist: Search for a proof")!;
        Assert.Equal("leanAssist.searchProof", start["command"]!["command"]!.GetValue<string>());

        var parameters = new JsonObject
        {
            ["command"] = start["command"]!["command"]!.GetValue<string>(),
            ["arguments"] = start["command"]!["arguments"]!.DeepClone(),
            ["workDoneToken"] = "search-1",
        };
        var result = await editor.Client.RequestResultAsync("workspace/executeCommand", parameters, EditorHarness.Timeout);

        Assert.Equal("found", result!["outcome"]!.GetValue<string>());
        Assert.Equal("intro h\nconstructor\n· exact hp\n· exact hq", result["script"]!.GetValue<string>());
        Assert.Equal(4, result["steps"]!.AsArray().Count);
        var progress = editor.Client.Notifications("$/progress").Where(m => m["params"]!["token"]!.GetValue<string>() == "search-1").ToArray();
        Assert.Equal("begin", progress[0]["params"]!["value"]!["kind"]!.GetValue<string>());
        Assert.Contains(progress, m => m["params"]!["value"]!["kind"]!.GetValue<string>() == "report"
            && m["params"]!["value"]!["message"]!.GetValue<string>().Contains("nodes, best depth", StringComparison.Ordinal));
        Assert.StartsWith("proof found (4 steps, ", progress[^1]["params"]!["value"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);

        var after = await editor.CodeActionsAsync(uri, 1, 3);
        var found = after.Single(a => a!["title"]!.GetValue<string>().StartsWith("LeanAssist: proof found (4 steps, ", StringComparison.Ordinal))!;
        Assert.True(found["isPreferred"]!.GetValue<bool>());
        var edit = found["edit"]!["documentChanges"]![0]!["edits"]![0]!;
        Assert.Equal("intro h\n  constructor\n  · exact hp\n  · exact hq", edit["newText"]!.GetValue<string>());
        Assert.DoesNotContain(after, a => a!["title"]!.GetValue<string>() == "LeanAssist: Search for a proof");

        var hover = await editor.Client.RequestResultAsync("textDocument/hover", new JsonObject
        {
            ["textDocument"] = new JsonObject { ["uri"] = uri },
            ["position"] = EditorHarness.Position(1, 4),
        });
        var markdown = hover!["contents"]!["value"]!.GetValue<string>();
        Assert.Contains("proof found by search: 4 steps, confirmed on the whole declaration", markdown);
        Assert.Contains("| `constructor` | ➡️ 2 goals (cases) |", markdown);
        Assert.Contains("| `exact hq` | ✅ closes its goal |", markdown);

        // An edit makes it stale: the proof is not offered on another version.
        await editor.ReplaceAsync(uri, 2, File + "\n");
        var edited = await editor.CodeActionsAsync(uri, 1, 3);
        Assert.DoesNotContain(edited, a => a!["title"]!.GetValue<string>().StartsWith("LeanAssist: proof found", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Cancelling_the_progress_stops_the_search()
    {
        await using var editor = await EditorHarness.StartAsync(ProofSearchTests.Script);
        var uri = await editor.OpenAsync("Search.lean", File);

        // slow_first's first steps take 8 s in Lean: the search is still running when the user cancels.
        var pending = editor.Client.StartRequest("workspace/executeCommand", SearchCommand(uri, 4, 3, "search-c"));
        await editor.Client.WaitForNotificationAsync("$/progress", m => m["params"]!["token"]!.GetValue<string>() == "search-c" && m["params"]!["value"]!["kind"]!.GetValue<string>() == "begin");
        await editor.Client.NotifyAsync("window/workDoneProgress/cancel", new JsonObject { ["token"] = "search-c" });

        var response = await pending.Response.WaitAsync(EditorHarness.Timeout);
        Assert.Equal(ErrorCodes.RequestCancelled, response["error"]!["code"]!.GetValue<int>());
    }
}
