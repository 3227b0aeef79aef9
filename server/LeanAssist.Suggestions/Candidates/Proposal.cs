namespace LeanAssist.Suggestions.Candidates;

/// <summary>What one proposer answered for one request: ranked candidates, what it cost, and a failure if it had one.</summary>
/// <param name="ProposerName">The <see cref="ITacticProposer.Name"/> that answered.</param>
/// <param name="Candidates">Best first; normalised and de-duplicated. Empty when the proposer failed or had nothing.</param>
/// <param name="Usage">Tokens, cost and time spent; <see cref="ProposalUsage.None"/> for the built-in portfolio.</param>
/// <param name="Failure">Set when the proposer could not do its job (the candidates may then be empty); null on success.</param>
public sealed record Proposal(
    string ProposerName,
    IReadOnlyList<TacticCandidate> Candidates,
    ProposalUsage Usage,
    ProposalFailure? Failure = null)
{
    public static Proposal Failed(string proposerName, ProposalFailure failure, ProposalUsage? usage = null) =>
        new(proposerName, [], usage ?? ProposalUsage.None, failure);
}

/// <summary>One candidate tactic (or short tactic script).</summary>
/// <param name="Tactic">Normalised tactic text: no <c>by</c>, no code fence, multi-line scripts keep their relative indentation.</param>
/// <param name="Proposer">Who proposed it: a proposer's name, or <c>try-this</c> when a search tactic's "Try this" named it.</param>
/// <param name="Rank">0 for the proposer's best candidate, then 1, 2, ...</param>
public sealed record TacticCandidate(string Tactic, string Proposer, int Rank);

/// <summary>
/// What a proposal cost. Token counts use one meaning for every provider (each provider's own fields are
/// converted when read): <see cref="InputTokens"/> counts every input token, including those read from or
/// written to the provider's prompt cache, which are also counted in <see cref="CachedInputTokens"/> and
/// <see cref="CacheWriteInputTokens"/>; <see cref="OutputTokens"/> includes reasoning ("thinking") tokens.
/// </summary>
public sealed record ProposalUsage
{
    public static ProposalUsage None { get; } = new();

    /// <summary>"openai", "anthropic" or "gemini"; null for the built-in portfolio.</summary>
    public string? Provider { get; init; }

    public string? Model { get; init; }

    public long InputTokens { get; init; }

    public long OutputTokens { get; init; }

    /// <summary>Input tokens read from the provider's prompt cache (billed at the cached-input price).</summary>
    public long CachedInputTokens { get; init; }

    /// <summary>Input tokens written to the provider's prompt cache (Anthropic; billed at the cache-write price).</summary>
    public long CacheWriteInputTokens { get; init; }

    /// <summary>Cost in US dollars from the configured price table; 0 when served from the LLM cache.</summary>
    public decimal CostUsd { get; init; }

    /// <summary>False when the model has no entry in the price table (the cost is then counted as 0).</summary>
    public bool PriceKnown { get; init; } = true;

    /// <summary>Wall time from asking to having parsed candidates, retries included.</summary>
    public TimeSpan Latency { get; init; }

    /// <summary>True when the answer came from LeanAssist's LLM response cache (no request was sent, nothing was spent).</summary>
    public bool FromCache { get; init; }

    /// <summary>HTTP attempts made (retries included); 0 when served from the cache or not sent.</summary>
    public int Attempts { get; init; }
}

/// <summary>Why a proposer failed; decides what the status shows and whether retrying later can help.</summary>
public enum ProposalFailureKind
{
    /// <summary>The provider needs an API key and none was found.</summary>
    MissingApiKey,

    /// <summary>The provider refused the key (401/403).</summary>
    Unauthorized,

    /// <summary>The provider kept answering 429 (after retries).</summary>
    RateLimited,

    /// <summary>The provider is overloaded or failing (5xx, Anthropic 529), after retries.</summary>
    ProviderUnavailable,

    /// <summary>The request took longer than <c>leanAssist.timeoutMs</c>.</summary>
    Timeout,

    /// <summary>The endpoint failed repeatedly, so LeanAssist stopped calling it for a while.</summary>
    CircuitOpen,

    /// <summary>The daily spend cap or the requests-per-minute cap is reached.</summary>
    BudgetExhausted,

    /// <summary>The provider rejected the request (400, 404: wrong model or base URL, ...).</summary>
    BadRequest,

    /// <summary>The answer was not the provider's documented JSON.</summary>
    MalformedResponse,

    /// <summary>The answer held no text (no choices/candidates/content).</summary>
    EmptyResponse,

    /// <summary>The endpoint could not be reached (connection refused, DNS, TLS).</summary>
    Network,

    /// <summary>Anything else (a bug): logged with its stack.</summary>
    Internal,
}

/// <summary>A proposer's failure. <see cref="Message"/> is safe to show and log: API keys are redacted from it.</summary>
/// <param name="RetryAfter">What the provider asked to wait (Retry-After), when it said.</param>
public sealed record ProposalFailure(ProposalFailureKind Kind, string Message, int? HttpStatus = null, TimeSpan? RetryAfter = null);
