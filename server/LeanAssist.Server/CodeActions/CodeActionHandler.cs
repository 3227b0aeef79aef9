using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text.Json;
using LeanAssist.Lean.Sessions;
using LeanAssist.Lean.Telemetry;
using LeanAssist.Lean.Text;
using LeanAssist.Protocol.Lsp;
using LeanAssist.Server.Documents;
using LeanAssist.Server.Editor;
using LeanAssist.Server.LanguageServer;
using LeanAssist.Server.Search;
using LeanAssist.Suggestions.Verification;

namespace LeanAssist.Server.CodeActions;

/// <summary>
/// <c>textDocument/codeAction</c> at a <c>sorry</c> or an "unsolved goals" diagnostic. Answers only from
/// what is already known (it never waits on Lean or an LLM); when nothing is known it starts the work in
/// the background and offers "suggest tactics", which runs the command.
/// </summary>
public sealed class CodeActionHandler(DocumentStore documents, EditorSuggestions editor, SuggestionService suggestions, EditorProofSearch searches, LeanAssistMeter meter)
{
    /// <summary>At most this many verified suggestions are offered for one target.</summary>
    public const int MaxActions = 6;

    private readonly Histogram<double> _duration = meter.Meter.CreateHistogram<double>(LeanAssistMeter.Instruments.CodeActionDuration, "s", "Time to answer textDocument/codeAction.");

    public ValueTask<CodeAction[]> HandleAsync(CodeActionParams parameters, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            return ValueTask.FromResult(Actions(parameters));
        }
        finally
        {
            _duration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds);
        }
    }

    private CodeAction[] Actions(CodeActionParams parameters)
    {
        if (parameters.Context.Only is { } only && !only.Any(kind => kind == CodeActionKinds.QuickFix || CodeActionKinds.QuickFix.StartsWith(kind + ".", StringComparison.Ordinal)))
        {
            return [];
        }

        if (!documents.TryGet(parameters.TextDocument.Uri, out var snapshot) || !snapshot.IsLean)
        {
            return [];
        }

        var range = parameters.Range.ToUtf16();
        var sorries = TargetLocator.SorriesAt(snapshot.Text, range);
        var unsolved = parameters.Context.Diagnostics.Where(d => d.Message.StartsWith("unsolved goals", StringComparison.Ordinal)).ToArray();
        if (sorries.Count == 0 && unsolved.Length == 0)
        {
            return [];
        }

        var explicitRequest = parameters.Context.TriggerKind == CodeActionTriggerKind.Invoked;
        var known = editor.Known(snapshot.Uri, snapshot.Version);
        var actions = new List<CodeAction>();
        var anchors = sorries.Select(s => (Range: s, Diagnostic: (Diagnostic?)null))
            .Concat(unsolved.Select(d => (Range: d.Range.ToUtf16(), Diagnostic: (Diagnostic?)d)));
        foreach (var (anchor, diagnostic) in anchors)
        {
            var target = known is null ? null : diagnostic is null ? TargetLocator.SorryTarget(known.File, anchor) : TargetLocator.UnsolvedGoalsTarget(known.File, anchor);
            if (target is not null && known!.Results.TryGetValue(target.Id, out var result))
            {
                actions.AddRange(Offer(snapshot, result, diagnostic));
                if (suggestions.LlmConfigured && !known.AskedLlm.Contains(target.Id) && result.Outcome != TargetOutcome.Solved)
                {
                    // The user asked (Ctrl+.): the LLM may be spent on this target, in the background.
                    if (explicitRequest)
                    {
                        editor.RequestInBackground(snapshot, anchor.Start, useLlm: true);
                    }

                    actions.Add(SuggestAction(snapshot, anchor.Start, "LeanAssist: ask the LLM for tactics", diagnostic));
                }
            }
            else
            {
                // Nothing known for this version yet: start it, and offer to wait for it explicitly. Only the
                // user's asking is passed: the background run adds the LLM itself when prefetchWithLlm is set.
                editor.RequestInBackground(snapshot, anchor.Start, useLlm: explicitRequest);
                actions.Add(SuggestAction(snapshot, anchor.Start, "LeanAssist: suggest tactics", diagnostic));
            }
        }

        // Proof search is offered only at a sorry, and only runs when chosen (it may spend LLM money).
        foreach (var sorry in sorries)
        {
            actions.AddRange(SearchPresentation.ActionsAt(snapshot, sorry, searches.FoundAt(snapshot.Uri, snapshot.Version, sorry), preferred: !actions.Any(a => a.IsPreferred == true)));
        }

        return actions.ToArray();
    }

    private static IEnumerable<CodeAction> Offer(DocumentSnapshot snapshot, TargetSuggestions result, Diagnostic? diagnostic)
    {
        var verified = result.Verified.Take(MaxActions).ToArray();
        var preferred = verified.FirstOrDefault(s => s.Verdict == SuggestionVerdict.Solved);
        foreach (var suggestion in verified)
        {
            var edit = result.EditPlan.EditFor(snapshot.Text, suggestion.Tactic);
            yield return new CodeAction(
                Title(suggestion),
                CodeActionKinds.QuickFix,
                Diagnostics: diagnostic is null ? null : [diagnostic],
                IsPreferred: ReferenceEquals(suggestion, preferred) ? true : null,
                Edit: new WorkspaceEdit(DocumentChanges:
                [
                    new TextDocumentEdit(new OptionalVersionedTextDocumentIdentifier(snapshot.Uri, snapshot.Version), [new TextEdit(edit.Range.ToLsp(), edit.NewText)]),
                ]));
        }
    }

    /// <summary><c>LeanAssist: `omega` closes the goal (12 ms)</c>, <c>LeanAssist: `intro h` — 1 goal left (5 ms)</c>.</summary>
    public static string Title(Suggestion suggestion)
    {
        var tactic = suggestion.Tactic.Contains('\n') ? suggestion.Tactic.Split('\n')[0].TrimEnd() + " …" : suggestion.Tactic;
        var what = suggestion.Verdict == SuggestionVerdict.Solved
            ? "closes the goal"
            : suggestion.RemainingGoals.Count == 1 ? "— 1 goal left" : $"— {suggestion.RemainingGoals.Count} goals left";
        var trust = suggestion.TrustsCompiler ? ", trusting the compiler" : string.Empty;
        return string.Create(CultureInfo.InvariantCulture, $"LeanAssist: `{tactic}` {what}{trust} ({suggestion.LeanMilliseconds:0} ms)");
    }

    private static CodeAction SuggestAction(DocumentSnapshot snapshot, Utf16Position position, string title, Diagnostic? diagnostic)
    {
        var arguments = JsonSerializer.SerializeToElement(new SuggestArguments(snapshot.Uri, position.ToLsp(), snapshot.Version), LeanAssistJsonContext.Default.SuggestArguments);
        return new CodeAction(title, CodeActionKinds.QuickFix, Diagnostics: diagnostic is null ? null : [diagnostic],
            Command: new LspCommand(title, LeanAssistCommands.Suggest, [arguments]));
    }
}
