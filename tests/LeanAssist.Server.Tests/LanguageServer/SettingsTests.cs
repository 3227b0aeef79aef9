using System.Text.Json.Nodes;
using LeanAssist.Server.Configuration;
using LeanAssist.Server.Hosting;
using LeanAssist.Testing.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace LeanAssist.Server.Tests.LanguageServer;

/// <summary>An options type registered the way every layer registers its settings.</summary>
public sealed class SampleSettings
{
    public int Sessions { get; set; } = 2;

    public string Provider { get; set; } = "none";
}

public sealed class SampleSettingsValidation : IValidateOptions<SampleSettings>
{
    public ValidateOptionsResult Validate(string? name, SampleSettings options) =>
        options.Sessions is >= 1 and <= 64
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail($"leanAssist.sample.sessions must be between 1 and 64 (got {options.Sessions}).");
}

public sealed class SettingsTests
{
    private static JsonObject Capabilities(bool dynamicRegistration = false) => new()
    {
        ["workspace"] = new JsonObject
        {
            ["configuration"] = true,
            ["didChangeConfiguration"] = new JsonObject { ["dynamicRegistration"] = dynamicRegistration },
        },
    };

    private static InProcessServer StartWithSample() =>
        InProcessServer.Start(configureServices: services => services.AddOptions<SampleSettings>().BindConfiguration("LeanAssist:sample").ValidatedAsSettings<SampleSettings, SampleSettingsValidation>(services));

