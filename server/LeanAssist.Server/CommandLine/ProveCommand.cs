using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using LeanAssist.Lean.Pool;
using LeanAssist.Lean.Sessions;
using LeanAssist.Server.Hosting;
using LeanAssist.Server.Prove;
using LeanAssist.Suggestions.Llm;
using LeanAssist.Suggestions.Remote;
using LeanAssist.Suggestions.Verification;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace LeanAssist.Server.CommandLine;

/// <summary>
/// <c>leanassist prove PATH... [--write] [--json] [--provider NAME] [--model M] [--base-url URL]
/// [--sessions N] [--backend local|kimina] [--kimina-url URL]... [--repl-command CMD] [--project DIR]</c>: suggests and verifies tactics for every
/// <c>sorry</c>. Exit code 0 when it ran (whatever it proved); 1 for a bad path; 2 for invalid
/// settings; 3 when Lean cannot be run; 4 when Lean could not check a whole file (it could not start,
/// or a command timed out: the report says which); 130 when interrupted.
/// </summary>
public static class ProveCommand
{
    private static readonly Argument<string[]> Paths = new("path")
    {
        Description = "Lean files, or directories to search for .lean files.",
        Arity = ArgumentArity.OneOrMore,
    };

    private static readonly Option<bool> Write = new("--write")
    {
        Description = "Replace each solved sorry with its verified tactic (nothing else in the file changes).",
    };

    private static readonly Option<string?> Provider = new("--provider")
    {
        Description = "LLM provider: none, openai (and any OpenAI-compatible server), anthropic, gemini (setting leanAssist.provider).",
    };

    private static readonly Option<string?> Model = new("--model") { Description = "LLM model (setting leanAssist.model)." };

    private static readonly Option<string?> BaseUrl = new("--base-url") { Description = "LLM endpoint base URL (setting leanAssist.baseUrl)." };

    private static readonly Option<int?> Sessions = new("--sessions")
    {
        Description = "Warm Lean sessions to verify with (setting leanAssist.repl.sessions).",
        CustomParser = CommonOptions.WholeNumber<int>,
    };

    private static readonly Option<string?> Backend = new("--backend")
    {
        Description = "Where Lean checks candidates: local (warm REPL sessions here) or kimina (remote Kimina Lean Servers; setting leanAssist.verification.backend).",
    };

    private static readonly Option<string[]> KiminaUrls = new("--kimina-url")
    {
        Description = "A Kimina Lean Server's base URL; repeat for several (setting leanAssist.kimina.urls). The key comes from KIMINA_API_KEY.",
        AllowMultipleArgumentsPerToken = false,
    };

    public static Command Create()
    {
        CommonOptions.RejectUnknownOptions(Paths);
        var command = new Command("prove", "Suggest and verify tactics for every sorry in Lean files.")
        {
            Paths, Write, CommonOptions.Json, Provider, Model, BaseUrl, Sessions, Backend, KiminaUrls, CommonOptions.ReplCommand, CommonOptions.Sandbox, CommonOptions.Project,
            CommonOptions.LogFile, CommonOptions.LogLevel,
        };
        ProveSearchOptions.AddTo(command);
        command.SetAction(RunAsync);
        return command;
    }

