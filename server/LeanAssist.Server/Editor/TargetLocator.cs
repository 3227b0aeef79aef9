using LeanAssist.Lean.Sessions;
using LeanAssist.Lean.Source;
using LeanAssist.Lean.Text;

namespace LeanAssist.Server.Editor;

/// <summary>Finds what the user is pointing at: a <c>sorry</c> in the text, and the loaded target it is.</summary>
public static class TargetLocator
{
    /// <summary>
    /// The <c>sorry</c> tokens that touch <paramref name="range"/> (a cursor touches the word it is in or
    /// next to). Read from the text itself, so it needs no Lean and costs microseconds.
    /// </summary>
    public static IReadOnlyList<Utf16Range> SorriesAt(SourceText text, Utf16Range range)
    {
        var first = Math.Max(0, range.Start.Line - 1);
        var last = Math.Min(text.EditorLineCount - 1, range.End.Line + 1);
        var windowStart = text.GetEditorLineStart(first);
        var windowEnd = text.GetEditorLineContentEnd(last);
        var window = text.Text[windowStart..windowEnd];
        var start = text.GetOffset(range.Start);
        var end = text.GetOffset(range.End);
        var found = new List<Utf16Range>();
        foreach (var token in LeanLexer.Tokenize(window))
        {
            if (token.Kind != LeanTokenKind.Identifier || token.GetText(window) != "sorry")
            {
                continue;
            }

            var tokenStart = windowStart + token.Start;
            var tokenEnd = windowStart + token.End;
            if (tokenStart <= end && start <= tokenEnd)
            {
                found.Add(text.GetRange(tokenStart, tokenEnd));
            }
        }

        return found;
    }

    /// <summary>The loaded sorry target at exactly <paramref name="sorry"/>, if any.</summary>
    public static LeanTarget? SorryTarget(LeanFileTargets file, Utf16Range sorry) =>
        file.Targets.FirstOrDefault(t => t.Kind == LeanTargetKind.Sorry && t.Range == sorry);

    /// <summary>Targets whose range contains <paramref name="position"/> (a sorry, or an unsolved goals block), innermost first.</summary>
    public static IEnumerable<LeanTarget> TargetsAt(LeanFileTargets file, Utf16Position position) =>
        file.Targets.Where(t => t.Range.Contains(position)).OrderBy(t => t.Kind == LeanTargetKind.Sorry ? 0 : 1);

    /// <summary>The unsolved-goals target overlapping a diagnostic's range, if any.</summary>
    public static LeanTarget? UnsolvedGoalsTarget(LeanFileTargets file, Utf16Range diagnostic) =>
        file.Targets.FirstOrDefault(t => t.Kind == LeanTargetKind.UnsolvedGoals && t.Range.Start <= diagnostic.End && diagnostic.Start <= t.Range.End);
}
