using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using LeanAssist.Protocol.Lsp;
using LeanAssist.Server.Documents;
using LeanAssist.Server.Editor;
using LeanAssist.Server.Search;
using LeanAssist.Suggestions.Verification;

namespace LeanAssist.Server.Hover;

/// <summary>
/// <c>textDocument/hover</c> on a <c>sorry</c> with known results (and nowhere else, so the Lean server's
/// hovers stay uncluttered): the candidates tried and their verdicts, and what it cost.
/// </summary>
public sealed partial class HoverHandler(DocumentStore documents, EditorSuggestions editor, EditorProofSearch searches, TimeProvider time)
{
    public const int MaxRows = 12;

    /// <summary>Longest reason shown in a row, so that the table stays readable.</summary>
    public const int MaxReasonLength = 100;

    public ValueTask<Protocol.Lsp.Hover?> HandleAsync(HoverParams parameters, CancellationToken cancellationToken)
    {
        if (!documents.TryGet(parameters.TextDocument.Uri, out var snapshot) || !snapshot.IsLean)
        {
            return ValueTask.FromResult<Protocol.Lsp.Hover?>(null);
        }

        var position = parameters.Position.ToUtf16();
        var sorry = TargetLocator.SorriesAt(snapshot.Text, new(position, position)).FirstOrDefault(r => r.Contains(position));
        if (sorry == default)
        {
            return ValueTask.FromResult<Protocol.Lsp.Hover?>(null);
        }

        var found = searches.FoundAt(snapshot.Uri, snapshot.Version, sorry);
        var searchText = found is null ? null : SearchPresentation.Markdown(found.Result);
        var known = editor.Known(snapshot.Uri, snapshot.Version);
        var target = known is null ? null : TargetLocator.SorryTarget(known.File, sorry);
        if (target is null || !known!.Results.TryGetValue(target.Id, out var result))
        {
            return ValueTask.FromResult(searchText is null ? null : new Protocol.Lsp.Hover(MarkupContent.Markdown(searchText), sorry.ToLsp()));
        }

        var backend = RemoteHover.BackendOf(known.File);
        var markdown = Markdown(result, time.GetUtcNow(), backend);
        return ValueTask.FromResult<Protocol.Lsp.Hover?>(new Protocol.Lsp.Hover(MarkupContent.Markdown(searchText is null ? markdown : searchText + "\n---\n\n" + markdown), sorry.ToLsp()));
    }

    /// <param name="backend">Where Lean ran (<see cref="RemoteHover.BackendOf"/>).</param>
    public static string Markdown(TargetSuggestions result, DateTimeOffset now, string backend = RemoteHover.Local)
    {
        var text = new StringBuilder();
        var verified = result.Suggestions.Count(s => s.IsVerified);
        text.Append(CultureInfo.InvariantCulture, $"**LeanAssist** · {verified} of {result.Suggestions.Count} candidates verified by Lean · computed {Age(now - result.FinishedAt)} ago · {backend}\n\n");
        text.Append("| tactic | verdict | Lean | source |\n|---|---|---|---|\n");
        foreach (var suggestion in result.Suggestions.Take(MaxRows))
        {
            text.Append(CultureInfo.InvariantCulture,
                $"| `{Cell(suggestion.Tactic)}` | {Verdict(suggestion)} | {suggestion.LeanMilliseconds:0} ms{(suggestion.FromCache ? " (cached)" : string.Empty)} | {Sources(suggestion)} |\n");
        }

        if (result.Suggestions.Count > MaxRows)
        {
            text.Append(CultureInfo.InvariantCulture, $"\n…and {result.Suggestions.Count - MaxRows} more.\n");
        }

        var costs = result.Costs;
        text.Append(CultureInfo.InvariantCulture, $"\nLean {costs.Lean.TotalMilliseconds:0} ms over {costs.LeanRuns} runs · ");
        text.Append(costs.LlmCalls + costs.LlmCacheHits > 0
            ? string.Create(CultureInfo.InvariantCulture, $"LLM {costs.Llm.TotalMilliseconds:0} ms, {costs.InputTokens + costs.OutputTokens} tokens, ${costs.CostUsd:0.0000} · ")
            : "LLM not used · ");
        text.Append(CultureInfo.InvariantCulture, $"cache hits: {costs.VerdictCacheHits} verdicts, {costs.LlmCacheHits} LLM · total {costs.Total.TotalMilliseconds:0} ms");
        foreach (var problem in result.Problems)
        {
            text.Append("\n\n⚠ ").Append(PlainCell(problem));
        }

        return text.ToString();
    }

