using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using LeanAssist.Suggestions.Candidates;
using LeanAssist.Suggestions.Llm.Keys;

namespace LeanAssist.Suggestions.Llm.Providers;

/// <summary>
/// The HTTP half every provider shares: send one JSON request, map an error status to a
/// <see cref="LlmProviderException"/> with the provider's own message (redacted), read a 2xx body with the
/// source-generated serializer. Subclasses supply the wire format.
/// </summary>
public abstract class LlmHttpClientBase(HttpClient http) : ILlmChatClient
{
    /// <summary>How much of an error body is kept in a message (some proxies answer with whole HTML pages).</summary>
    private const int MaxErrorTextLength = 500;

    public abstract LlmProviderKind Provider { get; }

    public async Task<LlmCompletion> CompleteAsync(LlmCompletionRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        using var message = CreateRequest(request);
        var secrets = request.ApiKey is null ? Array.Empty<string>() : [request.ApiKey];
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            throw new LlmProviderException(ProposalFailureKind.Network,
                SecretRedactor.Redact($"Could not reach {Describe(request)}: {e.Message}", secrets), innerException: null);
        }

        using (response)
        {
            string body;
            try
            {
                body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (HttpRequestException e)
            {
                throw new LlmProviderException(ProposalFailureKind.Network,
                    SecretRedactor.Redact($"{Describe(request)} closed the connection mid-answer: {e.Message}", secrets), (int)response.StatusCode);
            }

            if (!response.IsSuccessStatusCode)
            {
                throw ErrorFor(request, response, body, secrets);
            }

            try
            {
                return ReadCompletion(body);
            }
            catch (JsonException e)
            {
                throw new LlmProviderException(ProposalFailureKind.MalformedResponse,
                    SecretRedactor.Redact($"{Describe(request)} answered with JSON that is not its documented format ({e.Message}): {Excerpt(body)}", secrets),
                    (int)response.StatusCode);
            }
        }
    }

    /// <summary>Builds the provider's HTTP request (URL, headers with the key, JSON body).</summary>
    protected abstract HttpRequestMessage CreateRequest(LlmCompletionRequest request);

    /// <summary>Reads a 2xx body.</summary>
    /// <exception cref="JsonException">The body is not the documented JSON.</exception>
    /// <exception cref="LlmProviderException">The body has no text (<see cref="ProposalFailureKind.EmptyResponse"/>).</exception>
    protected abstract LlmCompletion ReadCompletion(string body);

    protected static StringContent JsonContent<T>(T payload, JsonTypeInfo<T> typeInfo) =>
        new(JsonSerializer.Serialize(payload, typeInfo), Encoding.UTF8, "application/json");

    /// <summary>Deserialises a body, treating JSON "null" as malformed.</summary>
    protected static T Deserialize<T>(string body, JsonTypeInfo<T> typeInfo) where T : class =>
        JsonSerializer.Deserialize(body, typeInfo) ?? throw new JsonException("The body is JSON null.");

    protected LlmProviderException Empty(string why) =>
        new(ProposalFailureKind.EmptyResponse, $"{LlmProviderDefaults.SettingName(Provider)} answered without any text ({why}).");

    private static string Describe(LlmCompletionRequest request) => request.Endpoint.ToString();

    private static LlmProviderException ErrorFor(LlmCompletionRequest request, HttpResponseMessage response, string body, string[] secrets)
    {
        var status = (int)response.StatusCode;
        var kind = status switch
        {
            401 or 403 => ProposalFailureKind.Unauthorized,
            408 or 504 => ProposalFailureKind.Timeout,
            429 => ProposalFailureKind.RateLimited,
            409 or >= 500 => ProposalFailureKind.ProviderUnavailable,
            _ => ProposalFailureKind.BadRequest,
        };

        var providerMessage = ErrorMessage(body);
        var text = $"{Describe(request)} answered {status} {ReasonPhrase(response)}: {providerMessage}";
        return new LlmProviderException(kind, SecretRedactor.Redact(text, secrets), status, RetryAfter(response));
    }

    private static string ReasonPhrase(HttpResponseMessage response) =>
        (int)response.StatusCode == 529 ? "(overloaded)" : $"({response.ReasonPhrase ?? response.StatusCode.ToString()})";

    /// <summary>
    /// The provider's own explanation: <c>error.message</c> (OpenAI, Anthropic, Gemini all put it there),
    /// <c>error</c> as a string (Ollama and other compatible servers), else the start of the body.
    /// </summary>
    private static string ErrorMessage(string body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("error", out var error))
            {
                if (error.ValueKind == JsonValueKind.String)
                {
                    return Excerpt(error.GetString() ?? "");
                }

                if (error.ValueKind == JsonValueKind.Object && error.TryGetProperty("message", out var message) && message.ValueKind == JsonValueKind.String)
                {
                    var type = error.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString()
                        : error.TryGetProperty("status", out var s) && s.ValueKind == JsonValueKind.String ? s.GetString() : null;
                    return Excerpt(type is null ? message.GetString() ?? "" : $"{type}: {message.GetString()}");
                }
            }
        }
        catch (JsonException)
        {
            // Not JSON (a proxy's HTML page, a plain-text error): show its start.
        }

        return Excerpt(body);
    }

    /// <summary>Retry-After in seconds or as a date, or OpenAI's retry-after-ms.</summary>
    private static TimeSpan? RetryAfter(HttpResponseMessage response)
    {
        if (response.Headers.TryGetValues("retry-after-ms", out var milliseconds)
            && double.TryParse(milliseconds.FirstOrDefault(), NumberStyles.Float, CultureInfo.InvariantCulture, out var ms) && ms >= 0)
        {
            return TimeSpan.FromMilliseconds(ms);
        }

        RetryConditionHeaderValue? retryAfter = response.Headers.RetryAfter;
        if (retryAfter?.Delta is { } delta)
        {
            return delta;
        }

        if (retryAfter?.Date is { } date)
        {
            var wait = date - DateTimeOffset.UtcNow;
            return wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
        }

        return null;
    }

    private static string Excerpt(string text)
    {
        var flattened = text.ReplaceLineEndings(" ").Trim();
        return flattened.Length <= MaxErrorTextLength ? flattened : flattened[..MaxErrorTextLength] + "…";
    }
}
