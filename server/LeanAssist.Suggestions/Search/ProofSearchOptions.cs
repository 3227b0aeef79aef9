using Microsoft.Extensions.Options;

namespace LeanAssist.Suggestions.Search;

/// <summary>Settings of proof search (section <c>LeanAssist:search</c>: the editor's <c>leanAssist.search.*</c>). Bounds in <see cref="ProofSearchOptionsValidation"/>.</summary>
public sealed class ProofSearchOptions
{
    public const string Section = "LeanAssist:search";

    /// <summary><c>leanAssist.search.maxNodes</c>: proof states expanded before the search gives up (1–5000).</summary>
    public int MaxNodes { get; set; } = 200;

    /// <summary><c>leanAssist.search.maxDepth</c>: steps in one proof at most (1–32).</summary>
    public int MaxDepth { get; set; } = 8;

    /// <summary><c>leanAssist.search.maxSeconds</c>: wall time of one search (1–3600).</summary>
    public double MaxSeconds { get; set; } = 60;

    /// <summary><c>leanAssist.search.maxCostUsd</c>: LLM spend of one search; once reached, only the portfolio proposes (0–100).</summary>
    public decimal MaxCostUsd { get; set; } = 0.10m;

    /// <summary><c>leanAssist.search.stepsPerNode</c>: candidate steps verified at each proof state (1–64).</summary>
    public int StepsPerNode { get; set; } = 16;

    /// <summary><c>leanAssist.search.parallelNodes</c>: proof states expanded at once (their steps spread over the warm sessions) (1–8).</summary>
    public int ParallelNodes { get; set; } = 2;

    /// <summary><c>leanAssist.search.wholeProofRounds</c>: with an LLM, whole-proof attempts (the first and its repairs from Lean's errors) before the step search (0–5).</summary>
    public int WholeProofRounds { get; set; } = 2;
}

public sealed class ProofSearchOptionsValidation : IValidateOptions<ProofSearchOptions>
{
    public ValidateOptionsResult Validate(string? name, ProofSearchOptions options)
    {
        var failures = new List<string>();
        Check(failures, "maxNodes", options.MaxNodes, 1, 5000);
        Check(failures, "maxDepth", options.MaxDepth, 1, 32);
        Check(failures, "stepsPerNode", options.StepsPerNode, 1, 64);
        Check(failures, "parallelNodes", options.ParallelNodes, 1, 8);
        Check(failures, "wholeProofRounds", options.WholeProofRounds, 0, 5);
        if (options.MaxSeconds is < 1 or > 3600 || double.IsNaN(options.MaxSeconds))
        {
            failures.Add($"leanAssist.search.maxSeconds must be between 1 and 3600 (got {options.MaxSeconds}).");
        }

        if (options.MaxCostUsd is < 0 or > 100)
        {
            failures.Add($"leanAssist.search.maxCostUsd must be between 0 and 100 (got {options.MaxCostUsd}).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void Check(List<string> failures, string name, int value, int min, int max)
    {
        if (value < min || value > max)
        {
            failures.Add($"leanAssist.search.{name} must be between {min} and {max} (got {value}).");
        }
    }
}
