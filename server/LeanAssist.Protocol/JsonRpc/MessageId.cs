using System.Text.Json;
using System.Text.Json.Serialization;

namespace LeanAssist.Protocol.JsonRpc;

/// <summary>
/// A JSON-RPC id or LSP progress token: an integer or a string (LSP <c>integer | string</c>).
/// </summary>
[JsonConverter(typeof(MessageIdJsonConverter))]
public readonly record struct MessageId
{
    private MessageId(long? number, string? text)
    {
        Number = number;
        Text = text;
    }

    public long? Number { get; }

    public string? Text { get; }

    public static MessageId FromNumber(long number) => new(number, null);

    public static MessageId FromString(string text) => new(null, text ?? throw new ArgumentNullException(nameof(text)));

    public static implicit operator MessageId(long number) => FromNumber(number);

    public static implicit operator MessageId(string text) => FromString(text);

    public override string ToString() => Number?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? $"\"{Text}\"";

    internal void WriteTo(Utf8JsonWriter writer)
    {
        if (Number is { } number)
        {
            writer.WriteNumberValue(number);
        }
        else
        {
            writer.WriteStringValue(Text);
        }
    }

    /// <summary>Reads an id from a JSON element; false when it is neither an integer nor a string.</summary>
    public static bool TryRead(JsonElement element, out MessageId id)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Number when element.TryGetInt64(out var number):
                id = FromNumber(number);
                return true;
            case JsonValueKind.String:
                id = FromString(element.GetString()!);
                return true;
            default:
                id = default;
                return false;
        }
    }
}

public sealed class MessageIdJsonConverter : JsonConverter<MessageId>
{
    public override MessageId Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType switch
        {
            JsonTokenType.Number when reader.TryGetInt64(out var number) => MessageId.FromNumber(number),
            JsonTokenType.String => MessageId.FromString(reader.GetString()!),
            _ => throw new JsonException("Expected an integer or a string."),
        };

    public override void Write(Utf8JsonWriter writer, MessageId value, JsonSerializerOptions options) => value.WriteTo(writer);
}
