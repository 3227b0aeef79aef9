using LeanAssist.Suggestions.Candidates;
using LeanAssist.Suggestions.Llm.Budget;

namespace LeanAssist.Suggestions.Llm.Providers;

/// <summary>The text sent to a model: instructions (system) and the task (user).</summary>
public sealed record LlmPrompt(string System, string User);

/// <summary>One call to a provider, with the settings in effect when it was made.</summary>
/// <param name="ApiKey">Null for OpenAI-compatible servers that need none. Goes into one header, nowhere else.</param>
public sealed record LlmCompletionRequest(LlmEndpoint Endpoint, string? ApiKey, LlmPrompt Prompt, double Temperature, int MaxOutputTokens);

/// <summary>What a provider answered: the text of each choice/candidate and the usage it reported.</summary>
/// <param name="ResponseModel">The model the provider says answered (may be a dated version of the one asked for).</param>
public sealed record LlmCompletion(IReadOnlyList<string> Texts, LlmTokenUsage Usage, string? ResponseModel);

/// <summary>
/// One provider's wire format over HTTP: builds its request, reads its response and usage fields, and turns its
/// errors into <see cref="LlmProviderException"/>. Retries, timeouts and the circuit breaker are not here but
/// around it (<see cref="Resilience.LlmResiliencePipelines"/>), so each call is exactly one HTTP request.
/// </summary>
public interface ILlmChatClient
{
    LlmProviderKind Provider { get; }

    /// <exception cref="LlmProviderException">The provider answered with an error, or unreadable JSON, or no text.</exception>
    /// <exception cref="OperationCanceledException">When <paramref name="cancellationToken"/> was cancelled.</exception>
    Task<LlmCompletion> CompleteAsync(LlmCompletionRequest request, CancellationToken cancellationToken);
}

/// <summary>
/// A provider call that failed. The message is already redacted (no API key can be in it) and is safe to log and show.
/// </summary>
public sealed class LlmProviderException : Exception
{
    public LlmProviderException(ProposalFailureKind kind, string message, int? httpStatus = null, TimeSpan? retryAfter = null, Exception? innerException = null)
        : base(message, innerException)
    {
        Kind = kind;
        HttpStatus = httpStatus;
        RetryAfter = retryAfter;
    }

    public LlmProviderException()
        : this(ProposalFailureKind.Internal, "The LLM provider failed.")
    {
    }

    public LlmProviderException(string message)
        : this(ProposalFailureKind.Internal, message)
    {
    }

    public LlmProviderException(string message, Exception innerException)
        : this(ProposalFailureKind.Internal, message, innerException: innerException)
    {
    }

    public ProposalFailureKind Kind { get; }

    public int? HttpStatus { get; }

    /// <summary>What the provider asked to wait before trying again (Retry-After), when it said.</summary>
    public TimeSpan? RetryAfter { get; }

    /// <summary>
    /// Whether trying again may succeed: 408, 409, 429, 5xx (including Anthropic's 529 "overloaded") and network
    /// failures. A 401, a 400 or an unreadable answer will not get better by retrying.
    /// </summary>
    public bool IsTransient => Kind is ProposalFailureKind.RateLimited or ProposalFailureKind.ProviderUnavailable or ProposalFailureKind.Network
        || HttpStatus is 408 or 409;

    public ProposalFailure ToFailure() => new(Kind, Message, HttpStatus, RetryAfter);
}
