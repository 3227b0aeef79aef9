using LeanAssist.Suggestions.Search;
using LeanAssist.Testing.Hosting;
using LeanAssist.Testing.Llm;

namespace LeanAssist.Server.Tests.Search;

/// <summary>Proof search with the LLM: the local loopback server (a double speaking OpenAI's wire format) proposing steps and whole proofs, with the mess real answers have.</summary>
public sealed class LlmSearchTests
{
    private const string Script = """
        {
          "headerSeconds": 0.05, "commandMs": 1, "tacticMs": 2,
          "goals": [ { "declaration": "needs_llm", "goals": ["x : Nat\n⊢ Llm1 x"] } ],
          "tactics": [
            { "tactic": "apply foo", "goalPattern": "⊢ Llm1 x$", "result": "progress", "goals": ["x : Nat\n⊢ Llm2 x"] },
            { "tactic": "exact bar x", "goalPattern": "⊢ Llm2 x$", "result": "completed" }
          ],
          "defaultTactic": { "result": "error", "message": "tactic failed (stand-in: no rule)" }
        }
        """;

    private const string File = "theorem needs_llm (x : Nat) : Llm1 x := by\n  sorry\n";

    private static IEnumerable<KeyValuePair<string, string?>> Settings(int wholeProofRounds) =>
    [
        new("LeanAssist:repl:sessions", "2"),
        new("LeanAssist:search:wholeProofRounds", wholeProofRounds.ToString(System.Globalization.CultureInfo.InvariantCulture)),
    ];

    private static async Task<ProofSearchResult> SearchAsync(PipelineHost host, string declaration, string file)
    {
        var path = host.WriteLeanFile("Llm.lean", file);
        var request = host.Request(path);
        var loaded = await host.Service.LoadAsync(request, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(60));
        var target = loaded.Targets.Single(t => t.DeclarationName == declaration);
        return await host.Get<ProofSearchService>()
            .SearchAsync(new ProofSearchRequest(request, loaded, target, new SearchBudget(MaxSeconds: 60), UseLlm: true, Lean.Sessions.RequestPriority.Interactive), null, CancellationToken.None)
            .WaitAsync(TimeSpan.FromSeconds(90));
    }

    [Fact]
    public async Task The_LLMs_steps_are_verified_one_by_one_and_make_up_the_proof()
    {
        await using var llm = await LocalLlmServer.StartAsync();
        // Chatter, a fence without a language tag, a leading `by`: as models answer.
        llm.DefaultReply = LlmReply.Success("Sure! Try these:\n```lean\napply foo\n```\nor, once the goal is reduced:\n```\nby exact bar x\n```\nGood luck.", new ScriptedUsage(400, 40));
        await using var host = PipelineHost.Start(Script, llm: llm, settings: Settings(wholeProofRounds: 0));

        var result = await SearchAsync(host, "needs_llm", File);

        Assert.True(result.Outcome == ProofSearchOutcome.Found, $"{result.Outcome}: {string.Join("; ", result.Problems)}; {llm.Requests.Count} LLM requests; tactics {string.Join(", ", host.Log.Requests.Where(r => r.TryGetProperty("tactic", out _)).Select(r => r.GetProperty("tactic").GetString()))}");
        Assert.Equal("apply foo\nexact bar x", result.Script);
        Assert.All(result.Steps, s => Assert.NotEqual("portfolio", s.Source));
        Assert.True(llm.Requests.Count >= 2, "asked at each goal");
        Assert.True(result.InputTokens >= 800);
    }

    [Fact]
    public async Task A_whole_proof_that_fails_at_the_declaration_is_repaired_from_Leans_error()
    {
        const string RepairScript = """
            {
              "headerSeconds": 0.05, "commandMs": 1, "tacticMs": 2,
              "goals": [ { "declaration": "decl_fails", "goals": ["s : Prop\nhs : s\n⊢ True → s"] } ],
              "tactics": [
                { "tactic": "exact hs", "result": "completed", "declarationError": "fail to show termination for\n  decl_fails" }
              ],
              "defaultTactic": { "result": "error", "message": "tactic failed (stand-in: no rule)" }
            }
            """;
        await using var llm = await LocalLlmServer.StartAsync();
        llm.Enqueue(
            // The first answer restates the theorem around its proof, with prose.
            LlmReply.Success("Here is a proof:\n```lean\ntheorem decl_fails (s : Prop) (hs : s) : True → s := by\n  intro h\n  exact hs\n```\nIt introduces the hypothesis.", new ScriptedUsage(500, 60)),
            LlmReply.Success("You're right, here is a fixed version:\n```lean\nintro _\nassumption\n```", new ScriptedUsage(700, 30)));
        await using var host = PipelineHost.Start(RepairScript, llm: llm, settings: Settings(wholeProofRounds: 2));

        var result = await SearchAsync(host, "decl_fails", "theorem decl_fails (s : Prop) (hs : s) : True → s := by\n  sorry\n");

        Assert.Equal(ProofSearchOutcome.Found, result.Outcome);
        Assert.Equal("intro _\nassumption", result.Script);
        var rejected = Assert.Single(result.RejectedScripts);
        Assert.Equal("intro h\nexact hs", rejected.Script);
        Assert.Equal(2, llm.Requests.Count);
        // The repair round showed the LLM the attempt and Lean's error for it.
        var repair = llm.Requests[1].Body;
        Assert.Contains("fail to show termination", repair, StringComparison.Ordinal);
        Assert.Contains("intro h", repair, StringComparison.Ordinal);
        Assert.Contains("Propose complete proofs", llm.Requests[0].Body, StringComparison.Ordinal);
        Assert.Equal(0, result.NodesExplored);
    }

    [Fact]
    public async Task A_whole_proof_that_breaks_the_safety_policy_is_never_sent_to_Lean()
    {
        await using var llm = await LocalLlmServer.StartAsync();
        llm.DefaultReply = LlmReply.Success("```lean\nrun_tac do\n  Lean.Elab.Tactic.evalTactic (← `(tactic| sorry))\n```", new ScriptedUsage(100, 20));
        await using var host = PipelineHost.Start(Script, llm: llm, settings: Settings(wholeProofRounds: 1));

        var result = await SearchAsync(host, "needs_llm", File);

        Assert.DoesNotContain(host.Log.Requests, r => r.TryGetProperty("cmd", out var cmd) && cmd.GetString()!.Contains("run_tac", StringComparison.Ordinal));
        Assert.DoesNotContain(host.Log.Requests, r => r.TryGetProperty("tactic", out var tactic) && tactic.GetString()!.Contains("run_tac", StringComparison.Ordinal));
        Assert.NotEqual(ProofSearchOutcome.Found, result.Outcome);
    }
}
