using LeanAssist.Lean.Repl;
using LeanAssist.Lean.Sessions;
using LeanAssist.Lean.Text;
using LeanAssist.Suggestions.Verification;

namespace LeanAssist.Server.Prove;

/// <summary>
/// <c>prove --write</c>'s last check: every tactic was verified (and confirmed at its declaration) on its own, but
/// together they can still break a declaration (two sorries of one declaration, a proof a later one unfolds). So
/// the edited text is elaborated once, as a whole command chain, before anything is written; a declaration that
/// now has an error or a sorry it did not have keeps its original text, and the file is never left worse.
/// </summary>
internal static class EditedFileCheck
{
    /// <summary>The edits to write and what was put back (with why).</summary>
    public sealed record Outcome(IReadOnlyList<SorryEdit> Kept, IReadOnlyList<string> Problems);

    public static async Task<Outcome> CheckAsync(SuggestionService suggestions, LeanFileRequest request, LeanFileTargets original, IReadOnlyList<SorryEdit> edits, CancellationToken cancellationToken)
    {
        if (edits.Count == 0)
        {
            return new Outcome([], []);
        }

        var edited = Apply(request.Text, edits);
        var after = await suggestions.LoadAsync(request with { Text = edited }, cancellationToken).ConfigureAwait(false);
        if (!after.IsComplete || after.Commands.Count != original.Commands.Count)
        {
            var why = !after.IsComplete
                ? "Lean could not check the whole edited file (" + string.Join(" ", after.Problems) + ")"
                : "the edited file splits into other commands than the original";
            return new Outcome([], [$"not written: {why}; the file is left as it was."]);
        }

        var problems = new List<string>();
        var editsByCommand = edits.GroupBy(e => CommandOf(original, request.Text, e)).ToDictionary(g => g.Key, g => g.ToArray());
        var reverted = new HashSet<int>();
        for (var i = 0; i < original.Commands.Count; i++)
        {
            var (errorsBefore, sorriesBefore) = State(original, original.Commands[i]);
            var (errorsAfter, sorriesAfter) = State(after, after.Commands[i]);
            var replaced = editsByCommand.TryGetValue(i, out var mine) ? mine.Length : 0;
            var newError = errorsAfter.FirstOrDefault(e => !errorsBefore.Contains(e));
            var newSorry = sorriesAfter > sorriesBefore - replaced;
            if (newError is null && !newSorry)
            {
                continue;
            }

            var line = request.Text.GetLeanPosition(request.Text.GetOffset(original.Commands[i].Range.Start)).Line;
            var what = newError is not null ? $"an error it did not have (\"{FirstLine(newError)}\")" : "a sorry it did not have";
            if (replaced == 0)
            {
                // A declaration no edit touched got worse: the edits above it interact; put every one back.
                return new Outcome([], [$"not written: with the verified tactics in place, the declaration at line {line} gets {what}; the file is left as it was."]);
            }

            reverted.Add(i);
            problems.Add($"the declaration at line {line} kept its original text: with the verified tactics together it gets {what}.");
        }

        var kept = edits.Where(e => !reverted.Contains(CommandOf(original, request.Text, e))).ToArray();
        return new Outcome(kept, problems);
    }

    public static SourceText Apply(SourceText text, IReadOnlyList<SorryEdit> edits)
    {
        foreach (var edit in edits.OrderByDescending(e => e.Range.Start))
        {
            text = text.WithChange(edit.Range, edit.NewText);
        }

        return text;
    }

    private static int CommandOf(LeanFileTargets file, SourceText text, SorryEdit edit)
    {
        var offset = text.GetOffset(edit.Range.Start);
        for (var i = file.Commands.Count - 1; i >= 0; i--)
        {
            if (text.GetOffset(file.Commands[i].Range.Start) <= offset)
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>A command's error texts and its sorries (those Lean reported a position for, and the "declaration uses sorry" warnings).</summary>
    private static (IReadOnlyList<string> Errors, int Sorries) State(LeanFileTargets file, LeanCommandInfo command)
    {
        var messages = file.Messages.Where(m => m.Command == command.Fingerprint).ToArray();
        var errors = messages.Where(m => m.Severity == ReplSeverity.Error).Select(m => m.Data).ToArray();
        var sorries = file.Targets.Count(t => t.Kind == LeanTargetKind.Sorry && t.DeclarationFingerprint == command.Fingerprint);
        var warnings = messages.Count(m => m.Severity == ReplSeverity.Warning && m.Data.Contains("declaration uses `sorry`", StringComparison.Ordinal));
        return (errors, Math.Max(sorries, warnings));
    }

    private static string FirstLine(string text)
    {
        var line = text.Split('\n')[0];
        return line.Length > 100 ? line[..100] + "…" : line;
    }
}