    private static string Verdict(Suggestion suggestion) => suggestion.Verdict switch
    {
        SuggestionVerdict.Solved => suggestion.TrustsCompiler ? "✅ closes the goal (trusting the compiler)" : "✅ closes the goal",
        SuggestionVerdict.Progress => suggestion.RemainingGoals.Count == 1 ? "➡️ 1 goal left" : $"➡️ {suggestion.RemainingGoals.Count} goals left",
        SuggestionVerdict.Failed when RemoteHover.NotRun(suggestion) => "⏸ " + PlainCell(Reason(suggestion.Error)),
        SuggestionVerdict.Failed => "❌ " + PlainCell(Reason(suggestion.Error)),
        SuggestionVerdict.Rejected => "⛔ " + PlainCell(Reason(suggestion.Error)),
        SuggestionVerdict.Unconfirmed => "◻ " + PlainCell(Reason(suggestion.Error)),
        _ when RemoteHover.RemoteTimeout(suggestion) => "⏱ remote timeout (says nothing about the tactic)",
        _ => "⏱ " + PlainCell(Reason(suggestion.Error ?? "timed out")),
    };

    /// <summary>Who proposed it: the proposer it was verified for, then the others that proposed the same tactic.</summary>
    private static string Sources(Suggestion suggestion) => Cell(string.Join(", ", suggestion.AlsoProposedBy.Prepend(suggestion.Source)));

    /// <summary>
    /// The reason for a table cell: Lean's first line, and while a line only introduces what follows (it ends
    /// with ':', as in the REPL's "Lean error:\n&lt;input&gt;:1:1: unknown tactic"), the next one too, so the
    /// cell says why and not only that something failed.
    /// </summary>
    public static string Reason(string? text)
    {
        var lines = (text ?? string.Empty).Split('\n').Select(line => line.Trim()).Where(line => line.Length > 0).ToArray();
        var reason = new StringBuilder();
        foreach (var line in lines)
        {
            if (reason.Length > 0)
            {
                reason.Append(' ');
            }

            reason.Append(line);
            if (!line.EndsWith(':'))
            {
                break;
            }
        }

        return reason.Length > MaxReasonLength ? reason.ToString(0, MaxReasonLength) + "…" : reason.ToString();
    }

    /// <summary>
    /// Text shown as written: Markdown's punctuation escaped, so that Lean's <c>&lt;input&gt;:1:1</c> is not taken for
    /// an HTML tag (VS Code drops it), nor <c>a * b</c> or <c>h_1</c> for emphasis; then kept in one line.
    /// </summary>
    public static string PlainCell(string text) => Cell(MarkdownPunctuation().Replace(text, @"\$0"));

    /// <summary>CommonMark's backslash-escapable punctuation, less the backtick and the pipe, which <see cref="Cell"/> handles.</summary>
    [GeneratedRegex(@"[\\*_{}\[\]()#+\-.!<>~&]", RegexOptions.CultureInvariant)]
    private static partial Regex MarkdownPunctuation();

    /// <summary>Keeps a table cell in one line and its pipes from breaking the table.</summary>
    private static string Cell(string text) => text.Replace("\n", " ⏎ ", StringComparison.Ordinal).Replace("|", "\\|", StringComparison.Ordinal).Replace("`", "'", StringComparison.Ordinal);

    private static string Age(TimeSpan age) => age.TotalSeconds < 60
        ? string.Create(CultureInfo.InvariantCulture, $"{Math.Max(0, age.TotalSeconds):0} s")
        : age.TotalMinutes < 60 ? string.Create(CultureInfo.InvariantCulture, $"{age.TotalMinutes:0} min") : string.Create(CultureInfo.InvariantCulture, $"{age.TotalHours:0.#} h");
}
