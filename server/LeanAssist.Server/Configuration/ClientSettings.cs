using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Configuration;

namespace LeanAssist.Server.Configuration;

/// <summary>
/// The configuration provider behind every <c>leanAssist.*</c> setting the client sends: its data is
/// replaced when new settings arrive, and options bound to it (IOptionsMonitor) follow.
/// </summary>
public sealed class ClientSettingsProvider : ConfigurationProvider, IConfigurationSource
{
    public const string RootSection = "LeanAssist";

    public IConfigurationProvider Build(IConfigurationBuilder builder) => this;

    public IReadOnlyDictionary<string, string?> Current => new Dictionary<string, string?>(Data, StringComparer.OrdinalIgnoreCase);

    /// <summary>Replaces the data; <paramref name="notify"/> tells bound options to reload.</summary>
    public void Replace(IReadOnlyDictionary<string, string?> data, bool notify)
    {
        Data = new Dictionary<string, string?>(data, StringComparer.OrdinalIgnoreCase);
        if (notify)
        {
            OnReload();
        }
    }

    /// <summary>
    /// Flattens the client's <c>leanAssist</c> object into configuration keys
    /// (<c>{"repl": {"command": "x"}}</c> becomes <c>LeanAssist:repl:command = x</c>).
    /// Null and empty (or blank) strings are left out: VS Code sends every setting, defaults included,
    /// and an empty string is how every LeanAssist string setting says "not set" (the server treats
    /// blank ones the same way). Keeping them would let an
    /// editor default (<c>repl.command: ""</c>) override the command line and the environment, which
    /// this provider outranks (see LeanAssistHost).
    /// </summary>
    public static Dictionary<string, string?> Flatten(JsonElement section)
    {
        var data = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        Visit(section, RootSection, data);
        return data;
    }

    private static void Visit(JsonElement element, string path, Dictionary<string, string?> data)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    // VS Code may send dotted keys ("repl.command") as well as nested objects.
                    Visit(property.Value, $"{path}:{property.Name.Replace('.', ':')}", data);
                }

                break;
            case JsonValueKind.Array:
                var index = 0;
                foreach (var item in element.EnumerateArray())
                {
                    Visit(item, $"{path}:{index.ToString(CultureInfo.InvariantCulture)}", data);
                    index++;
                }

                break;
            case JsonValueKind.String:
                if (element.GetString() is { } text && !string.IsNullOrWhiteSpace(text))
                {
                    data[path] = text;
                }

                break;
            case JsonValueKind.Number:
                data[path] = element.GetRawText();
                break;
            case JsonValueKind.True:
            case JsonValueKind.False:
                data[path] = element.ValueKind == JsonValueKind.True ? "true" : "false";
                break;
            default:
                // null and undefined: the setting is unset, so a lower source (command line, environment) or the option's default applies.
                break;
        }
    }
}
