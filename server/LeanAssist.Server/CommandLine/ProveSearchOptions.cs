using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Text;
using LeanAssist.Server.Prove;
using LeanAssist.Suggestions.Search;

namespace LeanAssist.Server.CommandLine;

/// <summary>
/// <c>prove --search [--max-nodes N] [--max-seconds S] [--max-depth D]</c>: after the single-tactic pass, a
/// proof search for each sorry that is not solved yet (the budgets default to the <c>leanAssist.search.*</c> settings).
/// </summary>
public static class ProveSearchOptions
{
    private static readonly Option<bool> Search = new("--search")
    {
        Description = "Search multi-step proofs for the sorries no single tactic solves (best-first over verified steps; uses the LLM too when one is configured).",
    };

    private static readonly Option<int?> MaxNodes = new("--max-nodes")
    {
        Description = "Proof states one search expands at most (setting leanAssist.search.maxNodes).",
        CustomParser = r => Bounded(r, 1, 5000),
    };

    private static readonly Option<double?> MaxSeconds = new("--max-seconds")
    {
        Description = "Wall time of one search, in seconds (setting leanAssist.search.maxSeconds).",
        CustomParser = Seconds,
    };

    private static readonly Option<int?> MaxDepth = new("--max-depth")
    {
        Description = "Steps in one proof at most (setting leanAssist.search.maxDepth).",
        CustomParser = r => Bounded(r, 1, 32),
    };

    public static void AddTo(Command command)
    {
        ArgumentNullException.ThrowIfNull(command);
        command.Options.Add(Search);
        command.Options.Add(MaxNodes);
        command.Options.Add(MaxSeconds);
        command.Options.Add(MaxDepth);
        command.Validators.Add(result =>
        {
            var limits = new Option[] { MaxNodes, MaxSeconds, MaxDepth };
            if (!result.GetValue(Search) && limits.FirstOrDefault(o => result.GetResult(o) is not null) is { } given)
            {
                result.AddError($"{given.Name} needs --search.");
            }
        });
    }

    /// <summary>A whole number in [min, max], with an error naming the option otherwise.</summary>
    private static int? Bounded(ArgumentResult result, int min, int max)
    {
        if (CommonOptions.WholeNumber<int>(result) is not { } value)
        {
            return null;
        }

        if (value >= min && value <= max)
        {
            return value;
        }

        result.AddError($"{OptionName(result)} must be between {min} and {max}.");
        return null;
    }

    private static double? Seconds(ArgumentResult result)
    {
        if (CommonOptions.PositiveNumber(result) is not { } value)
        {
            return null;
        }

        if (value <= 3600)
        {
            return value;
        }

        result.AddError($"{OptionName(result)} must be at most 3600.");
        return null;
    }

    private static string OptionName(ArgumentResult result) => result.Parent is OptionResult { Option: var option } ? option.Name : result.Argument.Name;

    /// <summary>The search budget the command line asks for, or null without <c>--search</c>.</summary>
    public static SearchBudget? Budget(ParseResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        return result.GetValue(Search)
            ? new SearchBudget(result.GetValue(MaxNodes), result.GetValue(MaxDepth), result.GetValue(MaxSeconds))
            : null;
    }

    public static void AppendText(StringBuilder text, ProvedSearch? search)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (search is null)
        {
            return;
        }

        var spend = search.CostUsd > 0 || search.InputTokens > 0
            ? string.Create(CultureInfo.InvariantCulture, $", {search.InputTokens} input / {search.OutputTokens} output tokens, ${search.CostUsd:0.0000}")
            : string.Empty;
        var cached = search.FromCache ? ", cached" : string.Empty;
        text.AppendLine(CultureInfo.InvariantCulture,
            $"      search: {search.Outcome} ({search.NodesExplored} nodes, depth {search.Depth}, {search.Seconds:0.00} s, {search.LeanRuns} Lean runs{spend}{cached})");
        if (search.Script is { } script)
        {
            foreach (var line in script.Split('\n'))
            {
                text.AppendLine("        " + line);
            }
        }
        else if (search.StopReason is { } reason)
        {
            text.AppendLine("      stopped: " + reason);
        }
    }
}
