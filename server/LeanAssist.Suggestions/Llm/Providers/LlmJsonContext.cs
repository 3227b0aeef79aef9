using System.Text.Json.Serialization;

namespace LeanAssist.Suggestions.Llm.Providers;

// ---- OpenAI chat completions (https://platform.openai.com/docs/api-reference/chat) ----

public sealed record OpenAiChatRequest(
    [property: JsonPropertyName("model")] string Model,
    [property: JsonPropertyName("messages")] IReadOnlyList<OpenAiMessage> Messages,
    [property: JsonPropertyName("temperature")] double Temperature,
    [property: JsonPropertyName("max_tokens")] int? MaxTokens,
    [property: JsonPropertyName("max_completion_tokens")] int? MaxCompletionTokens,
    [property: JsonPropertyName("n")] int N);

public sealed record OpenAiMessage(
    [property: JsonPropertyName("role")] string Role,
    [property: JsonPropertyName("content")] string? Content);

public sealed record OpenAiChatResponse(
    [property: JsonPropertyName("model")] string? Model,
    [property: JsonPropertyName("choices")] IReadOnlyList<OpenAiChoice>? Choices,
    [property: JsonPropertyName("usage")] OpenAiUsage? Usage);

public sealed record OpenAiChoice(
    [property: JsonPropertyName("index")] int Index,
    [property: JsonPropertyName("message")] OpenAiMessage? Message,
    [property: JsonPropertyName("finish_reason")] string? FinishReason);

/// <summary>prompt_tokens INCLUDES prompt_tokens_details.cached_tokens; completion_tokens includes reasoning tokens.</summary>
public sealed record OpenAiUsage(
    [property: JsonPropertyName("prompt_tokens")] long PromptTokens,
    [property: JsonPropertyName("completion_tokens")] long CompletionTokens,
    [property: JsonPropertyName("prompt_tokens_details")] OpenAiPromptTokensDetails? PromptTokensDetails);

public sealed record OpenAiPromptTokensDetails(
    [property: JsonPropertyName("cached_tokens")] long CachedTokens);

// ---- Anthropic Messages (https://docs.anthropic.com/en/api/messages) ----

public sealed record AnthropicMessagesRequest(
    [property: JsonPropertyName("model")] string Model,
    [property: JsonPropertyName("max_tokens")] int MaxTokens,
    [property: JsonPropertyName("system")] string System,
    [property: JsonPropertyName("messages")] IReadOnlyList<AnthropicMessage> Messages,
    [property: JsonPropertyName("temperature")] double Temperature);

public sealed record AnthropicMessage(
    [property: JsonPropertyName("role")] string Role,
    [property: JsonPropertyName("content")] string Content);

public sealed record AnthropicMessagesResponse(
    [property: JsonPropertyName("type")] string? Type,
    [property: JsonPropertyName("model")] string? Model,
    [property: JsonPropertyName("content")] IReadOnlyList<AnthropicContentBlock>? Content,
    [property: JsonPropertyName("stop_reason")] string? StopReason,
    [property: JsonPropertyName("usage")] AnthropicUsage? Usage);

public sealed record AnthropicContentBlock(
    [property: JsonPropertyName("type")] string? Type,
    [property: JsonPropertyName("text")] string? Text);

/// <summary>input_tokens EXCLUDES cache_read_input_tokens and cache_creation_input_tokens.</summary>
public sealed record AnthropicUsage(
    [property: JsonPropertyName("input_tokens")] long InputTokens,
    [property: JsonPropertyName("output_tokens")] long OutputTokens,
    [property: JsonPropertyName("cache_creation_input_tokens")] long? CacheCreationInputTokens,
    [property: JsonPropertyName("cache_read_input_tokens")] long? CacheReadInputTokens);

// ---- Gemini generateContent (https://ai.google.dev/api/generate-content) ----

public sealed record GeminiGenerateContentRequest(
    [property: JsonPropertyName("systemInstruction")] GeminiContent SystemInstruction,
    [property: JsonPropertyName("contents")] IReadOnlyList<GeminiContent> Contents,
    [property: JsonPropertyName("generationConfig")] GeminiGenerationConfig GenerationConfig);

public sealed record GeminiContent(
    [property: JsonPropertyName("role")] string? Role,
    [property: JsonPropertyName("parts")] IReadOnlyList<GeminiPart>? Parts);

public sealed record GeminiPart(
    [property: JsonPropertyName("text")] string? Text,
    [property: JsonPropertyName("thought")] bool? Thought = null);

public sealed record GeminiGenerationConfig(
    [property: JsonPropertyName("temperature")] double Temperature,
    [property: JsonPropertyName("maxOutputTokens")] int MaxOutputTokens,
    [property: JsonPropertyName("candidateCount")] int CandidateCount);

public sealed record GeminiGenerateContentResponse(
    [property: JsonPropertyName("candidates")] IReadOnlyList<GeminiCandidate>? Candidates,
    [property: JsonPropertyName("promptFeedback")] GeminiPromptFeedback? PromptFeedback,
    [property: JsonPropertyName("usageMetadata")] GeminiUsageMetadata? UsageMetadata,
    [property: JsonPropertyName("modelVersion")] string? ModelVersion);

public sealed record GeminiCandidate(
    [property: JsonPropertyName("content")] GeminiContent? Content,
    [property: JsonPropertyName("finishReason")] string? FinishReason);

public sealed record GeminiPromptFeedback(
    [property: JsonPropertyName("blockReason")] string? BlockReason);

/// <summary>promptTokenCount INCLUDES cachedContentTokenCount; thoughtsTokenCount is NOT in candidatesTokenCount but is billed as output.</summary>
public sealed record GeminiUsageMetadata(
    [property: JsonPropertyName("promptTokenCount")] long PromptTokenCount,
    [property: JsonPropertyName("candidatesTokenCount")] long CandidatesTokenCount,
    [property: JsonPropertyName("cachedContentTokenCount")] long? CachedContentTokenCount,
    [property: JsonPropertyName("thoughtsTokenCount")] long? ThoughtsTokenCount);

/// <summary>Source-generated (reflection-free) serialisation of the providers' payloads.</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(OpenAiChatRequest))]
[JsonSerializable(typeof(OpenAiChatResponse))]
[JsonSerializable(typeof(AnthropicMessagesRequest))]
[JsonSerializable(typeof(AnthropicMessagesResponse))]
[JsonSerializable(typeof(GeminiGenerateContentRequest))]
[JsonSerializable(typeof(GeminiGenerateContentResponse))]
public sealed partial class LlmJsonContext : JsonSerializerContext;
