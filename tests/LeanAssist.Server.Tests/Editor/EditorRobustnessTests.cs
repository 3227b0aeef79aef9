using System.Text.Json;
using System.Text.Json.Nodes;
using LeanAssist.Lean.Pool;
using LeanAssist.Lean.Storage;
using LeanAssist.Protocol.JsonRpc;
using LeanAssist.Server.Configuration;
using LeanAssist.Server.Documents;
using LeanAssist.Server.Editor;
using LeanAssist.Server.Tests.Verification;
using LeanAssist.Suggestions.Learning;
using LeanAssist.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace LeanAssist.Server.Tests.Editor;

/// <summary>
/// The editor state under the conditions that used to go wrong: Lean that cannot start or load imports,
/// requests that land exactly between two steps of the background work, settings that arrive after the
/// services were built. Over in-memory pipes, with the stand-in as Lean; interleavings are forced through
/// <see cref="EditorSuggestionsTestHooks"/>, waits are for specific messages or state, with timeouts.
/// </summary>
public sealed class EditorRobustnessTests
{
    private const string TwoGoals = "theorem plus_zero (n : Nat) : n + 0 = n := by\n  sorry\n\ntheorem swap (p q : Prop) (hp : p) (hq : q) : p ∧ q := by\n  sorry\n";

    private static readonly JsonDocumentOptions Lenient = new() { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };

    /// <summary>The pipeline tests' script with <paramref name="change"/> applied.</summary>
    private static string Script(Action<JsonObject> change)
    {
        var script = JsonNode.Parse(PipelineTests.Script, documentOptions: Lenient)!.AsObject();
        change(script);
        return script.ToJsonString();
    }

    private static string? Health(JsonObject status) => status["params"]!["health"]!.GetValue<string>();

    private static string Reason(JsonObject status) => status["params"]!["healthReason"]?.GetValue<string>() ?? "";

    /// <summary>Waits for a status notification matching <paramref name="predicate"/> among those received after <paramref name="earlier"/>.</summary>
    private static Task<JsonObject> WaitForNewStatusAsync(EditorHarness editor, IReadOnlyCollection<JsonObject> earlier, Func<JsonObject, bool> predicate, string what)
    {
        var seen = new HashSet<JsonObject>(earlier, ReferenceEqualityComparer.Instance);
        return editor.Client.WaitForAsync(m => m["method"]?.GetValue<string>() == "leanAssist/status" && !seen.Contains(m) && predicate(m), EditorHarness.Timeout, what);
    }

    /// <summary>Waits until <paramref name="condition"/> holds, re-checking whenever the editor state changes.</summary>
    private static async Task WaitUntilAsync(EditorSuggestions editor, Func<bool> condition, string what, TimeSpan? timeout = null)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void Check()
        {
            if (condition())
            {
                done.TrySetResult();
            }
        }

