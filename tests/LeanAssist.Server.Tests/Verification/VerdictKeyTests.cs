using LeanAssist.Suggestions.Verification;
using LeanAssist.Testing.Hosting;
using LeanAssist.Testing.Llm;

namespace LeanAssist.Server.Tests.Verification;

/// <summary>
/// What a cached verdict may be reused for: the declaration's own context counts, not only the goal text.
/// The stand-in answers by its script whatever the context, so these tests check what reaches Lean and what
/// comes from the cache, not Lean's judgement.
/// </summary>
public sealed class VerdictKeyTests
{
    internal const string Script = """
        {
          "headerSeconds": 0.05, "commandMs": 1, "tacticMs": 5,
          "tactics": [
            { "tactic": "exact lt_succ_self n", "result": "completed" },
            { "tactic": "exact ⟨hp, hq⟩", "result": "completed" }
          ],
          "defaultTactic": { "result": "error", "message": "tactic failed (stand-in: no rule)" }
        }
        """;

    private const string WithOpen = "open Nat in\ntheorem lt_succ (n : Nat) : n < n + 1 := by\n  sorry\n";

    internal static int TacticRequests(PipelineHost host, string tactic) =>
        host.Log.Requests.Count(r => r.GetProperty("kind").GetString() == "tactic" && r.GetProperty("tactic").GetString() == tactic);

    [Fact]
    public async Task A_verdict_found_under_open_Nat_in_is_not_offered_once_open_Nat_in_is_deleted()
    {
        await using var llm = await LocalLlmServer.StartAsync();
        llm.DefaultReply = LlmReply.Success("```lean\nexact lt_succ_self n\n```", new ScriptedUsage(10, 10));
        await using var host = PipelineHost.Start(Script, llm: llm);
        var path = host.WriteLeanFile("Open.lean", WithOpen);

        var (openFile, first) = await host.SuggestAllAsync(path, useLlm: true);
        var (_, unchanged) = await host.SuggestAllAsync(path, useLlm: true);
        var (closedFile, withoutOpen) = await host.SuggestAllAsync(path, useLlm: true, text: WithOpen.Replace("open Nat in\n", "", StringComparison.Ordinal));

        // The same goal text and tactic in both files: only the declaration's own context differs.
        Assert.Equal(openFile.Targets.Single().Goal, closedFile.Targets.Single().Goal);
        Assert.Equal(openFile.Targets.Single().EnvironmentBefore, closedFile.Targets.Single().EnvironmentBefore);
        Assert.False(Exact(first).FromCache);
        Assert.True(Exact(unchanged).FromCache);
        Assert.False(Exact(withoutOpen).FromCache);
        Assert.Equal(2, TacticRequests(host, "exact lt_succ_self n"));

        static Suggestion Exact(IReadOnlyList<TargetSuggestions> results) => results.Single().Suggestions.Single(s => s.Tactic == "exact lt_succ_self n");
    }

    [Theory]
    [InlineData("open Nat in\ntheorem t (n : Nat) : n < n + 1 := by\n  sorry\n", "set_option pp.all true in\ntheorem t (n : Nat) : n < n + 1 := by\n  sorry\n")]
    [InlineData("theorem t (n : Nat) : n < n + 1 := by\n  classical\n  sorry\n", "theorem t (n : Nat) : n < n + 1 := by\n  sorry\n")]
    [InlineData("theorem t (n : Nat) : n < n + 1 := by\n  open Nat in\n  sorry\n", "theorem t (n : Nat) : n < n + 1 := by\n  sorry\n")]
    [InlineData("theorem t (n : Nat) : n < n + 1 := by\n  sorry\nwhere\n  helper : 0 < 1 := Nat.one_pos\n", "theorem t (n : Nat) : n < n + 1 := by\n  sorry\n")]
    [InlineData("theorem t (n : Nat) : n < n + 1 := by\n  sorry\n", "theorem t (n : Nat) : n < n + 1 := by\n   sorry\n")]
    public void Declaration_context_the_goal_does_not_show_is_part_of_the_key(string a, string b)
    {
        const string goal = "n : Nat\n⊢ n < n + 1";
        var environment = new LeanAssist.Lean.Source.LeanFingerprint("0123456789abcdef0123456789abcdef");
        VerdictCacheKey Key(string declaration)
        {
            var at = declaration.IndexOf("sorry", StringComparison.Ordinal);
            return new VerdictCacheKey("lean4:v4.32.0", environment, declaration[..at], declaration[at..], goal, "exact lt_succ_self n");
        }

        Assert.NotEqual(Key(a).Hash, Key(b).Hash);
        Assert.Equal(Key(a).Hash, Key(new string(a.AsSpan())).Hash);
    }
}
