using LeanAssist.Lean.Repl;
using LeanAssist.Lean.Verdicts;

namespace LeanAssist.Suggestions.Remote;

/// <summary>
/// The verdict on a declaration checked as a whole (the contract of DESIGN.md, "What verified means"): solved only
/// when the declaration elaborated with no error and no sorry (no "declaration uses 'sorry'" warning, no sorry
/// recorded in it). Only what Lean said about the declaration counts: messages on the commands before it are the
/// file's, not the candidate's. There is no progress verdict: a whole-declaration check sees unsolved goals only
/// as an error.
/// </summary>
public static class RemoteDeclarationVerdicts
{
    /// <param name="declarationLine">The body line on which the declaration starts (see <see cref="DeclarationSnippet.LastCommandLine"/>).</param>
    public static TacticVerdict Classify(ReplCommandResponse response, int declarationLine)
    {
        ArgumentNullException.ThrowIfNull(response);

        // A message without a position cannot be placed: it may be the declaration's, so it counts.
        bool InDeclaration(ReplMessage m) => !m.HasPosition || m.Pos.Line >= declarationLine;
        var messages = response.Messages.Where(InDeclaration).ToArray();
        var error = messages.FirstOrDefault(m => m.IsError);
        if (error is not null)
        {
            return Failed(TacticFailureReason.ErrorMessage, error.Data);
        }

        var sorryWarning = messages.FirstOrDefault(m => m.Severity == ReplSeverity.Warning && IsSorryWarning(m.Data));
        if (sorryWarning is not null)
        {
            return Failed(TacticFailureReason.ContainsSorry, sorryWarning.Data);
        }

        if (response.Sorries.Any(s => s.Pos is not { } pos || pos.Line >= declarationLine))
        {
            return Failed(TacticFailureReason.ContainsSorry, "The declaration still contains a sorry.");
        }

        var tryThis = messages
            .Where(m => m.Severity == ReplSeverity.Info && (m.Data.Contains("Try this:", StringComparison.Ordinal) || m.Data.Contains("Try these:", StringComparison.Ordinal)))
            .Select(m => m.Data)
            .ToArray();
        return new TacticVerdict(TacticVerdictKind.Solved, TacticFailureReason.None, "The declaration elaborated with no error and no sorry.", [], tryThis);
    }

    /// <summary>Lean's "declaration uses 'sorry'" (quoted with backticks since Lean 4.19 or so, with quotes before).</summary>
    public static bool IsSorryWarning(string data) =>
        data.StartsWith("declaration uses `sorry`", StringComparison.Ordinal) || data.StartsWith("declaration uses 'sorry'", StringComparison.Ordinal);

    private static TacticVerdict Failed(TacticFailureReason reason, string detail) => new(TacticVerdictKind.Failed, reason, detail, [], []);
}
