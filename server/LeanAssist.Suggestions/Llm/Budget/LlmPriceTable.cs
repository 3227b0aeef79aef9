namespace LeanAssist.Suggestions.Llm.Budget;

/// <summary>US dollars per million tokens for one model.</summary>
public sealed record ModelPrice(string Model, decimal InputPerMillion, decimal OutputPerMillion, decimal CachedInputPerMillion, decimal CacheWriteInputPerMillion)
{
    public static ModelPrice From(ModelPriceOptions options) => new(
        options.Model.Trim(),
        options.InputPerMillion,
        options.OutputPerMillion,
        options.CachedInputPerMillion ?? options.InputPerMillion,
        options.CacheWriteInputPerMillion ?? options.InputPerMillion);
}

/// <summary>Token counts in LeanAssist's single meaning (see <see cref="Candidates.ProposalUsage"/>).</summary>
/// <param name="InputTokens">All input tokens, including cached and cache-written ones.</param>
/// <param name="CachedInputTokens">Part of <paramref name="InputTokens"/> read from the provider's prompt cache.</param>
/// <param name="CacheWriteInputTokens">Part of <paramref name="InputTokens"/> written to the prompt cache.</param>
/// <param name="OutputTokens">Generated tokens, reasoning included.</param>
public sealed record LlmTokenUsage(long InputTokens, long OutputTokens, long CachedInputTokens = 0, long CacheWriteInputTokens = 0)
{
    public static LlmTokenUsage Zero { get; } = new(0, 0);

    /// <summary>Input tokens billed at the plain input price.</summary>
    public long UncachedInputTokens => Math.Max(0, InputTokens - CachedInputTokens - CacheWriteInputTokens);
}

/// <summary>
/// Prices per model: the defaults below, overridden and extended by <c>leanAssist.prices</c>. A model matches an
/// entry with its exact name, else the longest entry its name starts with (so "gpt-4o-mini-2024-07-18" is priced
/// as "gpt-4o-mini", not as "gpt-4o").
/// </summary>
public sealed class LlmPriceTable
{
    /// <summary>
    /// DEFAULT PRICES, CONFIGURABLE: list prices in USD per million tokens (input, output, cached input, cache write)
    /// as published by the providers in 2025. Providers change them; set <c>leanAssist.prices</c> to what you pay.
    /// Local models (Ollama and the like) have no entry and cost 0.
    /// </summary>
    public static IReadOnlyList<ModelPrice> Defaults { get; } =
    [
        new("gpt-4o", 2.50m, 10.00m, 1.25m, 2.50m),
        new("gpt-4o-mini", 0.15m, 0.60m, 0.075m, 0.15m),
        new("gpt-4.1", 2.00m, 8.00m, 0.50m, 2.00m),
        new("gpt-4.1-mini", 0.40m, 1.60m, 0.10m, 0.40m),
        new("gpt-4.1-nano", 0.10m, 0.40m, 0.025m, 0.10m),
        new("o4-mini", 1.10m, 4.40m, 0.275m, 1.10m),
        new("gpt-5", 1.25m, 10.00m, 0.125m, 1.25m),
        new("gpt-5-mini", 0.25m, 2.00m, 0.025m, 0.25m),
        new("claude-opus-4", 15.00m, 75.00m, 1.50m, 18.75m),
        new("claude-sonnet-4", 3.00m, 15.00m, 0.30m, 3.75m),
        new("claude-3-7-sonnet", 3.00m, 15.00m, 0.30m, 3.75m),
        new("claude-3-5-haiku", 0.80m, 4.00m, 0.08m, 1.00m),
        new("claude-haiku-4-5", 1.00m, 5.00m, 0.10m, 1.25m),
        new("gemini-2.5-pro", 1.25m, 10.00m, 0.31m, 1.25m),
        new("gemini-2.5-flash", 0.30m, 2.50m, 0.075m, 0.30m),
        new("gemini-2.5-flash-lite", 0.10m, 0.40m, 0.025m, 0.10m),
        new("gemini-2.0-flash", 0.10m, 0.40m, 0.025m, 0.10m),
    ];

    private readonly ModelPrice[] _prices;

    public LlmPriceTable(IEnumerable<ModelPriceOptions> configured)
    {
        var byModel = Defaults.ToDictionary(p => p.Model, StringComparer.OrdinalIgnoreCase);
        foreach (var entry in configured)
        {
            byModel[entry.Model.Trim()] = ModelPrice.From(entry);
        }

        // Longest names first, so the first prefix match is the longest.
        _prices = byModel.Values.OrderByDescending(p => p.Model.Length).ToArray();
    }

    public ModelPrice? Find(string model) =>
        _prices.FirstOrDefault(p => string.Equals(p.Model, model, StringComparison.OrdinalIgnoreCase))
        ?? _prices.FirstOrDefault(p => model.StartsWith(p.Model, StringComparison.OrdinalIgnoreCase));

    /// <summary>The cost of <paramref name="usage"/> on <paramref name="model"/>; <c>Known</c> is false (and the cost 0) without a price.</summary>
    public (decimal CostUsd, bool Known) Cost(string model, LlmTokenUsage usage)
    {
        if (Find(model) is not { } price)
        {
            return (0m, false);
        }

        var cost = (usage.UncachedInputTokens * price.InputPerMillion
            + usage.CachedInputTokens * price.CachedInputPerMillion
            + usage.CacheWriteInputTokens * price.CacheWriteInputPerMillion
            + usage.OutputTokens * price.OutputPerMillion) / 1_000_000m;
        return (cost, true);
    }
}
