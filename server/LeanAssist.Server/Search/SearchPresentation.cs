using System.Globalization;
using System.Text;
using System.Text.Json;
using LeanAssist.Lean.Text;
using LeanAssist.Protocol.Lsp;
using LeanAssist.Server.Documents;
using LeanAssist.Server.LanguageServer;
using LeanAssist.Suggestions.Search;

namespace LeanAssist.Server.Search;

/// <summary>How proof search shows in the editor: its code actions at a sorry and its part of the hover.</summary>
public static class SearchPresentation
{
    public const string SearchTitle = "LeanAssist: Search for a proof";

    /// <summary>At a sorry: the found proof as a quick fix, else the action that starts a search.</summary>
    /// <param name="preferred">Mark the found proof as the preferred fix (when no single tactic closes the goal).</param>
    public static IEnumerable<CodeAction> ActionsAt(DocumentSnapshot snapshot, Utf16Range sorry, FoundProof? found, bool preferred)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        if (found is not null)
        {
            var edit = found.Plan.EditFor(snapshot.Text, found.Result.Script!);
            yield return new CodeAction(FoundTitle(found.Result), CodeActionKinds.QuickFix, IsPreferred: preferred ? true : null,
                Edit: new WorkspaceEdit(DocumentChanges:
                [
                    new TextDocumentEdit(new OptionalVersionedTextDocumentIdentifier(snapshot.Uri, snapshot.Version), [new TextEdit(edit.Range.ToLsp(), edit.NewText)]),
                ]));
            yield break;
        }

        var arguments = JsonSerializer.SerializeToElement(new SuggestArguments(snapshot.Uri, sorry.Start.ToLsp(), snapshot.Version), LeanAssistJsonContext.Default.SuggestArguments);
        yield return new CodeAction(SearchTitle, CodeActionKinds.QuickFix, Command: new LspCommand(SearchTitle, LeanAssistCommands.SearchProof, [arguments]));
    }

    /// <summary><c>LeanAssist: proof found (3 steps, 1.2 s)</c>: the steps and how long the search took (or that it came from the cache).</summary>
    public static string FoundTitle(ProofSearchResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var steps = result.Steps.Count == 1 ? "1 step" : $"{result.Steps.Count} steps";
        var time = result.FromCache ? "cached" : Seconds(result.Elapsed);
        return $"LeanAssist: proof found ({steps}, {time})";
    }

    /// <summary>The hover's section for a found proof: each step with the goal it ran on, its verdict and Lean's time.</summary>
    public static string Markdown(ProofSearchResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture,
            $"**LeanAssist** · proof found by search: {result.Steps.Count} steps, confirmed on the whole declaration · {result.NodesExplored} proof states explored");
        text.Append(result.FromCache ? " · from the cache\n\n" : string.Create(CultureInfo.InvariantCulture, $" · {Seconds(result.Elapsed)}\n\n"));
        text.Append("| step | verdict | Lean | source |\n|---|---|---|---|\n");
        foreach (var step in result.Steps)
        {
            var verdict = step.Produced.Count switch
            {
                0 => "✅ closes its goal",
                1 => "➡️ 1 goal",
                var n => $"➡️ {n} goals (cases)",
            };
            text.Append(CultureInfo.InvariantCulture, $"| `{Cell(step.Tactic)}` | {verdict} | {step.LeanMs:0} ms{(step.FromCache ? " (cached)" : string.Empty)} | {Cell(step.Source)} |\n");
        }

        if (result.CostUsd > 0 || result.InputTokens > 0)
        {
            text.Append(CultureInfo.InvariantCulture, $"\nLLM {result.InputTokens + result.OutputTokens} tokens, ${result.CostUsd:0.0000}\n");
        }

        text.Append("\n```lean\n").Append(result.Script).Append("\n```\n");
        return text.ToString();
    }

    public static string Seconds(TimeSpan elapsed) => elapsed.TotalSeconds >= 1
        ? string.Create(CultureInfo.InvariantCulture, $"{elapsed.TotalSeconds:0.0} s")
        : string.Create(CultureInfo.InvariantCulture, $"{elapsed.TotalMilliseconds:0} ms");

    private static string Cell(string text) => text.Replace("\n", " ⏎ ", StringComparison.Ordinal).Replace("|", "\\|", StringComparison.Ordinal).Replace("`", "'", StringComparison.Ordinal);
}
