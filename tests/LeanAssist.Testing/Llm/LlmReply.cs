namespace LeanAssist.Testing.Llm;

/// <summary>
/// Token counts for a scripted success, in each provider's OWN field meaning (the double writes them as given;
/// converting them is the job of the code under test):
/// <list type="bullet">
/// <item>OpenAI: <c>prompt_tokens</c> = <see cref="PromptTokens"/> (which includes cached ones),
/// <c>completion_tokens</c> = <see cref="CompletionTokens"/>, <c>prompt_tokens_details.cached_tokens</c> = <see cref="CachedTokens"/>.</item>
/// <item>Anthropic: <c>input_tokens</c> = <see cref="PromptTokens"/> (which excludes cached ones),
/// <c>output_tokens</c>, <c>cache_read_input_tokens</c> = <see cref="CachedTokens"/>, <c>cache_creation_input_tokens</c> = <see cref="CacheCreationTokens"/>.</item>
/// <item>Gemini: <c>promptTokenCount</c> = <see cref="PromptTokens"/> (which includes cached ones), <c>candidatesTokenCount</c>,
/// <c>cachedContentTokenCount</c> = <see cref="CachedTokens"/>, <c>thoughtsTokenCount</c> = <see cref="ThoughtsTokens"/>.</item>
/// </list>
/// </summary>
public sealed record ScriptedUsage(long PromptTokens, long CompletionTokens, long CachedTokens = 0, long CacheCreationTokens = 0, long ThoughtsTokens = 0);

/// <summary>What the kind of scripted reply is.</summary>
public enum LlmReplyKind
{
    Success,
    Error,
    Overloaded,
    Hang,
    MalformedJson,
    EmptyChoices,
    Raw,
    Disconnect,
}

/// <summary>
/// One scripted answer of <see cref="LocalLlmServer"/>, rendered in the wire format of the provider whose route was
/// called (OpenAI chat completions, Anthropic Messages, Gemini generateContent), with the providers' documented bodies.
/// </summary>
public sealed record LlmReply
{
    public required LlmReplyKind Kind { get; init; }

    public string Text { get; init; } = "";

    public ScriptedUsage Usage { get; init; } = new(120, 30);

    public int Status { get; init; } = 200;

    /// <summary>The Retry-After header value to send (seconds, or an HTTP date), if any.</summary>
    public string? RetryAfter { get; init; }

    public string? Body { get; init; }

    public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>();

    /// <summary>A 200 with <paramref name="text"/> as the model's answer and the usage in the provider's fields.</summary>
    public static LlmReply Success(string text, ScriptedUsage? usage = null) =>
        new() { Kind = LlmReplyKind.Success, Text = text, Usage = usage ?? new ScriptedUsage(120, 30) };

    /// <summary>The provider's documented error body for <paramref name="status"/> (401, 429, 500, 503, ...).</summary>
    public static LlmReply Error(int status, string? retryAfter = null) =>
        new() { Kind = LlmReplyKind.Error, Status = status, RetryAfter = retryAfter };

    /// <summary>Overloaded: Anthropic's 529 <c>overloaded_error</c>; OpenAI's and Gemini's 503.</summary>
    public static LlmReply Overloaded(string? retryAfter = null) =>
        new() { Kind = LlmReplyKind.Overloaded, RetryAfter = retryAfter };

    /// <summary>Accepts the request and never answers (until the client gives up or the server stops).</summary>
    public static LlmReply Hang() => new() { Kind = LlmReplyKind.Hang };

    /// <summary>A 200 whose JSON body is cut off mid-object.</summary>
    public static LlmReply MalformedJson() => new() { Kind = LlmReplyKind.MalformedJson };

    /// <summary>A 200 with no answer in it: <c>choices: []</c>, <c>content: []</c>, <c>candidates: []</c>.</summary>
    public static LlmReply EmptyChoices() => new() { Kind = LlmReplyKind.EmptyChoices };

    /// <summary>Exactly this status, body and headers, whatever the provider.</summary>
    public static LlmReply Raw(int status, string body, IReadOnlyDictionary<string, string>? headers = null) =>
        new() { Kind = LlmReplyKind.Raw, Status = status, Body = body, Headers = headers ?? new Dictionary<string, string>() };

    /// <summary>Closes the connection without any response.</summary>
    public static LlmReply Disconnect() => new() { Kind = LlmReplyKind.Disconnect };
}
