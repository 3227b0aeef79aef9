using Microsoft.Extensions.DependencyInjection;

namespace LeanAssist.Suggestions.Llm.Providers;

/// <summary>Gives the client for a provider, per call (typed HttpClients are short-lived; their handlers are pooled).</summary>
public interface ILlmChatClientFactory
{
    ILlmChatClient Create(LlmProviderKind provider);
}

/// <summary>Resolves the typed clients registered with <c>AddHttpClient</c>.</summary>
public sealed class ServiceProviderLlmChatClientFactory(IServiceProvider services) : ILlmChatClientFactory
{
    public ILlmChatClient Create(LlmProviderKind provider) => provider switch
    {
        LlmProviderKind.OpenAI => services.GetRequiredService<OpenAiChatClient>(),
        LlmProviderKind.Anthropic => services.GetRequiredService<AnthropicMessagesClient>(),
        LlmProviderKind.Gemini => services.GetRequiredService<GeminiGenerateContentClient>(),
        _ => throw new ArgumentOutOfRangeException(nameof(provider), provider, "No client without a provider."),
    };
}
