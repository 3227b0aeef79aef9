using LeanAssist.Suggestions.Llm.Budget;

namespace LeanAssist.Suggestions.Llm.Providers;

/// <summary>
/// Gemini <c>POST {baseUrl}/models/{model}:generateContent</c> with header <c>x-goog-api-key</c>. Usage:
/// <c>promptTokenCount</c> INCLUDES <c>cachedContentTokenCount</c>; <c>thoughtsTokenCount</c> is not part of
/// <c>candidatesTokenCount</c> but is billed as output, so both are added.
/// </summary>
public sealed class GeminiGenerateContentClient(HttpClient http) : LlmHttpClientBase(http)
{
    public override LlmProviderKind Provider => LlmProviderKind.Gemini;

    protected override HttpRequestMessage CreateRequest(LlmCompletionRequest request)
    {
        var model = request.Endpoint.Model.StartsWith("models/", StringComparison.Ordinal) ? request.Endpoint.Model["models/".Length..] : request.Endpoint.Model;
        var payload = new GeminiGenerateContentRequest(
            new GeminiContent(null, [new GeminiPart(request.Prompt.System)]),
            [new GeminiContent("user", [new GeminiPart(request.Prompt.User)])],
            new GeminiGenerationConfig(request.Temperature, request.MaxOutputTokens, CandidateCount: 1));
        var message = new HttpRequestMessage(HttpMethod.Post, new Uri(request.Endpoint.BaseUrl, $"models/{Uri.EscapeDataString(model)}:generateContent"))
        {
            Content = JsonContent(payload, LlmJsonContext.Default.GeminiGenerateContentRequest),
        };
        if (request.ApiKey is not null)
        {
            message.Headers.Add("x-goog-api-key", request.ApiKey);
        }

        return message;
    }

    protected override LlmCompletion ReadCompletion(string body)
    {
        var response = Deserialize(body, LlmJsonContext.Default.GeminiGenerateContentResponse);
        var texts = (response.Candidates ?? [])
            .Select(c => string.Concat((c.Content?.Parts ?? []).Where(p => p.Thought != true).Select(p => p.Text)))
            .Where(t => !string.IsNullOrWhiteSpace(t))
            .ToArray();
        if (texts.Length == 0)
        {
            var why = response.PromptFeedback?.BlockReason is { } blocked ? $"the prompt was blocked: {blocked}"
                : response.Candidates is null or { Count: 0 } ? "no candidates"
                : $"finishReason {response.Candidates[0].FinishReason ?? "none"}";
            throw Empty(why);
        }

        var usage = response.UsageMetadata is { } u
            ? new LlmTokenUsage(u.PromptTokenCount, u.CandidatesTokenCount + (u.ThoughtsTokenCount ?? 0), CachedInputTokens: u.CachedContentTokenCount ?? 0)
            : LlmTokenUsage.Zero;
        return new LlmCompletion(texts, usage, response.ModelVersion);
    }
}
