using System.Text.Json.Nodes;
using LeanAssist.Protocol.JsonRpc;
using LeanAssist.Server.Tests.Verification;
using LeanAssist.Testing;
using LeanAssist.Testing.Llm;

namespace LeanAssist.Server.Tests.Editor;

/// <summary>The editor features end to end over in-memory pipes: stand-in as Lean, local server as LLM.</summary>
public sealed class EditorFeatureTests
{
    private const string TwoGoals = "theorem plus_zero (n : Nat) : n + 0 = n := by\n  sorry\n\ntheorem swap (p q : Prop) (hp : p) (hq : q) : p ∧ q := by\n  sorry\n";

    private static int ErrorCode(JsonObject response) => response["error"]!["code"]!.GetValue<int>();

    private static JsonObject SuggestCommand(string uri, int line, int character, string? token = null)
    {
        var parameters = new JsonObject
        {
            ["command"] = "leanAssist.suggest",
            ["arguments"] = new JsonArray(new JsonObject { ["uri"] = uri, ["position"] = EditorHarness.Position(line, character) }),
        };
        if (token is not null)
        {
            parameters["workDoneToken"] = token;
        }

        return parameters;
    }

    [Fact]
    public async Task Rebuilding_an_imported_module_reverifies_the_open_document_without_an_edit()
    {
        await using var editor = await EditorHarness.StartAsync();
        var olean = editor.Project.WriteFile(".lake/build/lib/lean/Proj/Basic.olean", "built once");
        var built = new DateTime(2025, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        File.SetLastWriteTimeUtc(olean, built);
        var uri = await editor.OpenAsync("Imports.lean", "import Proj.Basic\n\ntheorem plus_zero (n : Nat) : n + 0 = n := by\n  sorry\n");
        await editor.WaitForActionsAsync(uri, 3, 3, EditorHarness.HasVerified);
        var headers = editor.Log.CountRequests("header");
        var tactics = editor.Log.CountRequests("tactic");

        File.WriteAllText(olean, "built twice, differently");
        File.SetLastWriteTimeUtc(olean, built.AddMinutes(5));

        // The same document version: what was verified on the old build is dropped (within the check interval),
        // and the tactics are verified again by sessions that imported the new build, not served from the cache.
        var actions = await editor.WaitForActionsAsync(uri, 3, 3, a => EditorHarness.HasVerified(a) && editor.Log.CountRequests("tactic") > tactics);
        Assert.Matches(@"^LeanAssist: `omega` closes the goal", EditorHarness.Titles(actions).First());
        Assert.True(editor.Log.CountRequests("header") > headers, "a session imported the new build");
    }

    [Fact]
    public async Task The_lightbulb_is_ready_after_background_prefetch_with_verified_titled_edits()
    {
        await using var editor = await EditorHarness.StartAsync();
        var uri = await editor.OpenAsync("Two.lean", TwoGoals);

        var actions = await editor.WaitForActionsAsync(uri, 1, 3, EditorHarness.HasVerified);

        var titles = EditorHarness.Titles(actions).ToArray();
        Assert.Matches(@"^LeanAssist: `omega` closes the goal \(\d+ ms\)$", titles[0]);
        Assert.All(actions, a => Assert.Equal("quickfix", a!["kind"]!.GetValue<string>()));
        Assert.True(actions[0]!["isPreferred"]!.GetValue<bool>());
        Assert.Single(actions, a => a!["isPreferred"] is not null);
        var edit = actions[0]!["edit"]!["documentChanges"]![0]!;
        Assert.Equal(1, edit["textDocument"]!["version"]!.GetValue<int>());
        Assert.Equal(uri, edit["textDocument"]!["uri"]!.GetValue<string>());
        Assert.Equal("omega", edit["edits"]![0]!["newText"]!.GetValue<string>());
        Assert.Equal(1, edit["edits"]![0]!["range"]!["start"]!["line"]!.GetValue<int>());
        Assert.Equal(2, edit["edits"]![0]!["range"]!["start"]!["character"]!.GetValue<int>());
        Assert.Equal(7, edit["edits"]![0]!["range"]!["end"]!["character"]!.GetValue<int>());

        // The second sorry was prefetched too: a progress step, no preferred action.
        var swap = await editor.WaitForActionsAsync(uri, 4, 4, EditorHarness.HasVerified);
        Assert.Contains(EditorHarness.Titles(swap), t => t.StartsWith("LeanAssist: `constructor` — 2 goals left (", StringComparison.Ordinal));
        Assert.DoesNotContain(swap, a => a!["isPreferred"] is not null);

        // Nowhere near a sorry: nothing.
        Assert.Empty(await editor.CodeActionsAsync(uri, 0, 10));
    }

    [Fact]
    public async Task Nothing_known_yet_offers_the_suggest_command_and_starts_the_work()
    {
        await using var editor = await EditorHarness.StartAsync(settings: [new("LeanAssist:prefetch", "false")]);
        var uri = await editor.OpenAsync("Two.lean", TwoGoals);

        var first = await editor.CodeActionsAsync(uri, 1, 2);
        var ready = await editor.WaitForActionsAsync(uri, 1, 2, EditorHarness.HasVerified);

        // The suggest command, and the proof search (which runs only when chosen).
        Assert.Equal(["LeanAssist: suggest tactics", "LeanAssist: Search for a proof"], EditorHarness.Titles(first));
        var suggest = first[0];
        Assert.Equal("LeanAssist: suggest tactics", suggest!["title"]!.GetValue<string>());
        Assert.Equal("leanAssist.suggest", suggest["command"]!["command"]!.GetValue<string>());
        Assert.Equal(uri, suggest["command"]!["arguments"]![0]!["uri"]!.GetValue<string>());
        Assert.Contains(EditorHarness.Titles(ready), t => t.Contains("`omega` closes the goal", StringComparison.Ordinal));
        // Without prefetch only the target that was asked about was worked on.
        var second = await editor.CodeActionsAsync(uri, 4, 2);
        Assert.DoesNotContain(second, a => a!["edit"] is not null);
    }

    [Fact]
    public async Task Results_are_never_offered_for_a_newer_version_and_move_with_the_text()
    {
        await using var editor = await EditorHarness.StartAsync();
        var uri = await editor.OpenAsync("Two.lean", TwoGoals);
        await editor.WaitForActionsAsync(uri, 1, 2, EditorHarness.HasVerified);

        // A comment above: every position moves one line down; the declarations (and fingerprints) do not change.
        await editor.ReplaceAsync(uri, 2, "-- a note\n" + TwoGoals);
        var immediately = await editor.CodeActionsAsync(uri, 2, 2);
        var later = await editor.WaitForActionsAsync(uri, 2, 2, EditorHarness.HasVerified);

        Assert.DoesNotContain(immediately, a => a!["edit"] is not null);
        var edit = later.First(a => a!["edit"] is not null)!["edit"]!["documentChanges"]![0]!;
        Assert.Equal(2, edit["textDocument"]!["version"]!.GetValue<int>());
        Assert.Equal(2, edit["edits"]![0]!["range"]!["start"]!["line"]!.GetValue<int>());
    }

    [Fact]
    public async Task An_edit_cancels_an_explicit_suggestion_in_flight_with_ContentModified()
    {
        await using var editor = await EditorHarness.StartAsync(settings: [new("LeanAssist:prefetch", "false")]);
        const string slow = "theorem slow_goal : SlowGoal := by\n  sorry\n";
        var uri = await editor.OpenAsync("Slow.lean", slow);

        var pending = editor.Client.StartRequest("workspace/executeCommand", SuggestCommand(uri, 1, 3, token: "slow-1"));
        await editor.Client.WaitForNotificationAsync("$/progress", m => m["params"]!["value"]!["message"]?.GetValue<string>()?.StartsWith("Verifying", StringComparison.Ordinal) == true);
        await editor.ReplaceAsync(uri, 2, slow + "\n-- edited\n");
        var response = await pending.Response.WaitAsync(EditorHarness.Timeout);

        Assert.Equal(ErrorCodes.ContentModified, ErrorCode(response));
    }

    [Fact]
    public async Task Explicit_suggest_reports_progress_and_returns_the_verified_suggestions()
    {
        await using var editor = await EditorHarness.StartAsync(settings: [new("LeanAssist:prefetch", "false")]);
        var uri = await editor.OpenAsync("Two.lean", TwoGoals);

        var result = await editor.Client.RequestResultAsync("workspace/executeCommand", SuggestCommand(uri, 1, 2, token: "p-1"), EditorHarness.Timeout);

        Assert.Equal(uri, result!["uri"]!.GetValue<string>());
        Assert.Equal("n : Nat\n⊢ n + 0 = n", result["goal"]!.GetValue<string>());
        var suggestions = result["suggestions"]!.AsArray();
        Assert.Equal(("omega", "solved"), (suggestions[0]!["tactic"]!.GetValue<string>(), suggestions[0]!["verdict"]!.GetValue<string>()));
        var progress = editor.Client.Notifications("$/progress").Where(m => m["params"]!["token"]!.GetValue<string>() == "p-1").ToArray();
        Assert.Equal("begin", progress[0]["params"]!["value"]!["kind"]!.GetValue<string>());
        Assert.Contains(progress, m => m["params"]!["value"]!["kind"]!.GetValue<string>() == "report");
        Assert.Equal("end", progress[^1]["params"]!["value"]!["kind"]!.GetValue<string>());
        Assert.Contains("verified", progress[^1]["params"]!["value"]!["message"]!.GetValue<string>());

        // The result is remembered: the lightbulb shows it without more work.
        Assert.True(EditorHarness.HasVerified(await editor.CodeActionsAsync(uri, 1, 2)));
    }

    [Fact]
    public async Task Explicit_suggest_can_be_cancelled_with_cancelRequest_or_from_the_progress()
    {
        await using var editor = await EditorHarness.StartAsync(settings: [new("LeanAssist:prefetch", "false")]);
        var uri = await editor.OpenAsync("Slow.lean", "theorem slow_goal : SlowGoal := by\n  sorry\n");

        var viaRequest = editor.Client.StartRequest("workspace/executeCommand", SuggestCommand(uri, 1, 3, token: "c-1"), id: "cancel-me");
        await editor.Client.WaitForNotificationAsync("$/progress", m => m["params"]!["token"]!.GetValue<string>() == "c-1" && m["params"]!["value"]!["kind"]!.GetValue<string>() == "report");
        await editor.Client.CancelAsync("cancel-me");
        Assert.Equal(ErrorCodes.RequestCancelled, ErrorCode(await viaRequest.Response.WaitAsync(EditorHarness.Timeout)));

        var viaProgress = editor.Client.StartRequest("workspace/executeCommand", SuggestCommand(uri, 1, 3, token: "c-2"));
        await editor.Client.WaitForNotificationAsync("$/progress", m => m["params"]!["token"]!.GetValue<string>() == "c-2" && m["params"]!["value"]!["kind"]!.GetValue<string>() == "report");
        await editor.Client.NotifyAsync("window/workDoneProgress/cancel", new JsonObject { ["token"] = "c-2" });
        Assert.Equal(ErrorCodes.RequestCancelled, ErrorCode(await viaProgress.Response.WaitAsync(EditorHarness.Timeout)));
    }

    [Fact]
    public async Task Hover_on_a_sorry_shows_the_candidates_their_verdicts_and_the_costs()
    {
        await using var editor = await EditorHarness.StartAsync();
        var uri = await editor.OpenAsync("Two.lean", TwoGoals);
        await editor.WaitForActionsAsync(uri, 1, 2, EditorHarness.HasVerified);

        var hover = await editor.Client.RequestResultAsync("textDocument/hover", new JsonObject
        {
            ["textDocument"] = new JsonObject { ["uri"] = uri },
            ["position"] = EditorHarness.Position(1, 4),
        });
        var elsewhere = await editor.Client.RequestAsync("textDocument/hover", new JsonObject
        {
            ["textDocument"] = new JsonObject { ["uri"] = uri },
            ["position"] = EditorHarness.Position(0, 2),
        });

        var markdown = hover!["contents"]!["value"]!.GetValue<string>();
        Assert.Equal("markdown", hover["contents"]!["kind"]!.GetValue<string>());
        Assert.Matches(@"\*\*LeanAssist\*\* · \d+ of \d+ candidates verified by Lean · computed \d+ s ago", markdown);
        Assert.Contains("| `omega` | ✅ closes the goal |", markdown);
        Assert.Contains("❌", markdown);
        Assert.Matches(@"Lean \d+ ms over \d+ runs · LLM not used · cache hits: \d+ verdicts, 0 LLM", markdown);
        Assert.Equal(1, hover["range"]!["start"]!["line"]!.GetValue<int>());
        Assert.True(elsewhere.ContainsKey("result"));
        Assert.Null(elsewhere["result"]);
    }

    [Fact]
    public async Task Status_notifications_report_sessions_runs_and_caches()
    {
        await using var editor = await EditorHarness.StartAsync();
        var uri = await editor.OpenAsync("Two.lean", TwoGoals);
        await editor.WaitForActionsAsync(uri, 1, 2, EditorHarness.HasVerified);

        var status = await editor.Client.WaitForNotificationAsync("leanAssist/status", m => m["params"]!["lastRun"] is not null && m["params"]!["cache"]!["verdictLookups"]!.GetValue<long>() > 0);

        var p = status["params"]!;
        Assert.Equal("ok", p["health"]!.GetValue<string>());
        Assert.True(p["sessions"]!["total"]!.GetValue<int>() >= 1);
        Assert.True(p["lastRun"]!["tried"]!.GetValue<int>() > 0);
        Assert.Equal("none", p["llm"]!["provider"]!.GetValue<string>());
        Assert.Equal(0m, p["spend"]!["todayUsd"]!.GetValue<decimal>());
        var times = editor.Client.Received.Where(m => m["method"]?.GetValue<string>() == "leanAssist/status").Count();
        Assert.True(times >= 2, "sent when something changed");
    }

    [WithoutLeanToolchainFact]
    public async Task Status_health_is_error_with_the_reason_when_Lean_cannot_run()
    {
        await using var editor = await EditorHarness.StartAsync(withRepl: false);
        await editor.OpenAsync("Two.lean", TwoGoals);

        var status = await editor.Client.WaitForNotificationAsync("leanAssist/status", m => m["params"]!["health"]!.GetValue<string>() == "error");

        Assert.StartsWith("Lean: ", status["params"]!["healthReason"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Metrics_are_returned_as_json_with_counters_histograms_and_recent_runs()
    {
        await using var editor = await EditorHarness.StartAsync();
        var uri = await editor.OpenAsync("Two.lean", TwoGoals);
        await editor.WaitForActionsAsync(uri, 1, 2, EditorHarness.HasVerified);

        var metrics = await editor.Client.RequestResultAsync("leanAssist/metrics");
        var viaCommand = await editor.Client.RequestResultAsync("workspace/executeCommand", new JsonObject { ["command"] = "leanAssist.showMetrics" });

        var counters = metrics!["counters"]!.AsArray();
        Assert.Contains(counters, c => c!["name"]!.GetValue<string>() == "leanassist.candidates" && c["attributes"]!["leanassist.verdict"]!.GetValue<string>() == "solved");
        var histograms = metrics["histograms"]!.AsArray();
        var codeActions = histograms.Single(h => h!["name"]!.GetValue<string>() == "leanassist.lsp.code_action.duration")!;
        Assert.True(codeActions["count"]!.GetValue<long>() > 0);
        Assert.Equal("s", codeActions["unit"]!.GetValue<string>());
        Assert.Contains(histograms, h => h!["name"]!.GetValue<string>() == "leanassist.lean.request.duration");
        Assert.NotEmpty(metrics["recentRuns"]!.AsArray());
        Assert.Equal("ok", metrics["status"]!["health"]!.GetValue<string>());
        Assert.NotNull(viaCommand!["counters"]);
    }

    [Fact]
    public async Task Two_hundred_concurrent_code_action_requests_while_edits_stream_in_are_all_answered()
    {
        await using var editor = await EditorHarness.StartAsync();
        var uri = await editor.OpenAsync("Two.lean", TwoGoals);
        await editor.WaitForActionsAsync(uri, 1, 2, EditorHarness.HasVerified);

        var requests = Enumerable.Range(0, 200)
            .Select(i => editor.Client.StartRequest("textDocument/codeAction", EditorHarness.CodeActionParams(uri, i % 2 == 0 ? 1 : 4, 3)))
            .ToArray();
        for (var version = 2; version < 52; version++)
        {
            await editor.ReplaceAsync(uri, version, TwoGoals + new string('\n', version % 3));
        }

        var responses = await Task.WhenAll(requests.Select(r => r.Response)).WaitAsync(EditorHarness.Timeout);

        Assert.All(responses, r => Assert.True(r.ContainsKey("result"), r.ToJsonString()));
        // Still serving after the storm, on the last version.
        await editor.WaitForActionsAsync(uri, 1, 2, EditorHarness.HasVerified);
    }

    [Fact]
    public async Task An_unsolved_goals_diagnostic_gets_a_tactic_inserted_after_its_block()
    {
        await using var editor = await EditorHarness.StartAsync();
        const string text = "theorem unfinished (p : Prop) (hp : p) : p → p := by\n  intro h\n";
        var uri = await editor.OpenAsync("Unfinished.lean", text);
        var diagnostic = new JsonObject
        {
            ["range"] = new JsonObject { ["start"] = EditorHarness.Position(0, 50), ["end"] = EditorHarness.Position(1, 9) },
            ["message"] = "unsolved goals\np : Prop\nhp h : p\n⊢ p",
            ["severity"] = 1,
            ["source"] = "Lean 4",
        };

        var actions = await editor.WaitForActionsAsync(uri, 0, 51, EditorHarness.HasVerified, diagnostics: [diagnostic]);

        var action = actions.First(a => a!["edit"] is not null)!;
        Assert.StartsWith("LeanAssist: `assumption` closes the goal", action["title"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("unsolved goals\np : Prop\nhp h : p\n⊢ p", action["diagnostics"]![0]!["message"]!.GetValue<string>());
        var edit = action["edit"]!["documentChanges"]![0]!["edits"]![0]!;
        Assert.Equal("\n  assumption", edit["newText"]!.GetValue<string>());
        Assert.Equal((1, 9), (edit["range"]!["start"]!["line"]!.GetValue<int>(), edit["range"]!["start"]!["character"]!.GetValue<int>()));
    }

    [Fact]
    public async Task The_LLM_is_used_only_for_explicit_requests_and_settings_apply_without_restart()
    {
        await using var llm = await LocalLlmServer.StartAsync();
        llm.DefaultReply = LlmReply.Success("```lean\nexact ⟨hp, hq⟩\n```", new ScriptedUsage(50, 10));
        await using var editor = await EditorHarness.StartAsync();
        var uri = await editor.OpenAsync("Two.lean", TwoGoals);
        var before = await editor.WaitForActionsAsync(uri, 4, 2, EditorHarness.HasVerified);
        Assert.DoesNotContain(EditorHarness.Titles(before), t => t.Contains("ask the LLM", StringComparison.Ordinal));

        // Configure the provider while running (pushed settings, as VS Code sends them).
        await editor.Client.NotifyAsync("workspace/didChangeConfiguration", new JsonObject
        {
            ["settings"] = new JsonObject { ["leanAssist"] = new JsonObject { ["provider"] = "openai", ["baseUrl"] = llm.OpenAiBaseUrl.ToString(), ["model"] = "m" } },
        });
        var offered = await editor.WaitForActionsAsync(uri, 4, 2, a => EditorHarness.Titles(a).Any(t => t.Contains("ask the LLM", StringComparison.Ordinal)), triggerKind: 2);
        Assert.Empty(llm.Requests);

        // Invoked explicitly (Ctrl+.): the background work for that target may ask the LLM.
        var solved = await editor.WaitForActionsAsync(uri, 4, 2, a => EditorHarness.Titles(a).Any(t => t.Contains("`exact ⟨hp, hq⟩` closes the goal", StringComparison.Ordinal)), triggerKind: 1);

        Assert.Single(llm.Requests);
        Assert.Contains(offered, a => a!["command"]?["command"]?.GetValue<string>() == "leanAssist.suggest");
        Assert.True(solved[0]!["isPreferred"]!.GetValue<bool>());
    }

    [Fact]
    public async Task A_key_handed_over_by_the_client_is_used_in_memory()
    {
        await using var llm = await LocalLlmServer.StartAsync();
        llm.ExpectedApiKey = "test-anthropic-key-from-secret-storage";
        await using var editor = await EditorHarness.StartAsync(settings:
        [
            new("LeanAssist:provider", "anthropic"),
            new("LeanAssist:baseUrl", llm.AnthropicBaseUrl.ToString()),
            new("LeanAssist:apiKeyEnvironmentVariable", "LEANASSIST_TEST_NO_SUCH_VARIABLE"),
        ]);
        var uri = await editor.OpenAsync("Two.lean", TwoGoals);
        await editor.Client.WaitForNotificationAsync("leanAssist/status", m => m["params"]!["health"]!.GetValue<string>() == "degraded");

        await editor.Client.NotifyAsync("leanAssist/setApiKey", new JsonObject { ["provider"] = "anthropic", ["key"] = "test-anthropic-key-from-secret-storage" });
        var status = await editor.Client.WaitForNotificationAsync("leanAssist/status", m => m["params"]!["llm"]!["available"]!.GetValue<bool>());
        var result = await editor.Client.RequestResultAsync("workspace/executeCommand", SuggestCommand(uri, 4, 2), EditorHarness.Timeout);

        Assert.Equal("ok", status["params"]!["health"]!.GetValue<string>());
        Assert.NotEmpty(llm.Requests);
        Assert.All(llm.Requests, r => Assert.Equal("test-anthropic-key-from-secret-storage", r.Header("x-api-key")));
        Assert.NotEmpty(result!["suggestions"]!.AsArray());
    }

    [Fact]
    public async Task Restart_and_clear_cache_commands_start_over()
    {
        await using var editor = await EditorHarness.StartAsync();
        var uri = await editor.OpenAsync("Two.lean", TwoGoals);
        await editor.WaitForActionsAsync(uri, 1, 2, EditorHarness.HasVerified);
        var processes = editor.Log.ProcessesStarted;

        var cleared = await editor.Client.RequestResultAsync("workspace/executeCommand", new JsonObject { ["command"] = "leanAssist.clearCache" });
        await editor.Client.RequestResultAsync("workspace/executeCommand", new JsonObject { ["command"] = "leanAssist.restartLean" });
        await editor.WaitForActionsAsync(uri, 1, 2, EditorHarness.HasVerified);

        Assert.True(cleared!["verdictEntriesRemoved"]!.GetValue<long>() > 0);
        Assert.True(editor.Log.ProcessesStarted > processes, "Lean sessions were restarted");
        var hover = await editor.Client.RequestResultAsync("textDocument/hover", new JsonObject
        {
            ["textDocument"] = new JsonObject { ["uri"] = uri },
            ["position"] = EditorHarness.Position(1, 4),
        });
        Assert.DoesNotContain("(cached)", hover!["contents"]!["value"]!.GetValue<string>());
    }
}