    private static async Task<int> RunAsync(ParseResult result, CancellationToken cancellationToken)
    {
        var output = result.InvocationConfiguration.Output;
        var error = result.InvocationConfiguration.Error;
        var settings = CommandVerbs.QuietSettings(result);
        Add(settings, "LeanAssist:provider", result.GetValue(Provider));
        Add(settings, "LeanAssist:model", result.GetValue(Model));
        Add(settings, "LeanAssist:baseUrl", result.GetValue(BaseUrl));
        Add(settings, $"{ReplOptions.Section}:sessions", result.GetValue(Sessions)?.ToString(CultureInfo.InvariantCulture));
        Add(settings, "LeanAssist:verification:backend", result.GetValue(Backend));
        var urls = result.GetValue(KiminaUrls) ?? [];
        for (var i = 0; i < urls.Length; i++)
        {
            Add(settings, $"LeanAssist:kimina:urls:{i.ToString(CultureInfo.InvariantCulture)}", urls[i]);
        }

        try
        {
            using var host = LeanAssistHost.Build("prove", settings, transport: null);
            var runner = host.Services.GetRequiredService<ProveRunner>();
            var suggestions = host.Services.GetRequiredService<SuggestionService>();
            var sessions = host.Services.GetRequiredService<IOptionsMonitor<ReplOptions>>().CurrentValue.EffectiveSessions;
            var remote = host.Services.GetRequiredService<IOptionsMonitor<RemoteVerificationOptions>>().CurrentValue;
            var request = (remote.Verification.Backend == VerificationBackend.Kimina
                ? RemoteProve.Request(result.GetValue(Paths)!, result.GetValue(CommonOptions.Project), result.GetValue(Write), suggestions.LlmConfigured, remote.Kimina)
                : new ProveRequest(result.GetValue(Paths)!, result.GetValue(CommonOptions.Project), result.GetValue(Write), suggestions.LlmConfigured, ProveRequest.ParallelismFor(sessions)))
                with
                {
                    Search = ProveSearchOptions.Budget(result),
                };
            var bar = Console.IsErrorRedirected ? null : new TerminalProgressBar(error);
            ProveReport report;
            try
            {
                report = await runner.RunAsync(request, bar, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                bar?.Clear();
                await host.Services.GetRequiredService<ILeanSessionPool>().DisposeAsync().ConfigureAwait(false);
            }

            await output.WriteAsync(result.GetValue(CommonOptions.Json)
                ? JsonSerializer.Serialize(report, ProveJsonContext.Readable.ProveReport) + Environment.NewLine
                : ToText(report, request.UseLlm)).ConfigureAwait(false);
            var incomplete = report.Files.Where(f => !f.Complete).ToArray();
            foreach (var file in incomplete)
            {
                await error.WriteLineAsync($"leanassist prove: Lean could not check all of {file.Path}: {string.Join(" ", file.Problems)}").ConfigureAwait(false);
            }

            return incomplete.Length == 0 ? 0 : 4;
        }
        catch (FileNotFoundException e)
        {
            await error.WriteLineAsync($"leanassist prove: {e.Message}").ConfigureAwait(false);
            return 1;
        }
        catch (OptionsValidationException e)
        {
            await error.WriteLineAsync($"leanassist prove: invalid settings: {string.Join(" ", e.Failures)}").ConfigureAwait(false);
            return 2;
        }
        catch (LeanUnavailableException e)
        {
            await error.WriteLineAsync($"leanassist prove: Lean cannot be run: {e.Message}").ConfigureAwait(false);
            await error.WriteLineAsync("Run `leanassist doctor` to see what is missing, and `leanassist setup` to build the REPL.").ConfigureAwait(false);
            return 3;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await error.WriteLineAsync("leanassist prove: interrupted.").ConfigureAwait(false);
            return 130;
        }
    }

    public static string ToText(ProveReport report, bool usedLlm)
    {
        var text = new StringBuilder();
        foreach (var file in report.Files)
        {
            text.AppendLine(file.Path + (file.Written ? "  (written)" : string.Empty));
            if (file.CheckedBy is { } checkedBy)
            {
                text.AppendLine($"  checked by: {checkedBy}");
            }

            foreach (var problem in file.Problems)
            {
                text.AppendLine($"  problem: {problem}");
            }

            foreach (var target in file.Targets)
            {
                var winner = target.Candidates.FirstOrDefault(c => c.Tactic == target.Tactic);
                var detail = target.Tactic is null
                    ? $"{target.Candidates.Count} candidates, none verified"
                    : $"`{OneLine(target.Tactic)}` ({winner?.LeanMs ?? 0:0} ms{(winner?.FromCache == true ? ", cached" : string.Empty)}{(winner?.UsesNativeDecide == true ? ", trusts the compiler" : string.Empty)})";
                text.AppendLine(CultureInfo.InvariantCulture, $"  {target.Line}:{target.Column}  {target.Status,-8}  {detail}");
                ProveSearchOptions.AppendText(text, target.Search);
                foreach (var problem in target.Problems)
                {
                    text.AppendLine($"      note: {problem}");
                }
            }
        }

        var s = report.Summary;
        text.AppendLine()
            .AppendLine(CultureInfo.InvariantCulture, $"{Count(s.Targets, "sorry", "sorries")} in {Count(s.Files, "file", "files")}: {s.Solved} solved, {s.ProgressOnly} progress only, {s.Unsolved} unsolved.")
            .AppendLine(CultureInfo.InvariantCulture, $"Checked by: {(s.CheckedBy.Count == 0 ? "no Lean (nothing was loaded)" : string.Join("; ", s.CheckedBy))}.")
            .AppendLine(CultureInfo.InvariantCulture, $"Time {s.Seconds:0.00} s; Lean {s.LeanSeconds:0.00} s over {s.LeanRuns} candidate runs and {s.Confirmations} declaration checks; verdict cache hits {s.VerdictCacheHits}.")
            .AppendLine(usedLlm
                ? string.Create(CultureInfo.InvariantCulture, $"LLM {s.LlmSeconds:0.00} s, {s.LlmCalls} calls, {s.InputTokens} input / {s.OutputTokens} output tokens, ${s.CostUsd:0.0000}; LLM cache hits {s.LlmCacheHits}.")
                : "LLM: not used (built-in portfolio only; set --provider to use one).");
        if (s.Searched > 0)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"Search: {s.FoundBySearch} of {s.Searched} searched sorries proved.");
        }

        if (s.FilesWritten > 0)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"Wrote {Count(s.FilesWritten, "file", "files")}.");
        }

        return text.ToString();
    }

    private static string Count(int count, string one, string many) => string.Create(CultureInfo.InvariantCulture, $"{count} {(count == 1 ? one : many)}");

    private static string OneLine(string tactic) => tactic.Contains('\n') ? tactic.Split('\n')[0] + " …" : tactic;

    private static void Add(List<KeyValuePair<string, string?>> settings, string key, string? value)
    {
        if (value is not null)
        {
            settings.Add(new(key, value));
        }
    }

    /// <summary>A one-line progress bar on a terminal's stderr, redrawn in place.</summary>
    private sealed class TerminalProgressBar(TextWriter error) : IProgress<ProveProgress>
    {
        private readonly Lock _gate = new();

        public void Report(ProveProgress value)
        {
            const int width = 28;
            var fraction = value.TargetsFound == 0 ? 0 : (double)value.TargetsDone / value.TargetsFound;
            var filled = (int)Math.Round(fraction * width);
            var file = value.CurrentFile.Length == 0 ? string.Empty : Path.GetFileName(value.CurrentFile);
            var line = $"\r[{new string('#', filled)}{new string('-', width - filled)}] {value.TargetsDone}/{value.TargetsFound} sorries, file {Math.Min(value.FilesDone + 1, value.FilesTotal)}/{value.FilesTotal} {file}";
            lock (_gate)
            {
                error.Write(line.PadRight(100)[..Math.Min(100, Math.Max(line.Length, 100))]);
                error.Flush();
            }
        }

        public void Clear()
        {
            lock (_gate)
            {
                error.Write("\r" + new string(' ', 100) + "\r");
                error.Flush();
            }
        }
    }
}
