using System.Text;
using System.Text.Json;
using LeanAssist.Lean.Repl;
using LeanAssist.Lean.Text;
using LeanAssist.Lean.Verdicts;
using LeanAssist.ReplStandIn;
using LeanAssist.Testing;

namespace LeanAssist.Lean.Tests.Verdicts;

/// <summary>Verdict semantics on real Lean output: only proofStatus "Completed" (clean) is solved.</summary>
public sealed class TacticVerdictTests
{
    [TranscriptTheory]
    [InlineData("core", "self_proof_exact_check", 3, TacticVerdictKind.Failed, TacticFailureReason.KernelError)]
    [InlineData("core", "tactic_mode_sorry", 2, TacticVerdictKind.Failed, TacticFailureReason.ContainsSorry)]
    [InlineData("core", "invalid_tactic", 2, TacticVerdictKind.Failed, TacticFailureReason.ErrorMessage)]
    [InlineData("core", "name_generator", 2, TacticVerdictKind.Failed, TacticFailureReason.ContainsSorry)]
    [InlineData("core", "name_generator", 3, TacticVerdictKind.Failed, TacticFailureReason.ContainsMetavariables)]
    [InlineData("core", "name_generator", 8, TacticVerdictKind.Failed, TacticFailureReason.ErrorMessage)]
    [InlineData("mathlib", "20240209", 2, TacticVerdictKind.Failed, TacticFailureReason.ErrorMessage)]
    [InlineData("core", "app_type_mismatch", 3, TacticVerdictKind.Progress, TacticFailureReason.None)]
    [InlineData("core", "app_type_mismatch", 5, TacticVerdictKind.Failed, TacticFailureReason.ContainsMetavariables)]
    [InlineData("core", "unknown_tactic", 2, TacticVerdictKind.Failed, TacticFailureReason.ReplError)]
    [InlineData("mathlib", "pickle_2", 2, TacticVerdictKind.Failed, TacticFailureReason.NoChange)]
    [InlineData("core", "by_cases", 4, TacticVerdictKind.Failed, TacticFailureReason.ContainsSorry)]
    [InlineData("core", "proof_step", 2, TacticVerdictKind.Progress, TacticFailureReason.None)]
    [InlineData("core", "proof_step", 4, TacticVerdictKind.Solved, TacticFailureReason.None)]
    [InlineData("core", "assumption_proof", 2, TacticVerdictKind.Solved, TacticFailureReason.None)]
    [InlineData("core", "proof_branching", 2, TacticVerdictKind.Progress, TacticFailureReason.None)]
    [InlineData("core", "proof_branching", 5, TacticVerdictKind.Solved, TacticFailureReason.None)]
    [InlineData("mathlib", "H20231115", 3, TacticVerdictKind.Progress, TacticFailureReason.None)]
    public void Recorded_tactic_answers_get_the_right_verdict(string set, string name, int requestNumber, TacticVerdictKind kind, TacticFailureReason reason)
    {
        var (response, goalsBefore) = ReplayUpTo(set, name, requestNumber);

        var verdict = TacticVerdicts.Classify(response, goalsBefore);

        Assert.Equal(kind, verdict.Kind);
        Assert.Equal(reason, verdict.Reason);
        Assert.False(string.IsNullOrEmpty(verdict.Detail));
        Assert.True(verdict.IsCacheable);
    }

    [TranscriptFact]
    public void Empty_goals_in_a_recorded_answer_are_solved_only_when_the_status_is_Completed()
    {
        // Every recorded tactic answer with "goals": [] : solved exactly when proofStatus is "Completed".
        var checkedAnswers = 0;
        foreach (var row in ReplStandInLauncher.AllTranscripts())
        {
            var path = ReplStandInLauncher.TranscriptPath((string)row[0], (string)row[1]);
            var requests = ReplayMode.ReadRequests(File.ReadAllText(path + ".in"));
            var responses = ReplayMode.ReadResponses(File.ReadAllText(path + ".expected.out"));
            for (var i = 0; i < requests.Count; i++)
            {
                using var request = JsonDocument.Parse(requests[i]);
                if (!request.RootElement.TryGetProperty("tactic", out _)
                    || ReplResponseParser.Parse(Encoding.UTF8.GetBytes(responses[i]), expectsProofStateResponse: true) is not ReplTacticResponse { Goals.Count: 0 } tactic)
                {
                    continue;
                }

                var verdict = TacticVerdicts.Classify(tactic, ["⊢ anything"]);
                Assert.Equal(tactic.ProofStatus == "Completed" && !tactic.HasErrors && tactic.Sorries.Count == 0, verdict.Kind == TacticVerdictKind.Solved);
                checkedAnswers++;
            }
        }

        Assert.True(checkedAnswers >= 10, $"only {checkedAnswers} answers with empty goals were found");
    }

    [Fact]
    public void Completed_with_an_error_message_is_not_solved()
    {
        var response = Tactic("Completed", [], messages: [new ReplMessage(ReplSeverity.Error, new LeanPosition(0, 0), null, "type mismatch")]);

        var verdict = TacticVerdicts.Classify(response, ["⊢ True"]);

        Assert.Equal(TacticVerdictKind.Failed, verdict.Kind);
        Assert.Equal("type mismatch", verdict.Detail);
    }

