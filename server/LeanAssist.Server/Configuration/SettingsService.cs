using System.Text.Json;
using LeanAssist.Protocol.Lsp;
using Microsoft.Extensions.Logging;

namespace LeanAssist.Server.Configuration;

/// <summary>
/// Owns the client's settings: pulls them with <c>workspace/configuration</c>, validates them,
/// and applies them to the configuration every option is bound to. Invalid settings are refused
/// as a whole (the previous ones stay) and the user is told which and why.
/// </summary>
public sealed class SettingsService(
    ClientSettingsProvider provider,
    IEnumerable<ISettingsValidation> validations,
    LanguageServerEndpoint endpoint,
    ILogger<SettingsService> logger)
{
    private readonly Lock _gate = new();
    private CancellationTokenSource? _refresh;

    /// <summary>Raised after new settings were applied.</summary>
    public event Action? Applied;

    /// <summary>How many times settings were applied (tests wait on it).</summary>
    public int AppliedCount { get; private set; }

    /// <summary>
    /// Starts a pull of the settings in the background, replacing one already under way (the newest
    /// request wins). Safe to call from serial handlers: it never waits on the client.
    /// </summary>
    public void RequestRefresh()
    {
        if (!endpoint.Client.SupportsConfiguration)
        {
            return;
        }

        CancellationTokenSource next;
        lock (_gate)
        {
            _refresh?.Cancel();
            _refresh?.Dispose();
            _refresh = next = CancellationTokenSource.CreateLinkedTokenSource(endpoint.Closing);
        }

        _ = Task.Run(() => RefreshAsync(next.Token));
    }

    public async Task RefreshAsync(CancellationToken cancellationToken)
    {
        try
        {
            var answers = await endpoint.Client.GetConfigurationAsync([new ConfigurationItem(Section: "leanAssist")], cancellationToken).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
            var section = answers.Length > 0 ? answers[0] : default;
            await ApplyAsync(section).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "Could not read settings from the client; keeping the current ones.");
        }
    }

    /// <summary>Validates and applies the client's <c>leanAssist</c> section. Returns the problems (empty when applied).</summary>
    public async ValueTask<IReadOnlyList<string>> ApplyAsync(JsonElement section)
    {
        var next = section.ValueKind == JsonValueKind.Object ? ClientSettingsProvider.Flatten(section) : [];
        IReadOnlyList<string> problems;
        lock (_gate)
        {
            var previous = provider.Current;
            provider.Replace(next, notify: false);
            problems = validations.SelectMany(v => v.Validate()).ToArray();
            if (problems.Count > 0)
            {
                provider.Replace(previous, notify: false);
            }
            else
            {
                provider.Replace(next, notify: true);
                AppliedCount++;
            }
        }

        if (problems.Count > 0)
        {
            logger.LogWarning("Refused new settings: {Problems}", string.Join("; ", problems));
            await endpoint.Client.ShowMessageAsync(MessageType.Warning,
                $"LeanAssist: settings not applied, the previous ones stay in effect. {string.Join(" ", problems)}").ConfigureAwait(false);
            return problems;
        }

        logger.LogInformation("Applied {Count} settings from the client.", next.Count);
        Applied?.Invoke();
        return problems;
    }
}