        editor.Changed += Check;
        try
        {
            Check();
            await done.Task.WaitAsync(timeout ?? EditorHarness.Timeout);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"Timed out waiting for: {what}");
        }
        finally
        {
            editor.Changed -= Check;
        }
    }

    // ------------------------------------------------------------------ health (issue: status stayed "ok")

    [Fact]
    public async Task Status_is_error_with_the_reason_when_no_Lean_session_can_start_and_ok_after_a_clean_load()
    {
        // Every stand-in process dies on its first request (the header import): Lean never starts.
        await using var editor = await EditorHarness.StartAsync(Script(s => s["faults"] = new JsonArray(new JsonObject { ["kind"] = "crash", ["onRequest"] = 1 })));
        var uri = await editor.OpenAsync("Two.lean", TwoGoals);

        var error = await editor.Client.WaitForNotificationAsync("leanAssist/status", m => Health(m) == "error", EditorHarness.Timeout);

        Assert.StartsWith("Lean (Two.lean): ", Reason(error), StringComparison.Ordinal);
        Assert.Contains("could not start", Reason(error), StringComparison.Ordinal);

        // Lean works again (the script the next processes read has no fault); the next load is clean.
        File.WriteAllText(editor.Project.Combine("standin-script.json"), PipelineTests.Script);
        var earlier = editor.Client.Received;
        await editor.ReplaceAsync(uri, 2, TwoGoals + "\n");
        var ok = await WaitForNewStatusAsync(editor, earlier, m => Health(m) == "ok", "an ok status after the edit");

        Assert.Null(ok["params"]!["healthReason"]);
    }

    [Fact]
    public async Task Status_is_degraded_with_the_reason_when_the_imports_fail_and_ok_once_they_are_gone()
    {
        var script = Script(s => s["commands"]!.AsArray().Insert(0, new JsonObject
        {
            ["pattern"] = "^import Missing",
            ["messages"] = new JsonArray(new JsonObject { ["severity"] = "error", ["at"] = "import", ["data"] = "unknown module prefix 'Missing'" }),
        }));
        await using var editor = await EditorHarness.StartAsync(script);
        var uri = await editor.OpenAsync("Two.lean", "import Missing.Module\n\n" + TwoGoals);

        var degraded = await editor.Client.WaitForNotificationAsync("leanAssist/status", m => Health(m) == "degraded", EditorHarness.Timeout);

        Assert.StartsWith("Lean (Two.lean): ", Reason(degraded), StringComparison.Ordinal);
        Assert.Contains("unknown module prefix 'Missing'", Reason(degraded), StringComparison.Ordinal);

        var earlier = editor.Client.Received;
        await editor.ReplaceAsync(uri, 2, TwoGoals);
        await editor.WaitForActionsAsync(uri, 1, 3, EditorHarness.HasVerified);
        await WaitForNewStatusAsync(editor, earlier, m => Health(m) == "ok", "an ok status after the imports were removed");
    }

    // ------------------------------------------------------------------ races in the background work

    [Fact]
    public async Task A_code_action_arriving_as_the_background_run_ends_is_not_lost()
    {
        await using var editor = await EditorHarness.StartAsync(settings: [new("LeanAssist:prefetch", "false")]);
        var suggestions = editor.Server.GetService<EditorSuggestions>();
        var uri = await editor.OpenAsync("Two.lean", TwoGoals);
        var asked = 0;
        // The run for the first sorry has nothing more to do and is about to end: exactly then the
        // lightbulb asks about the second sorry (and gets its answer) before the run has ended.
        suggestions.TestHooks.BackgroundRanOutOfTargets = _ =>
        {
            if (Interlocked.Exchange(ref asked, 1) == 0)
            {
                editor.CodeActionsAsync(uri, 4, 3).WaitAsync(EditorHarness.Timeout).GetAwaiter().GetResult();
            }
        };

        await editor.CodeActionsAsync(uri, 1, 3);

        // Not asked again: the one request made inside the window must be enough.
        await WaitUntilAsync(suggestions, () => suggestions.Known(uri, 1) is { } known && known.Results.Values.Any(r => r.Target.DeclarationName == "swap"),
            "the second sorry's suggestions", TimeSpan.FromSeconds(30));
        Assert.Equal(1, asked);
    }

    [Fact]
    public async Task An_edit_between_reading_the_document_and_starting_an_explicit_suggestion_gives_ContentModified()
    {
        await using var editor = await EditorHarness.StartAsync(settings: [new("LeanAssist:prefetch", "false")]);
        var suggestions = editor.Server.GetService<EditorSuggestions>();
        var documents = editor.Server.GetService<DocumentStore>();
        var uri = await editor.OpenAsync("Two.lean", TwoGoals);
        var edited = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        documents.Changed += change =>
        {
            if (change.Snapshot.Version == 2)
            {
                // Raised after the editor state handled the edit (it subscribed first).
                edited.TrySetResult();
            }
        };
        suggestions.TestHooks.BeforeSuggestTakesEditToken = _ =>
        {
            if (!edited.Task.IsCompleted)
            {
                editor.ReplaceAsync(uri, 2, "-- edited\n" + TwoGoals).WaitAsync(EditorHarness.Timeout).GetAwaiter().GetResult();
                edited.Task.WaitAsync(EditorHarness.Timeout).GetAwaiter().GetResult();
            }
        };

        var response = await editor.Client.RequestAsync("workspace/executeCommand", new JsonObject
        {
            ["command"] = "leanAssist.suggest",
            ["arguments"] = new JsonArray(new JsonObject { ["uri"] = uri, ["position"] = EditorHarness.Position(1, 3) }),
        }, EditorHarness.Timeout);

        Assert.True(edited.Task.IsCompleted, "the edit happened inside the window");
        Assert.Equal(ErrorCodes.ContentModified, response["error"]?["code"]?.GetValue<int>());
    }

    [Fact]
    public async Task Positions_asked_about_are_remembered_once_each_and_at_most_a_bounded_number()
    {
        // Slow goals, and no prefetch: nothing becomes known while the lightbulb keeps asking.
        var text = string.Concat(Enumerable.Range(0, EditorSuggestions.MaxFocusPositions + 8).Select(i => $"theorem slow_goal_{i} : SlowGoal := by\n  sorry\n\n"));
        await using var editor = await EditorHarness.StartAsync(settings: [new("LeanAssist:prefetch", "false")]);
        var suggestions = editor.Server.GetService<EditorSuggestions>();
        var uri = await editor.OpenAsync("Slow.lean", text);

        for (var i = 0; i < 25; i++)
        {
            await editor.CodeActionsAsync(uri, 1, 3);
        }

        // Anywhere on the same sorry is the same target: one entry.
        await editor.CodeActionsAsync(uri, 1, 5);
        Assert.Equal(1, suggestions.FocusCount(uri));

        for (var i = 0; i < EditorSuggestions.MaxFocusPositions + 8; i++)
        {
            await editor.CodeActionsAsync(uri, 3 * i + 1, 3);
        }

        Assert.Equal(EditorSuggestions.MaxFocusPositions, suggestions.FocusCount(uri));
    }

    // ------------------------------------------------------------------ settings that arrive after the services exist

    [Fact]
    public async Task Outcome_and_learning_settings_pulled_after_the_services_were_built_take_effect_and_follow_changes()
    {
        using var caches = new TemporaryDirectory();
        var commandLineOutcomes = caches.Combine("outcomes-command-line");
        var commandLineLearning = caches.Combine("learning-command-line");
        var editorLearning = caches.Combine("learning-editor");
        var servicesBuilt = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var pulled = new JsonObject
        {
            ["repl"] = new JsonObject { ["persistOutcomes"] = false },
            ["learning"] = new JsonObject { ["directory"] = editorLearning },
        };
        await using var editor = await EditorHarness.StartAsync(
            settings: [new("LeanAssist:repl:outcomeCacheDirectory", commandLineOutcomes), new("LeanAssist:learning:directory", commandLineLearning)],
            configuration: _ =>
            {
                // VS Code answers after initialized; here only once the services exist (built with the command line's settings).
                servicesBuilt.Task.WaitAsync(EditorHarness.Timeout).GetAwaiter().GetResult();
                return new JsonArray(pulled.DeepClone());
            });
        editor.Server.GetService<LeanSessionPool>();
        editor.Server.GetService<TacticOutcomeLearning>();
        servicesBuilt.SetResult();
        var settings = editor.Server.GetService<SettingsService>();
        await Eventually.TrueAsync(() => settings.AppliedCount >= 1, EditorHarness.Timeout, "the pulled settings applied");

        var uri = await editor.OpenAsync("Two.lean", TwoGoals);
        await editor.WaitForActionsAsync(uri, 1, 3, EditorHarness.HasVerified);

        // persistOutcomes false: nothing Lean said (goal texts) went to disk; learning went where the editor said.
        Assert.False(Directory.Exists(commandLineOutcomes), "command outcomes were written although persistOutcomes is false");
        Assert.True(File.Exists(Path.Combine(editorLearning, TacticOutcomeLearning.DiskFileName)));
        Assert.False(Directory.Exists(commandLineLearning));

        // At runtime: persistence on, in another folder; learning moves too.
        var editorOutcomes = caches.Combine("outcomes-editor");
        var movedLearning = caches.Combine("learning-moved");
        await editor.Client.NotifyAsync("workspace/didChangeConfiguration", new JsonObject
        {
            ["settings"] = new JsonObject
            {
                ["leanAssist"] = new JsonObject
                {
                    ["repl"] = new JsonObject { ["persistOutcomes"] = true, ["outcomeCacheDirectory"] = editorOutcomes },
                    ["learning"] = new JsonObject { ["directory"] = movedLearning },
                },
            },
        });
        await Eventually.TrueAsync(() => settings.AppliedCount >= 2, EditorHarness.Timeout, "the pushed settings applied");
        await editor.ReplaceAsync(uri, 2, "-- moved on\n" + TwoGoals + "\ntheorem more (n : Nat) : n + 0 = n := by\n  sorry\n");
        await editor.WaitForActionsAsync(uri, 8, 3, EditorHarness.HasVerified);

        Assert.True(CountOutcomes(editorOutcomes) > 0, "no command outcomes in the new folder");
        Assert.True(File.Exists(Path.Combine(movedLearning, TacticOutcomeLearning.DiskFileName)));
        Assert.False(Directory.Exists(commandLineOutcomes));
    }

    private static long CountOutcomes(string directory) => CacheFiles.CountEntries(Path.Combine(directory, "outcomes.db"));
}
