using System.Text.Json;

namespace LeanAssist.Protocol.JsonRpc;

/// <summary>A JSON-RPC message read from the other side, classified.</summary>
public abstract record IncomingMessage
{
    /// <summary>Classifies a frame body. Never throws: problems come back as <see cref="InvalidMessage"/>.</summary>
    /// <remarks>The returned message may hold elements of <paramref name="document"/>: dispose it after use.</remarks>
    public static IncomingMessage Parse(ReadOnlyMemory<byte> body, out JsonDocument? document)
    {
        document = null;
        if (!System.Text.Unicode.Utf8.IsValid(body.Span))
        {
            return new InvalidMessage(null, ErrorCodes.ParseError, "Parse error: the body is not valid UTF-8.");
        }

        try
        {
            document = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 256 });
        }
        catch (JsonException e)
        {
            return new InvalidMessage(null, ErrorCodes.ParseError, $"Parse error: the body is not valid JSON ({e.Message})");
        }

        var root = document.RootElement;
        if (root.ValueKind == JsonValueKind.Array)
        {
            return new InvalidMessage(null, ErrorCodes.InvalidRequest, "Invalid request: batch messages are not supported by LSP.");
        }

        if (root.ValueKind != JsonValueKind.Object)
        {
            return new InvalidMessage(null, ErrorCodes.InvalidRequest, $"Invalid request: expected a JSON object, got {root.ValueKind}.");
        }

        MessageId? id = null;
        var hasId = root.TryGetProperty("id", out var idElement);
        if (hasId && idElement.ValueKind != JsonValueKind.Null)
        {
            if (!MessageId.TryRead(idElement, out var parsed))
            {
                return new InvalidMessage(null, ErrorCodes.InvalidRequest, "Invalid request: \"id\" must be an integer or a string.");
            }

            id = parsed;
        }

        if (!root.TryGetProperty("jsonrpc", out var version) || version.ValueKind != JsonValueKind.String || version.GetString() != "2.0")
        {
            return new InvalidMessage(id, ErrorCodes.InvalidRequest, "Invalid request: \"jsonrpc\" must be \"2.0\".");
        }

        if (root.TryGetProperty("method", out var methodElement))
        {
            if (methodElement.ValueKind != JsonValueKind.String || string.IsNullOrEmpty(methodElement.GetString()))
            {
                return new InvalidMessage(id, ErrorCodes.InvalidRequest, "Invalid request: \"method\" must be a non-empty string.");
            }

            var method = methodElement.GetString()!;
            JsonElement? parameters = null;
            if (root.TryGetProperty("params", out var paramsElement) && paramsElement.ValueKind != JsonValueKind.Null)
            {
                if (paramsElement.ValueKind is not (JsonValueKind.Object or JsonValueKind.Array))
                {
                    return new InvalidMessage(id, ErrorCodes.InvalidRequest, $"Invalid request: \"params\" of '{method}' must be an object or an array.");
                }

                parameters = paramsElement;
            }

            if (!hasId)
            {
                return new NotificationMessage(method, parameters);
            }

            return id is { } requestId
                ? new RequestMessage(requestId, method, parameters)
                : new InvalidMessage(null, ErrorCodes.InvalidRequest, $"Invalid request: '{method}' has a null id.");
        }

        var hasResult = root.TryGetProperty("result", out var result);
        var hasError = root.TryGetProperty("error", out var error);
        if (hasId && (hasResult ^ hasError))
        {
            if (hasError)
            {
                var code = error.TryGetProperty("code", out var c) && c.TryGetInt32(out var n) ? n : ErrorCodes.UnknownErrorCode;
                var message = error.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString()! : "(no message)";
                return new ResponseMessage(id, null, new ResponseError(code, message));
            }

            return new ResponseMessage(id, result, null);
        }

        return new InvalidMessage(id, ErrorCodes.InvalidRequest, "Invalid request: neither a request, a notification nor a response.");
    }
}

public sealed record RequestMessage(MessageId Id, string Method, JsonElement? Params) : IncomingMessage;

public sealed record NotificationMessage(string Method, JsonElement? Params) : IncomingMessage;

public sealed record ResponseMessage(MessageId? Id, JsonElement? Result, ResponseError? Error) : IncomingMessage;

/// <summary>Something that is not a valid message; answered with <see cref="Code"/> (and <see cref="Id"/> if known).</summary>
public sealed record InvalidMessage(MessageId? Id, int Code, string Message) : IncomingMessage;

public sealed record ResponseError(int Code, string Message);

/// <summary>The other side answered one of our requests with an error.</summary>
public sealed class RemoteRequestException(string method, ResponseError error)
    : Exception($"'{method}' failed on the other side: {error.Message} ({error.Code})")
{
    public ResponseError Error { get; } = error;
}
