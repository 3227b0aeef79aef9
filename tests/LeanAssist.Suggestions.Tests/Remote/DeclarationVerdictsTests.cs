using System.Text.Json;
using LeanAssist.Lean.Repl;
using LeanAssist.Lean.Verdicts;
using LeanAssist.Suggestions.Remote;
using LeanAssist.Testing;
using LeanAssist.Testing.Kimina;

namespace LeanAssist.Suggestions.Tests.Remote;

/// <summary>The declaration-level verdict rules on real REPL answers: solved only with no error and no sorry in the declaration.</summary>
public sealed class DeclarationVerdictsTests
{
    private static ReplCommandResponse Parse(System.Text.Json.Nodes.JsonObject answer)
    {
        using var document = JsonDocument.Parse(answer.ToJsonString());
        return ReplResponseParser.ParseCommandResponse(document.RootElement);
    }

    [TranscriptFact]
    public void A_declaration_without_messages_is_solved()
    {
        var verdict = RemoteDeclarationVerdicts.Classify(Parse(RecordedReplAnswers.Get("def_eval", 0)), declarationLine: 1);
        Assert.Equal(TacticVerdictKind.Solved, verdict.Kind);
    }

    [TranscriptFact]
    public void The_sorry_warning_is_never_a_proof()
    {
        var verdict = RemoteDeclarationVerdicts.Classify(Parse(RecordedReplAnswers.Get("tactic_sorry", 0)), declarationLine: 1);
        Assert.Equal(TacticVerdictKind.Failed, verdict.Kind);
        Assert.Equal(TacticFailureReason.ContainsSorry, verdict.Reason);
    }

    [TranscriptFact]
    public void An_error_fails_it_with_Leans_text()
    {
        var verdict = RemoteDeclarationVerdicts.Classify(Parse(RecordedReplAnswers.Get("incomplete", 0)), declarationLine: 1);
        Assert.Equal(TacticVerdictKind.Failed, verdict.Kind);
        Assert.Equal(TacticFailureReason.ErrorMessage, verdict.Reason);
        Assert.StartsWith("unsolved goals", verdict.Detail, StringComparison.Ordinal);
    }

    [TranscriptFact]
    public void Messages_of_the_commands_above_do_not_count_but_the_declarations_do()
    {
        // An earlier declaration's sorry warning (line 1) and an error in the declaration itself (line 3).
        var above = Parse(KiminaResponses.Combine(("tactic_sorry", 0, 1)));
        Assert.Equal(TacticVerdictKind.Solved, RemoteDeclarationVerdicts.Classify(above, declarationLine: 3).Kind);
        var both = Parse(KiminaResponses.Combine(("tactic_sorry", 0, 1), ("self_proof_exact_check", 0, 3)));
        var verdict = RemoteDeclarationVerdicts.Classify(both, declarationLine: 3);
        Assert.Equal(TacticFailureReason.ErrorMessage, verdict.Reason);
        Assert.Contains("fail to show termination", verdict.Detail, StringComparison.Ordinal);
    }

    [TranscriptFact]
    public void A_sorry_recorded_in_the_declaration_fails_it_even_without_the_warning()
    {
        var answer = RecordedReplAnswers.Get("term_sorry", 0);
        answer.Remove("messages");
        var verdict = RemoteDeclarationVerdicts.Classify(Parse(answer), declarationLine: 1);
        Assert.Equal(TacticFailureReason.ContainsSorry, verdict.Reason);
    }
}
