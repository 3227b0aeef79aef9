namespace LeanAssist.Protocol.JsonRpc;

/// <summary>JSON-RPC 2.0 and LSP error codes (LSP 3.17, "ErrorCodes" and "LSPErrorCodes").</summary>
public static class ErrorCodes
{
    public const int ParseError = -32700;
    public const int InvalidRequest = -32600;
    public const int MethodNotFound = -32601;
    public const int InvalidParams = -32602;
    public const int InternalError = -32603;

    /// <summary>A request arrived before the server received <c>initialize</c>.</summary>
    public const int ServerNotInitialized = -32002;
    public const int UnknownErrorCode = -32001;

    /// <summary>The server detected that the request failed; the content is still valid.</summary>
    public const int RequestFailed = -32803;

    /// <summary>The server cancelled the request (not the client).</summary>
    public const int ServerCancelled = -32802;

    /// <summary>The document changed after the request was computed; the result would be stale.</summary>
    public const int ContentModified = -32801;

    /// <summary>The client cancelled the request with <c>$/cancelRequest</c>.</summary>
    public const int RequestCancelled = -32800;
}

/// <summary>Thrown by a handler to answer with a specific JSON-RPC error instead of InternalError.</summary>
public sealed class JsonRpcException(int code, string message) : Exception(message)
{
    public int Code { get; } = code;
}
