using LeanAssist.Protocol.Lsp;

namespace LeanAssist.Server.Configuration;

/// <summary><c>workspace/didChangeConfiguration</c>: apply pushed settings, or pull them.</summary>
public sealed class ConfigurationHandler(SettingsService settings)
{
    public async ValueTask DidChangeConfiguration(DidChangeConfigurationParams parameters, CancellationToken cancellationToken)
    {
        if (parameters.Settings is { } pushed && pushed.ValueKind == System.Text.Json.JsonValueKind.Object
            && pushed.TryGetProperty("leanAssist", out var section))
        {
            await settings.ApplyAsync(section).ConfigureAwait(false);
            return;
        }

        // Pull model: the notification only says "something changed".
        settings.RequestRefresh();
    }
}
