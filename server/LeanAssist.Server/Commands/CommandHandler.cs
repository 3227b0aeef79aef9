using System.Globalization;
using System.Text.Json;
using LeanAssist.Lean.Sessions;
using LeanAssist.Protocol.JsonRpc;
using LeanAssist.Protocol.Lsp;
using LeanAssist.Server.Documents;
using LeanAssist.Server.Editor;
using LeanAssist.Server.LanguageServer;
using LeanAssist.Server.Search;
using LeanAssist.Server.Telemetry;
using LeanAssist.Suggestions.Llm.Caching;
using LeanAssist.Suggestions.Verification;

namespace LeanAssist.Server.Commands;

/// <summary><c>workspace/executeCommand</c> for LeanAssist's commands; each hands its work to the service that owns it.</summary>
public sealed class CommandHandler(
    LanguageServerEndpoint endpoint,
    EditorSuggestions editor,
    ILeanSessionPool pool,
    SuggestionService suggestions,
    LlmResponseCache llmCache,
    MetricsService metrics,
    SearchProofCommand searchProof)
{
    private static LeanAssistJsonContext Json => LeanAssistJsonContext.Default;

    public async ValueTask<JsonElement?> ExecuteAsync(ExecuteCommandParams parameters, CancellationToken cancellationToken)
    {
        switch (parameters.Command)
        {
            case LeanAssistCommands.Suggest:
                return JsonSerializer.SerializeToElement(await SuggestAsync(parameters, cancellationToken).ConfigureAwait(false), Json.SuggestResult);
            case LeanAssistCommands.RestartLean:
                await pool.RestartAllAsync(cancellationToken).ConfigureAwait(false);
                editor.Reset();
                return null;
            case LeanAssistCommands.ClearCache:
                var result = new ClearCacheResult(suggestions.ClearVerdicts(), llmCache.Clear());
                editor.Reset();
                return JsonSerializer.SerializeToElement(result, Json.ClearCacheResult);
            case LeanAssistCommands.SearchProof:
                return JsonSerializer.SerializeToElement(await searchProof.ExecuteAsync(parameters, cancellationToken).ConfigureAwait(false), Json.SearchProofResult);
            case LeanAssistCommands.ShowMetrics:
                return JsonSerializer.SerializeToElement(metrics.Snapshot(), Json.MetricsSnapshot);
            default:
                throw new JsonRpcException(ErrorCodes.InvalidParams, $"Unknown command '{parameters.Command}'.");
        }
    }

    /// <summary>Suggests with progress; the user can cancel from the progress notification as well as with $/cancelRequest.</summary>
    private async Task<SuggestResult> SuggestAsync(ExecuteCommandParams parameters, CancellationToken cancellationToken)
    {
        if (parameters.Arguments is not [var argument, ..] || ReadArguments(argument) is not { } arguments)
        {
            throw new JsonRpcException(ErrorCodes.InvalidParams, $"{LeanAssistCommands.Suggest} takes one argument: {{ uri, position, version? }}.");
        }

        await using var progress = await WorkDoneProgress.BeginAsync(endpoint.Client, endpoint.Progress, parameters.WorkDoneToken,
            "LeanAssist: suggesting tactics", cancellable: true, cancellationToken).ConfigureAwait(false);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, progress.CancellationToken);
        EditorSuggestOutcome outcome;
        try
        {
            outcome = await editor.SuggestNowAsync(arguments.Uri, arguments.Position.ToUtf16(), arguments.Version, useLlm: true,
                new Progress(progress), linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (progress.CancellationToken.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            await progress.EndAsync("Cancelled.").ConfigureAwait(false);
            throw new JsonRpcException(ErrorCodes.RequestCancelled, "Cancelled by the user.");
        }

        var result = outcome.Result;
        if (result is null)
        {
            await progress.EndAsync("No sorry or unsolved goal here.").ConfigureAwait(false);
            return new SuggestResult(arguments.Uri, outcome.Snapshot.Version, null, null, [], "No sorry or unsolved goal at this position.");
        }

        var verified = result.Verified.Count();
        var message = string.Create(CultureInfo.InvariantCulture, $"{verified} of {result.Suggestions.Count} candidates verified in {result.Costs.Total.TotalSeconds:0.0} s");
        await progress.EndAsync(message).ConfigureAwait(false);
        return new SuggestResult(
            arguments.Uri,
            outcome.Snapshot.Version,
            outcome.Target!.Range.ToLsp(),
            outcome.Target.Goal,
            result.Suggestions.Select(s => new SuggestionView(s.Tactic, SuggestionService.Verdict(s.Verdict), s.RemainingGoals.ToArray(), Math.Round(s.LeanMilliseconds, 1),
                s.Source, s.FromCache, s.TrustsCompiler, s.Error)).ToArray(),
            result.Problems.Count == 0 ? message : message + ". " + string.Join(" ", result.Problems));
    }

    private static SuggestArguments? ReadArguments(JsonElement argument)
    {
        try
        {
            return argument.Deserialize(Json.SuggestArguments);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Forwards pipeline progress to the client's progress notification.</summary>
    private sealed class Progress(WorkDoneProgress progress) : IProgress<SuggestProgress>
    {
        public void Report(SuggestProgress value) =>
            _ = progress.ReportAsync(value.Message, value.Total > 0 ? 100 * value.Done / value.Total : null);
    }
}
