using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using LeanAssist.Protocol.JsonRpc;

namespace LeanAssist.Protocol.Lsp;

/// <summary>What the server may say to, or ask of, the client (server-to-client messages).</summary>
public sealed class LanguageClient(JsonRpcConnection connection, Func<ClientCapabilities> capabilities, Func<TraceLevel> trace)
{
    private static LspJsonContext Json => LspJsonContext.Default;

    public bool SupportsWorkDoneProgress => capabilities().Window?.WorkDoneProgress == true;

    public bool SupportsConfiguration => capabilities().Workspace?.Configuration == true;

    public bool SupportsDynamicConfigurationRegistration => capabilities().Workspace?.DidChangeConfiguration?.DynamicRegistration == true;

    public ValueTask LogMessageAsync(MessageType type, string message) =>
        connection.SendNotificationAsync(LspMethods.WindowLogMessage, new LogMessageParams(type, message), Json.LogMessageParams);

    public ValueTask ShowMessageAsync(MessageType type, string message) =>
        connection.SendNotificationAsync(LspMethods.WindowShowMessage, new ShowMessageParams(type, message), Json.ShowMessageParams);

    /// <summary>Sends <c>$/logTrace</c> if the client asked for tracing; <paramref name="verbose"/> only at "verbose".</summary>
    public ValueTask LogTraceAsync(string message, Func<string>? verbose = null)
    {
        var level = trace();
        if (level == TraceLevel.Off)
        {
            return ValueTask.CompletedTask;
        }

        var details = level == TraceLevel.Verbose ? verbose?.Invoke() : null;
        return connection.SendNotificationAsync(LspMethods.LogTrace, new LogTraceParams(message, details), Json.LogTraceParams);
    }

    /// <summary>Pulls settings with <c>workspace/configuration</c>; one element per item, null where the client has none.</summary>
    public Task<JsonElement[]> GetConfigurationAsync(ConfigurationItem[] items, CancellationToken cancellationToken) =>
        connection.SendRequestAsync(LspMethods.WorkspaceConfiguration, new ConfigurationParams(items), Json.ConfigurationParams, Json.JsonElementArray, cancellationToken);

    public Task RegisterCapabilityAsync(Registration[] registrations, CancellationToken cancellationToken) =>
        connection.SendRequestAsync(LspMethods.ClientRegisterCapability, new RegistrationParams(registrations), Json.RegistrationParams, Json.NullableJsonElement, cancellationToken);

    public Task CreateWorkDoneProgressAsync(MessageId token, CancellationToken cancellationToken) =>
        connection.SendRequestAsync(LspMethods.WorkDoneProgressCreate, new WorkDoneProgressCreateParams(token), Json.WorkDoneProgressCreateParams, Json.NullableJsonElement, cancellationToken);

    public ValueTask SendProgressAsync(MessageId token, WorkDoneProgressValue value) =>
        connection.SendNotificationAsync(LspMethods.Progress, new WorkDoneProgressParams(token, value), Json.WorkDoneProgressParams);

    /// <summary>Sends a custom notification (LeanAssist's own methods).</summary>
    public ValueTask SendNotificationAsync<TParams>(string method, TParams parameters, JsonTypeInfo<TParams> type) =>
        connection.SendNotificationAsync(method, parameters, type);
}

public enum TraceLevel
{
    Off,
    Messages,
    Verbose,
}
