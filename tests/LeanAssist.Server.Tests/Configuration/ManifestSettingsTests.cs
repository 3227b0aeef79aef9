using System.Collections;
using System.Globalization;
using System.IO.Pipelines;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using LeanAssist.Lean.Pool;
using LeanAssist.Lean.Toolchain;
using LeanAssist.Server.Configuration;
using LeanAssist.Server.Editor;
using LeanAssist.Server.Hosting;
using LeanAssist.Suggestions.Llm;
using LeanAssist.Suggestions.Verification;
using LeanAssist.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace LeanAssist.Server.Tests.Configuration;

/// <summary>
/// The extension manifest (package.json) against the server's options classes: every setting VS Code
/// shows is one the server reads, with the same default and the same bounds, and every setting the
/// server reads is in the manifest. VS Code sends its defaults for unset settings, so a default that
/// differs would silently change the server's behaviour; a bound only one side knows is a setting
/// VS Code accepts and the server then refuses (or the other way round).
/// </summary>
public sealed class ManifestSettingsTests : IDisposable
{
    /// <summary>Read by the client only (docs/extension.md): not in any server options class.</summary>
    private static readonly string[] ClientOnly = ["leanAssist.server.path", "leanAssist.trace.server"];

    private readonly IHost _host;
    private readonly ClientSettingsProvider _provider;
    private readonly ISettingsValidation[] _validations;

    public ManifestSettingsTests()
    {
        var pipe = new Pipe();
        // A language-server host (the editor options are registered only for one), built but never run.
        _host = LeanAssistHost.Build("manifest-test", [new("LeanAssist:Server:LogFile", "none"), new("LeanAssist:Server:LogToStderr", "false")],
            new LanguageServerTransport(pipe.Reader, pipe.Writer));
        _provider = _host.Services.GetRequiredService<ClientSettingsProvider>();
        _validations = _host.Services.GetServices<ISettingsValidation>().ToArray();
    }

    public void Dispose() => _host.Dispose();

    /// <summary>Each server options class with the prefix of its settings under <c>leanAssist.</c>, as freshly built (its defaults).</summary>
    private static (string Prefix, object Defaults)[] OptionRoots() =>
    [
        ("", new LlmOptions()),
        ("", new VerificationOptions()),
        ("", new EditorOptions()),
        ("repl.", new ReplOptions()),
        ("toolchain.", new ToolchainOptions()),
        ("search.", new LeanAssist.Suggestions.Search.ProofSearchOptions()),
        ("", new LeanAssist.Suggestions.Remote.RemoteVerificationOptions()),
    ];

