namespace LeanAssist.Suggestions.Llm;

/// <summary>Which LLM API LeanAssist calls.</summary>
public enum LlmProviderKind
{
    /// <summary>No LLM: the built-in portfolio alone, no network (the default).</summary>
    None,

    /// <summary>
    /// OpenAI chat completions, and every server that speaks the same API, chosen by <see cref="LlmOptions.BaseUrl"/>:
    /// OpenAI <c>https://api.openai.com/v1</c> (default), Ollama <c>http://localhost:11434/v1</c>,
    /// vLLM <c>http://localhost:8000/v1</c>, llama.cpp server <c>http://localhost:8080/v1</c>,
    /// LM Studio <c>http://localhost:1234/v1</c>. Local servers need no API key.
    /// </summary>
    OpenAI,

    /// <summary>Anthropic Messages API (<c>https://api.anthropic.com</c>, <c>POST /v1/messages</c>).</summary>
    Anthropic,

    /// <summary>Google Gemini <c>generateContent</c> (<c>https://generativelanguage.googleapis.com/v1beta</c>).</summary>
    Gemini,
}

/// <summary>
/// The editor's LLM settings (<c>leanAssist.*</c>, configuration section <c>LeanAssist</c>), read through
/// IOptionsMonitor so a change applies to the next request without a restart. Validated by <see cref="LlmOptionsValidation"/>.
/// </summary>
public sealed class LlmOptions
{
    /// <summary>The configuration section the editor's <c>leanAssist</c> settings arrive under.</summary>
    public const string Section = "LeanAssist";

    /// <summary><c>leanAssist.provider</c>: none | openai | anthropic | gemini.</summary>
    public LlmProviderKind Provider { get; set; } = LlmProviderKind.None;

    /// <summary><c>leanAssist.model</c>; empty means the provider's default (<see cref="LlmProviderDefaults"/>).</summary>
    public string? Model { get; set; }

    /// <summary><c>leanAssist.baseUrl</c>; empty means the provider's public endpoint.</summary>
    public string? BaseUrl { get; set; }

    /// <summary><c>leanAssist.temperature</c>: sampling temperature (0 to 2; Anthropic accepts at most 1).</summary>
    public double Temperature { get; set; } = 0.2;

    /// <summary><c>leanAssist.maxCandidates</c>: how many tactics to ask the model for (1 to 32).</summary>
    public int MaxCandidates { get; set; } = 8;

    /// <summary><c>leanAssist.maxOutputTokens</c>: the most tokens one answer may have (Anthropic requires a limit).</summary>
    public int MaxOutputTokens { get; set; } = 1024;

    /// <summary><c>leanAssist.timeoutMs</c>: the longest one LLM proposal may take, retries included.</summary>
    public int TimeoutMs { get; set; } = 30_000;

    /// <summary>
    /// <c>leanAssist.apiKeyEnvironmentVariable</c>: the name (not the value) of an environment variable holding the key;
    /// empty means the provider's usual one (OPENAI_API_KEY, ANTHROPIC_API_KEY, GEMINI_API_KEY).
    /// </summary>
    public string? ApiKeyEnvironmentVariable { get; set; }

    /// <summary><c>leanAssist.budget.*</c>.</summary>
    public LlmBudgetOptions Budget { get; set; } = new();

    /// <summary>
    /// <c>leanAssist.prices</c>: a list of per-model prices that extends and overrides <see cref="LlmPriceTable.Defaults"/>.
    /// A list (not an object keyed by model) because model names contain dots, which settings treat as nesting.
    /// </summary>
    public List<ModelPriceOptions> Prices { get; set; } = [];

    /// <summary><c>leanAssist.llmCache.*</c>.</summary>
    public LlmCacheOptions LlmCache { get; set; } = new();
}

/// <summary><c>leanAssist.budget.*</c>: optional caps; unset means no cap. When a cap is reached only the portfolio runs.</summary>
public sealed class LlmBudgetOptions
{
    /// <summary><c>leanAssist.budget.dailyUsd</c>: the most to spend per local calendar day, in US dollars.</summary>
    public decimal? DailyUsd { get; set; }

    /// <summary><c>leanAssist.budget.requestsPerMinute</c>: the most LLM requests in any 60 seconds.</summary>
    public int? RequestsPerMinute { get; set; }
}

/// <summary>One entry of <c>leanAssist.prices</c>: US dollars per million tokens.</summary>
public sealed class ModelPriceOptions
{
    /// <summary>The model name as sent to the provider; also matches longer names it prefixes (dated versions).</summary>
    public string Model { get; set; } = "";

    public decimal InputPerMillion { get; set; }

    public decimal OutputPerMillion { get; set; }

    /// <summary>Input read from the provider's prompt cache; unset means the input price.</summary>
    public decimal? CachedInputPerMillion { get; set; }

    /// <summary>Input written to the prompt cache (Anthropic); unset means the input price.</summary>
    public decimal? CacheWriteInputPerMillion { get; set; }
}

/// <summary><c>leanAssist.llmCache.*</c>: LeanAssist's own cache of LLM answers (memory, then disk).</summary>
public sealed class LlmCacheOptions : LeanAssist.Suggestions.Caching.ICacheSettings
{
    /// <summary><c>leanAssist.llmCache.enabled</c>.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary><c>leanAssist.llmCache.memoryEntries</c>: answers kept in memory (0 turns the memory layer off).</summary>
    public int MemoryEntries { get; set; } = 512;

    /// <summary><c>leanAssist.llmCache.diskEntries</c>: answers kept on disk, least recently used dropped first (0 turns it off).</summary>
    public int DiskEntries { get; set; } = 20_000;

    /// <summary><c>leanAssist.llmCache.directory</c>: where the disk layer lives; empty means <c>&lt;cache root&gt;/llm</c>.</summary>
    public string? Directory { get; set; }
}
