using LeanAssist.Suggestions.Llm.Budget;

namespace LeanAssist.Suggestions.Llm.Providers;

/// <summary>
/// Anthropic Messages (<c>POST {baseUrl}/v1/messages</c>, headers <c>x-api-key</c> and <c>anthropic-version</c>).
/// Usage: <c>input_tokens</c> EXCLUDES <c>cache_read_input_tokens</c> and <c>cache_creation_input_tokens</c>, so all
/// three are added to get every input token. Overload is HTTP 529 <c>overloaded_error</c>.
/// </summary>
public sealed class AnthropicMessagesClient(HttpClient http) : LlmHttpClientBase(http)
{
    public const string ApiVersion = "2023-06-01";

    public override LlmProviderKind Provider => LlmProviderKind.Anthropic;

    protected override HttpRequestMessage CreateRequest(LlmCompletionRequest request)
    {
        var payload = new AnthropicMessagesRequest(
            request.Endpoint.Model,
            request.MaxOutputTokens,
            request.Prompt.System,
            [new AnthropicMessage("user", request.Prompt.User)],
            request.Temperature);
        var message = new HttpRequestMessage(HttpMethod.Post, new Uri(request.Endpoint.BaseUrl, "v1/messages"))
        {
            Content = JsonContent(payload, LlmJsonContext.Default.AnthropicMessagesRequest),
        };
        message.Headers.Add("anthropic-version", ApiVersion);
        if (request.ApiKey is not null)
        {
            message.Headers.Add("x-api-key", request.ApiKey);
        }

        return message;
    }

    protected override LlmCompletion ReadCompletion(string body)
    {
        var response = Deserialize(body, LlmJsonContext.Default.AnthropicMessagesResponse);
        // Only "text" blocks are the answer ("thinking" blocks are the model's scratch work).
        var text = string.Concat((response.Content ?? []).Where(b => b.Type == "text").Select(b => b.Text));
        if (string.IsNullOrWhiteSpace(text))
        {
            throw Empty(response.Content is null or { Count: 0 } ? "no content blocks" : $"no text block; stop_reason {response.StopReason ?? "none"}");
        }

        var usage = response.Usage is { } u
            ? new LlmTokenUsage(
                InputTokens: u.InputTokens + (u.CacheReadInputTokens ?? 0) + (u.CacheCreationInputTokens ?? 0),
                OutputTokens: u.OutputTokens,
                CachedInputTokens: u.CacheReadInputTokens ?? 0,
                CacheWriteInputTokens: u.CacheCreationInputTokens ?? 0)
            : LlmTokenUsage.Zero;
        return new LlmCompletion([text], usage, response.Model);
    }
}