    [Fact]
    public void Completed_with_a_sorry_is_not_solved()
    {
        var response = Tactic("Completed", [], sorries: [new ReplSorry("⊢ True", 3, null, null)]);

        Assert.Equal(TacticFailureReason.ContainsSorry, TacticVerdicts.Classify(response, ["⊢ True"]).Reason);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("Not verified: more than one initial goal")]
    [InlineData("Error: Goal not assigned")]
    public void Empty_goals_without_Completed_are_never_solved(string? status)
    {
        var verdict = TacticVerdicts.Classify(Tactic(status, []), ["⊢ True"]);

        Assert.Equal(TacticVerdictKind.Failed, verdict.Kind);
    }

    [Fact]
    public void Open_goals_that_did_not_change_are_a_failure_and_changed_goals_are_progress()
    {
        var unchanged = TacticVerdicts.Classify(Tactic("Incomplete: open goals remain", ["x : Nat\n⊢ x = x"]), ["x : Nat\n⊢ x = x"]);
        var changed = TacticVerdicts.Classify(Tactic("Incomplete: open goals remain", ["case a\n⊢ p", "case b\n⊢ q"]), ["⊢ p ∧ q"]);

        Assert.Equal((TacticVerdictKind.Failed, TacticFailureReason.NoChange), (unchanged.Kind, unchanged.Reason));
        Assert.Equal(TacticVerdictKind.Progress, changed.Kind);
        Assert.Equal(["case a\n⊢ p", "case b\n⊢ q"], changed.GoalsAfter);
    }

    [Fact]
    public void Try_this_suggestions_are_kept_with_the_verdict()
    {
        var response = Tactic("Completed", [], messages:
        [
            new ReplMessage(ReplSeverity.Info, new LeanPosition(0, 0), null, "Try this: exact Nat.le_refl n"),
            new ReplMessage(ReplSeverity.Info, new LeanPosition(0, 0), null, "Try this:\n  [apply] exact Nat.le.refl"),
        ]);

        var verdict = TacticVerdicts.Classify(response, ["n : Nat\n⊢ n ≤ n"]);

        Assert.Equal(TacticVerdictKind.Solved, verdict.Kind);
        Assert.Equal(2, verdict.TryThisMessages.Count);
        Assert.Contains("exact Nat.le.refl", verdict.TryThisMessages[1]);
    }

    [Fact]
    public void Timeouts_crashes_and_unavailability_are_distinct_and_never_cacheable()
    {
        Assert.False(TacticVerdict.Timeout("slow").IsCacheable);
        Assert.False(TacticVerdict.Crash("died").IsCacheable);
        Assert.False(TacticVerdict.Unavailable("queue full").IsCacheable);
        Assert.Equal(3, new[] { TacticVerdict.Timeout("a").Kind, TacticVerdict.Crash("b").Kind, TacticVerdict.Unavailable("c").Kind }.Distinct().Count());
    }

    private static ReplTacticResponse Tactic(string? status, string[] goals, ReplMessage[]? messages = null, ReplSorry[]? sorries = null) =>
        new(1, goals, messages ?? [], sorries ?? [], [], status);

    /// <summary>Parses a transcript up to request <paramref name="number"/>, tracking each proof state's goals.</summary>
    private static (ReplResponse Response, IReadOnlyList<string> GoalsBefore) ReplayUpTo(string set, string name, int number)
    {
        var path = ReplStandInLauncher.TranscriptPath(set, name);
        var requests = ReplayMode.ReadRequests(File.ReadAllText(path + ".in"));
        var responses = ReplayMode.ReadResponses(File.ReadAllText(path + ".expected.out"));
        var goalsByState = new Dictionary<int, IReadOnlyList<string>>();
        for (var i = 0; i < number; i++)
        {
            using var request = JsonDocument.Parse(requests[i]);
            var typed = Repl.TranscriptConformanceTests.TypedRequest(request.RootElement);
            var response = ReplResponseParser.Parse(Encoding.UTF8.GetBytes(responses[i]), typed.ExpectsProofStateResponse);
            if (i == number - 1)
            {
                var state = ((ReplTacticRequest)typed).ProofState;
                return (response, goalsByState[state]);
            }

            switch (response)
            {
                case ReplCommandResponse command:
                    foreach (var sorry in command.Sorries.Where(s => s.ProofState is not null))
                    {
                        goalsByState[sorry.ProofState!.Value] = [sorry.Goal];
                    }

                    break;
                case ReplTacticResponse tactic:
                    goalsByState[tactic.ProofState] = tactic.Goals;
                    foreach (var sorry in tactic.Sorries.Where(s => s.ProofState is not null))
                    {
                        goalsByState[sorry.ProofState!.Value] = [sorry.Goal];
                    }

                    break;
            }
        }

        throw new InvalidOperationException("unreachable");
    }
}
