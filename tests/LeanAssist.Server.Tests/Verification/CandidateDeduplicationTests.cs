using LeanAssist.Server.Hover;
using LeanAssist.Suggestions.Candidates;
using LeanAssist.Suggestions.Verification;
using LeanAssist.Testing.Hosting;
using LeanAssist.Testing.Llm;

namespace LeanAssist.Server.Tests.Verification;

/// <summary>A tactic that two proposers suggest (up to spacing Lean ignores) is run in Lean once.</summary>
public sealed class CandidateDeduplicationTests
{
    private static int TacticRequests(PipelineHost host, string tactic) => VerdictKeyTests.TacticRequests(host, tactic);

    [Fact]
    public async Task The_LLMs_respelling_of_a_portfolio_tactic_is_not_run_again()
    {
        await using var llm = await LocalLlmServer.StartAsync();
        // "refine ⟨?_,?_⟩" is the portfolio's "refine ⟨?_, ?_⟩" up to spacing Lean ignores.
        llm.DefaultReply = LlmReply.Success("```lean\nrefine ⟨?_,?_⟩\n```\n```lean\nexact ⟨hp, hq⟩\n```", new ScriptedUsage(10, 10));
        await using var host = PipelineHost.Start(VerdictKeyTests.Script, llm: llm);
        var path = host.WriteLeanFile("Swap.lean", "theorem swap (p q : Prop) (hp : p) (hq : q) : p ∧ q := by\n  sorry\n");

        var (_, results) = await host.SuggestAllAsync(path, useLlm: true);

        var suggestions = results.Single().Suggestions;
        Assert.Equal(1, TacticRequests(host, "refine ⟨?_, ?_⟩"));
        Assert.Equal(0, TacticRequests(host, "refine ⟨?_,?_⟩"));
        var refine = Assert.Single(suggestions, s => TacticText.DeduplicationKey(s.Tactic) == TacticText.DeduplicationKey("refine ⟨?_, ?_⟩"));
        Assert.Equal(("refine ⟨?_, ?_⟩", "portfolio"), (refine.Tactic, refine.Source));
        Assert.Equal(["llm"], refine.AlsoProposedBy);
        // The hover names both proposers, the one Lean ran it for first.
        Assert.Matches(@"\| `refine ⟨\?_, \?_⟩` \|[^\n]*\| portfolio, llm \|\n", HoverHandler.Markdown(results.Single(), DateTimeOffset.UtcNow));
        // The LLM's other candidate is its own and was verified.
        var exact = suggestions.Single(s => s.Tactic == "exact ⟨hp, hq⟩");
        Assert.Equal(("llm", SuggestionVerdict.Solved), (exact.Source, exact.Verdict));
        Assert.Equal(1, TacticRequests(host, "exact ⟨hp, hq⟩"));
        Assert.Equal(suggestions.Count, suggestions.Select(s => TacticText.DeduplicationKey(s.Tactic)).Distinct().Count());
    }
}