    private static async Task WaitForAppliedAsync(InProcessServer server, int count)
    {
        var settings = server.GetService<SettingsService>();
        var applied = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        settings.Applied += () =>
        {
            if (settings.AppliedCount >= count)
            {
                applied.TrySetResult();
            }
        };
        if (settings.AppliedCount >= count)
        {
            return;
        }

        await applied.Task.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Settings_are_pulled_after_initialized_and_reach_bound_options()
    {
        await using var server = StartWithSample();
        server.Client.ServerRequestHandler = request => request["method"]!.GetValue<string>() == "workspace/configuration"
            ? new JsonArray(new JsonObject { ["sample"] = new JsonObject { ["sessions"] = 6, ["provider"] = "openai" } })
            : null;

        await server.Client.InitializeAsync(Capabilities());
        var request = await server.Client.WaitForAsync(m => m["method"]?.GetValue<string>() == "workspace/configuration");
        await WaitForAppliedAsync(server, 1);

        Assert.Equal("leanAssist", request["params"]!["items"]![0]!["section"]!.GetValue<string>());
        var options = server.GetService<IOptionsMonitor<SampleSettings>>().CurrentValue;
        Assert.Equal(6, options.Sessions);
        Assert.Equal("openai", options.Provider);
    }

    [Fact]
    public async Task A_change_notification_pulls_again_and_dotted_keys_work()
    {
        await using var server = StartWithSample();
        var sessions = 3;
        server.Client.ServerRequestHandler = request => request["method"]!.GetValue<string>() == "workspace/configuration"
            ? new JsonArray(new JsonObject { ["sample.sessions"] = sessions })
            : null;
        await server.Client.InitializeAsync(Capabilities(dynamicRegistration: true));
        await WaitForAppliedAsync(server, 1);
        var registration = await server.Client.WaitForAsync(m => m["method"]?.GetValue<string>() == "client/registerCapability");

        sessions = 9;
        await server.Client.NotifyAsync("workspace/didChangeConfiguration", new JsonObject { ["settings"] = null });
        await WaitForAppliedAsync(server, 2);

        Assert.Equal("workspace/didChangeConfiguration", registration["params"]!["registrations"]![0]!["method"]!.GetValue<string>());
        Assert.Equal(9, server.GetService<IOptionsMonitor<SampleSettings>>().CurrentValue.Sessions);
    }

    [Fact]
    public async Task Pushed_settings_are_applied_directly()
    {
        await using var server = StartWithSample();
        await server.Client.InitializeAsync();

        await server.Client.NotifyAsync("workspace/didChangeConfiguration", new JsonObject
        {
            ["settings"] = new JsonObject { ["leanAssist"] = new JsonObject { ["sample"] = new JsonObject { ["sessions"] = 4 } } },
        });
        await WaitForAppliedAsync(server, 1);

        Assert.Equal(4, server.GetService<IOptionsMonitor<SampleSettings>>().CurrentValue.Sessions);
    }

    [Fact]
    public async Task Invalid_settings_are_refused_whole_with_a_message_and_the_previous_ones_stay()
    {
        await using var server = StartWithSample();
        await server.Client.InitializeAsync(initializationOptions: null);
        await server.Client.NotifyAsync("workspace/didChangeConfiguration", new JsonObject
        {
            ["settings"] = new JsonObject { ["leanAssist"] = new JsonObject { ["sample"] = new JsonObject { ["sessions"] = 5, ["provider"] = "anthropic" } } },
        });
        await WaitForAppliedAsync(server, 1);

        await server.Client.NotifyAsync("workspace/didChangeConfiguration", new JsonObject
        {
            ["settings"] = new JsonObject { ["leanAssist"] = new JsonObject { ["sample"] = new JsonObject { ["sessions"] = 500, ["provider"] = "gemini" } } },
        });
        var warning = await server.Client.WaitForNotificationAsync("window/showMessage");
        await server.Client.NotifyAsync("workspace/didChangeConfiguration", new JsonObject
        {
            ["settings"] = new JsonObject { ["leanAssist"] = new JsonObject { ["sample"] = new JsonObject { ["sessions"] = "many" } } },
        });
        var wrongKind = await server.Client.WaitForAsync(m => m["method"]?.GetValue<string>() == "window/showMessage" && m != warning);

        Assert.Contains("between 1 and 64 (got 500)", warning["params"]!["message"]!.GetValue<string>());
        // The binder's own message names a configuration key and a .NET type; the user reads the setting.
        Assert.Contains("leanAssist.sample.sessions must be a whole number (got \"many\").", wrongKind["params"]!["message"]!.GetValue<string>());
        var options = server.GetService<IOptionsMonitor<SampleSettings>>().CurrentValue;
        Assert.Equal(5, options.Sessions);
        Assert.Equal("anthropic", options.Provider);
    }

    [Fact]
    public async Task Settings_in_initialization_options_are_applied_before_initialize_returns()
    {
        await using var server = StartWithSample();

        await server.Client.InitializeAsync(initializationOptions: new JsonObject
        {
            ["settings"] = new JsonObject { ["sample"] = new JsonObject { ["sessions"] = 7 } },
        });

        Assert.Equal(7, server.GetService<IOptionsMonitor<SampleSettings>>().CurrentValue.Sessions);
    }

    [Fact]
    public void Flatten_leaves_out_null_and_empty_strings_which_mean_not_set()
    {
        using var document = System.Text.Json.JsonDocument.Parse("""
            { "model": "", "baseUrl": "  ", "budget": { "dailyUsd": null }, "repl": { "command": "x", "sessions": 0, "persistOutcomes": false },
              "prices": [ { "model": "m", "inputPerMillion": 1 } ] }
            """);

        var data = ClientSettingsProvider.Flatten(document.RootElement);

        Assert.Equal(
            new Dictionary<string, string?>
            {
                ["LeanAssist:repl:command"] = "x",
                ["LeanAssist:repl:sessions"] = "0",
                ["LeanAssist:repl:persistOutcomes"] = "false",
                ["LeanAssist:prices:0:model"] = "m",
                ["LeanAssist:prices:0:inputPerMillion"] = "1",
            },
            data.OrderBy(e => e.Key, StringComparer.Ordinal).ToDictionary());
    }

    /// <summary>
    /// VS Code sends every setting, defaults included. The defaults of string settings are empty ("not
    /// set"): they must not replace what the command line says (<c>leanassist lsp --repl-command X</c>).
    /// </summary>
    [Fact]
    public async Task Editor_settings_that_are_set_override_the_command_line_and_unset_ones_leave_it()
    {
        await using var server = InProcessServer.Start(
        [
            new("LeanAssist:repl:command", "repl-from-command-line --flag"),
            new("LeanAssist:model", "model-from-command-line"),
        ]);
        await server.Client.InitializeAsync(initializationOptions: new JsonObject { ["settings"] = ManifestDefaults() });
        var repl = server.GetService<IOptionsMonitor<Lean.Pool.ReplOptions>>();
        var llm = server.GetService<IOptionsMonitor<Suggestions.Llm.LlmOptions>>();

        Assert.Equal("repl-from-command-line --flag", repl.CurrentValue.Command);
        Assert.Equal("model-from-command-line", llm.CurrentValue.Model);

        var section = ManifestDefaults();
        section["repl"]!["command"] = "repl-from-editor";
        await server.Client.NotifyAsync("workspace/didChangeConfiguration", new JsonObject { ["settings"] = new JsonObject { ["leanAssist"] = section } });
        await WaitForAppliedAsync(server, 2);
        Assert.Equal("repl-from-editor", repl.CurrentValue.Command);

        // Cleared in the editor: the command line's value is back.
        await server.Client.NotifyAsync("workspace/didChangeConfiguration", new JsonObject { ["settings"] = new JsonObject { ["leanAssist"] = ManifestDefaults() } });
        await WaitForAppliedAsync(server, 3);
        Assert.Equal("repl-from-command-line --flag", repl.CurrentValue.Command);
        Assert.Equal("model-from-command-line", llm.CurrentValue.Model);
    }

    /// <summary>The <c>leanAssist</c> section as VS Code sends it when nothing is set: package.json's defaults, nested, without the client's own settings.</summary>
    private static JsonObject ManifestDefaults()
    {
        var properties = JsonNode.Parse(File.ReadAllText(Path.Combine(Testing.RepositoryPaths.RepositoryRoot, "package.json")))!["contributes"]!["configuration"]!["properties"]!.AsObject();
        var section = new JsonObject();
        foreach (var (key, setting) in properties)
        {
            var parts = key.Split('.')[1..];
            if (parts[0] is "server" or "trace")
            {
                continue;
            }

            var target = section;
            foreach (var part in parts[..^1])
            {
                target = (JsonObject)(target[part] ??= new JsonObject());
            }

            target[parts[^1]] = setting!["default"]?.DeepClone();
        }

        return section;
    }
}