    private static JsonObject ManifestSettings() =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(RepositoryPaths.RepositoryRoot, "package.json")))!["contributes"]!["configuration"]!["properties"]!.AsObject();

    private static IEnumerable<KeyValuePair<string, JsonNode?>> ServerSettings() =>
        ManifestSettings().Where(setting => !ClientOnly.Contains(setting.Key));

    public static TheoryData<string> NumericSettings()
    {
        var data = new TheoryData<string>();
        foreach (var (key, setting) in ServerSettings())
        {
            if (Types(setting!).Intersect(["integer", "number"]).Any())
            {
                data.Add(key);
            }
        }

        return data;
    }

    public static TheoryData<string> EnumSettings()
    {
        var data = new TheoryData<string>();
        foreach (var (key, setting) in ServerSettings())
        {
            if (setting!["enum"] is not null)
            {
                data.Add(key);
            }
        }

        return data;
    }

    [Fact]
    public void Every_manifest_setting_is_a_server_option_with_the_same_default()
    {
        var mismatches = new List<string>();
        foreach (var (key, setting) in ServerSettings())
        {
            var found = OptionRoots()
                .Select(root => (root, value: Resolve(root.Defaults, key["leanAssist.".Length..], root.Prefix)))
                .Where(x => x.value.Found)
                .ToArray();
            if (found.Length != 1)
            {
                mismatches.Add($"{key}: {(found.Length == 0 ? "no" : "more than one")} server option");
                continue;
            }

            var serverDefault = found[0].value.Value;
            if (!SameDefault(setting!["default"], serverDefault))
            {
                mismatches.Add($"{key}: manifest default {setting["default"]?.ToJsonString() ?? "null"}, server default {Describe(serverDefault)}");
            }
        }

        Assert.True(mismatches.Count == 0, string.Join("\n", mismatches));
    }

    [Fact]
    public void Every_server_option_is_declared_in_the_manifest()
    {
        var declared = ServerSettings().Select(s => s.Key).ToHashSet(StringComparer.Ordinal);
        var missing = OptionRoots()
            .SelectMany(root => SettingKeys(root.Defaults.GetType(), "leanAssist." + root.Prefix))
            .Where(key => !declared.Contains(key))
            .ToArray();

        Assert.True(missing.Length == 0, "not in package.json: " + string.Join(", ", missing));
    }

    [Fact]
    public void The_manifest_defaults_as_VS_Code_sends_them_are_valid_settings()
    {
        var section = new JsonObject();
        foreach (var (key, setting) in ServerSettings())
        {
            section[key["leanAssist.".Length..]] = setting!["default"]?.DeepClone();
        }

        Assert.Empty(Problems(section));
    }

    /// <summary>The manifest's bounds are the server's: the bound itself is accepted, one step beyond it refused, and without a bound a huge value is accepted.</summary>
    [Theory]
    [MemberData(nameof(NumericSettings))]
    public void Numeric_bounds_in_the_manifest_are_the_servers(string key)
    {
        var setting = ManifestSettings()[key]!;
        var integer = Types(setting).Contains("integer");
        var step = integer ? 1m : 0.5m;
        var accepted = new List<decimal>();
        var refused = new List<decimal>();
        if (setting["minimum"] is { } minimum)
        {
            accepted.Add(minimum.GetValue<decimal>());
            refused.Add(minimum.GetValue<decimal>() - step);
        }

        if (setting["exclusiveMinimum"] is { } exclusiveMinimum)
        {
            refused.Add(exclusiveMinimum.GetValue<decimal>());
            accepted.Add(exclusiveMinimum.GetValue<decimal>() + (integer ? 1m : 0.01m));
        }

        if (setting["maximum"] is { } maximum)
        {
            accepted.Add(maximum.GetValue<decimal>());
            refused.Add(maximum.GetValue<decimal>() + step);
        }
        else
        {
            accepted.Add(integer ? int.MaxValue : 1_000_000_000m);
        }

        Assert.True(accepted.Count >= 2 || setting["maximum"] is null, $"{key} declares no lower bound");
        foreach (var value in accepted)
        {
            Assert.True(Problems(Setting(key, JsonValue.Create(value))).Count == 0, $"{key} = {value} is allowed by package.json but refused by the server: {string.Join(" ", Problems(Setting(key, JsonValue.Create(value))))}");
        }

        foreach (var value in refused)
        {
            var problems = Problems(Setting(key, JsonValue.Create(value)));
            Assert.True(problems.Count > 0, $"{key} = {value} is refused by package.json but accepted by the server");
            Assert.Contains(problems, p => p.Contains(key, StringComparison.Ordinal));
        }
    }

    /// <summary>Every value the manifest offers is accepted, and a wrong one is refused with a message in the manifest's spelling.</summary>
    [Theory]
    [MemberData(nameof(EnumSettings))]
    public void Enum_values_are_the_servers_and_refusals_use_the_settings_spelling(string key)
    {
        var values = ManifestSettings()[key]!["enum"]!.AsArray().Select(v => v!.GetValue<string>()).ToArray();
        foreach (var value in values)
        {
            Assert.Empty(Problems(Setting(key, JsonValue.Create(value))));
        }

        foreach (var wrong in new[] { "bogus", "7" })
        {
            var problem = Assert.Single(Problems(Setting(key, JsonValue.Create(wrong))));
            Assert.Contains(key, problem, StringComparison.Ordinal);
            foreach (var value in values)
            {
                // Named, and only in the setting's spelling ("auto", never "Auto").
                var mentions = Regex.Matches(problem, $@"\b{Regex.Escape(value)}\b", RegexOptions.IgnoreCase);
                Assert.NotEmpty(mentions);
                Assert.All(mentions, m => Assert.Equal(value, m.Value));
            }
        }
    }

    /// <summary>What SettingsService would refuse for this client section (empty: it would be applied).</summary>
    private IReadOnlyList<string> Problems(JsonObject section)
    {
        using var document = JsonDocument.Parse(section.ToJsonString());
        _provider.Replace(ClientSettingsProvider.Flatten(document.RootElement), notify: false);
        return _validations.SelectMany(v => v.Validate()).ToArray();
    }

    private static JsonObject Setting(string key, JsonNode? value) => new() { [key["leanAssist.".Length..]] = value };

    private static string[] Types(JsonNode setting) => setting["type"] switch
    {
        JsonArray types => types.Select(t => t!.GetValue<string>()).ToArray(),
        { } type => [type.GetValue<string>()],
        null => [],
    };

    /// <summary>Follows a dotted setting name through the options' properties (case-insensitive, as the binder does).</summary>
    private static (bool Found, object? Value) Resolve(object root, string name, string prefix)
    {
        if (!name.StartsWith(prefix, StringComparison.Ordinal))
        {
            return (false, null);
        }

        object? current = root;
        foreach (var part in name[prefix.Length..].Split('.'))
        {
            var property = current?.GetType().GetProperty(part, BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase);
            if (property?.SetMethod is not { IsPublic: true })
            {
                return (false, null);
            }

            current = property.GetValue(current);
        }

        return (true, current);
    }

    /// <summary>The setting names of an options class: its public settable properties, nested LeanAssist option classes followed.</summary>
    private static IEnumerable<string> SettingKeys(Type type, string prefix)
    {
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.SetMethod is { IsPublic: true }))
        {
            var name = prefix + char.ToLowerInvariant(property.Name[0]) + property.Name[1..];
            var nested = property.PropertyType;
            if (nested.IsClass && nested != typeof(string) && !typeof(IEnumerable).IsAssignableFrom(nested) && nested.Namespace?.StartsWith("LeanAssist", StringComparison.Ordinal) == true)
            {
                foreach (var key in SettingKeys(nested, name + "."))
                {
                    yield return key;
                }
            }
            else
            {
                yield return name;
            }
        }
    }

    private static bool SameDefault(JsonNode? manifest, object? server) => (manifest, server) switch
    {
        (null, null) => true,
        (null, _) => false,
        // An empty string means "not set" for every string setting (ClientSettingsProvider drops it).
        (JsonValue v, null) => v.TryGetValue<string>(out var text) && text.Length == 0,
        (JsonValue v, string s) => v.TryGetValue<string>(out var text) && text == s,
        (JsonValue v, Enum e) => v.TryGetValue<string>(out var text) && string.Equals(text, e.ToString(), StringComparison.OrdinalIgnoreCase),
        (JsonValue v, bool b) => v.TryGetValue<bool>(out var flag) && flag == b,
        (JsonValue v, IConvertible number) => v.TryGetValue<decimal>(out var n) && n == Convert.ToDecimal(number, CultureInfo.InvariantCulture),
        (JsonArray a, IEnumerable list) => a.Count == 0 && !list.Cast<object>().Any(),
        _ => false,
    };

    private static string Describe(object? value) => value switch
    {
        null => "null",
        IEnumerable list and not string => $"[{list.Cast<object>().Count()} items]",
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "",
    };
}
