using LeanAssist.Lean.Repl;
using LeanAssist.Lean.Text;

namespace LeanAssist.Lean.Verdicts;

/// <summary>What elaborating the declaration with a candidate in place of its <c>sorry</c> established.</summary>
public enum DeclarationVerdictKind
{
    /// <summary>The command elaborated with no error and no <c>sorry</c> of its own beyond the other sorries the declaration already had.</summary>
    Confirmed,

    /// <summary>Lean reported an error for the declaration, or a <c>sorry</c> the candidate should have removed.</summary>
    Failed,

    /// <summary>The REPL refused the command, timed out, crashed or could not run it: a session problem that says nothing about the candidate.</summary>
    NotChecked,
}

/// <summary>The answer to "does the declaration elaborate with this tactic in it?".</summary>
/// <param name="Detail">Lean's first error (or the sorry warning) for <see cref="DeclarationVerdictKind.Failed"/>; the session problem for <see cref="DeclarationVerdictKind.NotChecked"/>.</param>
/// <param name="TimedOut">A <see cref="DeclarationVerdictKind.NotChecked"/> because Lean did not answer in time.</param>
public sealed record DeclarationVerdict(DeclarationVerdictKind Kind, string? Detail, bool TimedOut = false)
{
    public static DeclarationVerdict NotChecked(string detail, bool timedOut = false) => new(DeclarationVerdictKind.NotChecked, detail, timedOut);
}

/// <summary>
/// The one place that decides what the declaration command's answer means (the second half of "solved": see
/// DESIGN.md). Tactic mode saw the goal closed; the declaration's own elaboration checks what tactic mode does
/// not (termination, <c>decreasing_by</c>, the kernel check of the whole declaration, universe and instance
/// problems at the end).
/// </summary>
public static class DeclarationVerdicts
{
    public const string SorryWarning = "declaration uses `sorry`";

    /// <summary>The declaration's text with <paramref name="tactic"/> where its target <c>sorry</c> is (the same edit the user would get).</summary>
    /// <param name="declarationText">The declaration as sent to Lean.</param>
    /// <param name="sorryOffset">Where the target's <c>sorry</c> starts in it.</param>
    public static string WithTactic(string declarationText, int sorryOffset, string tactic)
    {
        ArgumentNullException.ThrowIfNull(declarationText);
        const string Sorry = "sorry";
        if (sorryOffset < 0 || sorryOffset + Sorry.Length > declarationText.Length
            || string.CompareOrdinal(declarationText, sorryOffset, Sorry, 0, Sorry.Length) != 0)
        {
            throw new ArgumentException($"No `sorry` at offset {sorryOffset} of the declaration.", nameof(sorryOffset));
        }

        var text = new SourceText(declarationText);
        var edit = TacticInsertion.Replace(text, text.GetRange(sorryOffset, sorryOffset + Sorry.Length), tactic);
        return text.WithChange(edit.Range, edit.NewText).Text;
    }

    /// <summary>Classifies the REPL's answer to the declaration command.</summary>
    /// <param name="otherSorries">The sorries the declaration has besides the target (each still reports one, and the warning is then expected).</param>
    public static DeclarationVerdict Classify(ReplResponse response, int otherSorries) => response switch
    {
        ReplCommandResponse command => Classify(command, otherSorries),
        ReplErrorResponse error => DeclarationVerdict.NotChecked("The Lean session refused the declaration: " + error.Message),
        _ => DeclarationVerdict.NotChecked($"The REPL answered the declaration with a {response?.GetType().Name ?? "null"}."),
    };

    public static DeclarationVerdict Classify(ReplCommandResponse response, int otherSorries)
    {
        ArgumentNullException.ThrowIfNull(response);
        if (response.Messages.FirstOrDefault(m => m.IsError) is { } error)
        {
            return new DeclarationVerdict(DeclarationVerdictKind.Failed, error.Data);
        }

        // The candidate's own sorry (a tactic that elaborates to one) shows as one sorry more than the others left.
        if (response.Sorries.Count > otherSorries)
        {
            return new DeclarationVerdict(DeclarationVerdictKind.Failed, "the declaration still contains a sorry where the tactic went");
        }

        var sorryWarning = response.Messages.Any(m => m.Severity == ReplSeverity.Warning && m.Data.Contains(SorryWarning, StringComparison.Ordinal));
        if (sorryWarning && otherSorries == 0)
        {
            return new DeclarationVerdict(DeclarationVerdictKind.Failed, SorryWarning);
        }

        return new DeclarationVerdict(DeclarationVerdictKind.Confirmed, null);
    }
}
