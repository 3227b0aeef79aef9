using System.Globalization;
using System.Text.Json;
using LeanAssist.Protocol.JsonRpc;
using LeanAssist.Protocol.Lsp;
using LeanAssist.Server.Documents;
using LeanAssist.Server.LanguageServer;
using LeanAssist.Server.Prove;
using LeanAssist.Suggestions.Search;

namespace LeanAssist.Server.Search;

/// <summary><c>leanAssist.searchProof</c>: a search with cancellable <c>$/progress</c> (nodes explored, best depth, spend), handed to <see cref="EditorProofSearch"/>.</summary>
public sealed class SearchProofCommand(LanguageServerEndpoint endpoint, EditorProofSearch search)
{
    public async Task<SearchProofResult> ExecuteAsync(ExecuteCommandParams parameters, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        if (parameters.Arguments is not [var argument, ..] || Read(argument) is not { } arguments)
        {
            throw new JsonRpcException(ErrorCodes.InvalidParams, $"{LeanAssistCommands.SearchProof} takes one argument: {{ uri, position, version? }}.");
        }

        await using var progress = await WorkDoneProgress.BeginAsync(endpoint.Client, endpoint.Progress, parameters.WorkDoneToken,
            "LeanAssist: searching for a proof", cancellable: true, cancellationToken).ConfigureAwait(false);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, progress.CancellationToken);
        EditorSearchOutcome outcome;
        try
        {
            outcome = await search.SearchNowAsync(arguments.Uri, arguments.Position.ToUtf16(), arguments.Version, new Progress(progress), linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (progress.CancellationToken.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            await progress.EndAsync("Cancelled.").ConfigureAwait(false);
            throw new JsonRpcException(ErrorCodes.RequestCancelled, "Cancelled by the user.");
        }

        if (outcome is not { Target: { } target, Result: { } result })
        {
            await progress.EndAsync("No sorry here.").ConfigureAwait(false);
            return new SearchProofResult(arguments.Uri, outcome.Snapshot.Version, null, "unavailable", null, [], 0, 0, 0, 0, 0, false, "No sorry at this position.");
        }

        var message = result.Script is not null
            ? SearchPresentation.FoundTitle(result)["LeanAssist: ".Length..]
            : string.Create(CultureInfo.InvariantCulture, $"No proof: {result.StopReason ?? "nothing found"} ({result.NodesExplored} proof states explored).")
              + (result.Problems.Count > 0 ? " " + string.Join(" ", result.Problems) : string.Empty);
        await progress.EndAsync(message).ConfigureAwait(false);
        return new SearchProofResult(arguments.Uri, outcome.Snapshot.Version, target.Range.ToLsp(), ProveSearches.Outcome(result.Outcome), result.Script,
            result.Steps.Select(s => new SearchStepView(s.Tactic, s.Verdict, s.Produced.Count, Math.Round(s.LeanMs, 1), s.Source)).ToArray(),
            result.NodesExplored, result.Depth, Math.Round(result.Elapsed.TotalSeconds, 3), result.LeanRuns, result.CostUsd, result.FromCache, message);
    }

    private static SuggestArguments? Read(JsonElement argument)
    {
        try
        {
            return argument.Deserialize(LeanAssistJsonContext.Default.SuggestArguments);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Search progress as the client's progress notification: nodes explored, best depth, spend.</summary>
    private sealed class Progress(WorkDoneProgress progress) : IProgress<SearchProgress>
    {
        public void Report(SearchProgress value) =>
            _ = progress.ReportAsync(string.Create(CultureInfo.InvariantCulture,
                $"{value.Message} · {value.NodesExplored} nodes, best depth {value.BestDepth}{(value.CostUsd > 0 ? $", ${value.CostUsd:0.0000}" : string.Empty)}"), null);
    }
}
