using System.Text.Json;

namespace LeanAssist.Testing.Llm;

/// <summary>A request <see cref="LocalLlmServer"/> received, as it came over the wire.</summary>
public sealed class RecordedLlmRequest
{
    private readonly TaskCompletionSource _aborted = new(TaskCreationOptions.RunContinuationsAsynchronously);

    internal RecordedLlmRequest(string provider, string method, string pathAndQuery, IReadOnlyDictionary<string, string> headers, string body, DateTimeOffset receivedAt)
    {
        Provider = provider;
        Method = method;
        PathAndQuery = pathAndQuery;
        Headers = headers;
        Body = body;
        ReceivedAt = receivedAt;
    }

    /// <summary>"openai", "anthropic", "gemini", or "unknown" for a path no provider serves.</summary>
    public string Provider { get; }

    public string Method { get; }

    public string PathAndQuery { get; }

    /// <summary>Request headers, names case-insensitive; several values joined with ", ".</summary>
    public IReadOnlyDictionary<string, string> Headers { get; }

    public string Body { get; }

    public DateTimeOffset ReceivedAt { get; }

    /// <summary>Completes when the client aborted the request before the server answered (cancellation reached the socket).</summary>
    public Task Aborted => _aborted.Task;

    public JsonDocument BodyJson() => JsonDocument.Parse(Body);

    /// <summary>Every string in the JSON body, decoded and joined: what the model was told, whatever the provider's layout.</summary>
    public string Text()
    {
        using var document = BodyJson();
        var strings = new List<string>();
        Collect(document.RootElement, strings);
        return string.Join("\n", strings);
    }

    private static void Collect(JsonElement element, List<string> strings)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.String:
                strings.Add(element.GetString()!);
                break;
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    Collect(property.Value, strings);
                }

                break;
            case JsonValueKind.Array:
                foreach (var item in element.EnumerateArray())
                {
                    Collect(item, strings);
                }

                break;
        }
    }

    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;

    internal void MarkAborted() => _aborted.TrySetResult();
}
