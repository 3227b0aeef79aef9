using System.Text.RegularExpressions;
using LeanAssist.Suggestions.Llm.Keys;
using Microsoft.Extensions.Options;

namespace LeanAssist.Suggestions.Llm;

/// <summary>
/// Checks <see cref="LlmOptions"/> at start and on every settings change; refused settings keep the previous ones.
/// Messages never repeat <c>apiKeyEnvironmentVariable</c>'s value when it looks like a key pasted by mistake.
/// </summary>
public sealed partial class LlmOptionsValidation : IValidateOptions<LlmOptions>
{
    public const int MinTimeoutMs = 100;
    public const int MaxTimeoutMs = 600_000;
    public const int MaxCandidatesLimit = 32;

    public ValidateOptionsResult Validate(string? name, LlmOptions options)
    {
        var failures = new List<string>();
        if (!Enum.IsDefined(options.Provider))
        {
            failures.Add($"leanAssist.provider must be none, openai, anthropic or gemini (got {options.Provider}).");
        }

        if (!string.IsNullOrWhiteSpace(options.BaseUrl)
            && (!Uri.TryCreate(options.BaseUrl.Trim(), UriKind.Absolute, out var baseUrl) || baseUrl.Scheme is not ("http" or "https")))
        {
            failures.Add($"leanAssist.baseUrl must be an absolute http or https URL (got \"{options.BaseUrl}\").");
        }

        if (options.Model is { } model && model.Length > 200)
        {
            failures.Add("leanAssist.model is longer than 200 characters.");
        }

        var maxTemperature = options.Provider == LlmProviderKind.Anthropic ? 1.0 : 2.0;
        if (double.IsNaN(options.Temperature) || options.Temperature < 0 || options.Temperature > maxTemperature)
        {
            failures.Add($"leanAssist.temperature must be between 0 and {maxTemperature:0.0} for this provider (got {options.Temperature}).");
        }

        if (options.MaxCandidates is < 1 or > MaxCandidatesLimit)
        {
            failures.Add($"leanAssist.maxCandidates must be between 1 and {MaxCandidatesLimit} (got {options.MaxCandidates}).");
        }

        if (options.MaxOutputTokens is < 16 or > 65_536)
        {
            failures.Add($"leanAssist.maxOutputTokens must be between 16 and 65536 (got {options.MaxOutputTokens}).");
        }

        if (options.TimeoutMs is < MinTimeoutMs or > MaxTimeoutMs)
        {
            failures.Add($"leanAssist.timeoutMs must be between {MinTimeoutMs} and {MaxTimeoutMs} (got {options.TimeoutMs}).");
        }

        if (!string.IsNullOrWhiteSpace(options.ApiKeyEnvironmentVariable) && (!VariableName().IsMatch(options.ApiKeyEnvironmentVariable.Trim()) || SecretRedactor.LooksLikeKey(options.ApiKeyEnvironmentVariable.Trim())))
        {
            // The value may be a key pasted into the wrong setting: say what is wrong without repeating it.
            failures.Add("leanAssist.apiKeyEnvironmentVariable must be the NAME of an environment variable (letters, digits, '_'), not the key itself.");
        }

        if (options.Budget.DailyUsd is <= 0)
        {
            failures.Add($"leanAssist.budget.dailyUsd must be positive when set (got {options.Budget.DailyUsd}).");
        }

        if (options.Budget.RequestsPerMinute is <= 0)
        {
            failures.Add($"leanAssist.budget.requestsPerMinute must be positive when set (got {options.Budget.RequestsPerMinute}).");
        }

        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var price in options.Prices)
        {
            if (string.IsNullOrWhiteSpace(price.Model))
            {
                failures.Add("Every leanAssist.prices entry needs a model.");
                continue;
            }

            if (!seen.Add(price.Model.Trim()))
            {
                failures.Add($"leanAssist.prices lists {price.Model} twice.");
            }

            if (price.InputPerMillion < 0 || price.OutputPerMillion < 0 || price.CachedInputPerMillion < 0 || price.CacheWriteInputPerMillion < 0)
            {
                failures.Add($"leanAssist.prices for {price.Model} must not be negative.");
            }
        }

        if (options.LlmCache.MemoryEntries is < 0 or > 1_000_000 || options.LlmCache.DiskEntries is < 0 or > 10_000_000)
        {
            failures.Add("leanAssist.llmCache.memoryEntries must be 0 to 1000000 and leanAssist.llmCache.diskEntries 0 to 10000000.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]{0,127}$", RegexOptions.CultureInvariant)]
    private static partial Regex VariableName();
}
