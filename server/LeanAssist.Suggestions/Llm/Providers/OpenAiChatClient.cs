using System.Net.Http.Headers;
using LeanAssist.Suggestions.Llm.Budget;

namespace LeanAssist.Suggestions.Llm.Providers;

/// <summary>
/// OpenAI chat completions (<c>POST {baseUrl}/chat/completions</c>, <c>Authorization: Bearer</c>), also spoken by
/// Ollama, vLLM, llama.cpp server and LM Studio. Usage: <c>prompt_tokens</c> already includes
/// <c>prompt_tokens_details.cached_tokens</c>; <c>completion_tokens</c> includes reasoning tokens.
/// </summary>
public sealed class OpenAiChatClient(HttpClient http) : LlmHttpClientBase(http)
{
    public override LlmProviderKind Provider => LlmProviderKind.OpenAI;

    protected override HttpRequestMessage CreateRequest(LlmCompletionRequest request)
    {
        // OpenAI itself wants max_completion_tokens (reasoning models refuse max_tokens); compatible servers
        // generally know only max_tokens.
        var isOpenAi = request.Endpoint.IsPublicEndpoint;
        var payload = new OpenAiChatRequest(
            request.Endpoint.Model,
            [new OpenAiMessage("system", request.Prompt.System), new OpenAiMessage("user", request.Prompt.User)],
            request.Temperature,
            MaxTokens: isOpenAi ? null : request.MaxOutputTokens,
            MaxCompletionTokens: isOpenAi ? request.MaxOutputTokens : null,
            N: 1);
        var message = new HttpRequestMessage(HttpMethod.Post, new Uri(request.Endpoint.BaseUrl, "chat/completions"))
        {
            Content = JsonContent(payload, LlmJsonContext.Default.OpenAiChatRequest),
        };
        if (request.ApiKey is not null)
        {
            message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", request.ApiKey);
        }

        return message;
    }

    protected override LlmCompletion ReadCompletion(string body)
    {
        var response = Deserialize(body, LlmJsonContext.Default.OpenAiChatResponse);
        var texts = (response.Choices ?? [])
            .Select(c => c.Message?.Content)
            .Where(t => !string.IsNullOrWhiteSpace(t))
            .Select(t => t!)
            .ToArray();
        if (texts.Length == 0)
        {
            throw Empty(response.Choices is null or { Count: 0 } ? "no choices" : "the choices have no content");
        }

        var usage = response.Usage is { } u
            ? new LlmTokenUsage(u.PromptTokens, u.CompletionTokens, CachedInputTokens: u.PromptTokensDetails?.CachedTokens ?? 0)
            : LlmTokenUsage.Zero;
        return new LlmCompletion(texts, usage, response.Model);
    }
}
