using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using System.Text.RegularExpressions;
using LeanAssist.Server.LanguageServer;
using LeanAssist.Testing;

namespace LeanAssist.Client.Tests;

/// <summary>
/// client-vscode/src/protocol.ts restates LeanAssist's own payloads by hand. These tests hold it to the
/// server's serializer (LeanAssistJsonContext): every interface or string union there that names a
/// type the server serializes has exactly that type's JSON members or enum values.
/// </summary>
public sealed partial class ProtocolMirrorTests
{
    private static readonly string ProtocolTs = File.ReadAllText(Path.Combine(RepositoryPaths.RepositoryRoot, "client-vscode", "src", "protocol.ts"));

    /// <summary>The types the server serializes with LeanAssistJsonContext, by simple name.</summary>
    private static readonly Dictionary<string, JsonTypeInfo> ServerTypes = typeof(LeanAssistJsonContext).Assembly.GetTypes()
        .Concat(typeof(LeanAssist.Protocol.Lsp.LanguageClient).Assembly.GetTypes())
        .Where(t => t.IsPublic && !t.IsGenericTypeDefinition)
        .Select(t => LeanAssistJsonContext.Default.GetTypeInfo(t))
        .OfType<JsonTypeInfo>()
        .ToDictionary(info => info.Type.Name, StringComparer.Ordinal);

    private static IEnumerable<string> InterfaceNames => InterfacePattern().Matches(ProtocolTs).Select(m => m.Groups["name"].Value).Where(ServerTypes.ContainsKey);

    private static IEnumerable<string> StringUnionNames => UnionPattern().Matches(ProtocolTs).Select(m => m.Groups["name"].Value).Where(ServerTypes.ContainsKey);

    public static TheoryData<string> Interfaces() => new(InterfaceNames);

    public static TheoryData<string> StringUnions() => new(StringUnionNames);

    [Fact]
    public void The_metrics_payload_and_its_parts_are_among_the_mirrored_types()
    {
        // Guards the discovery itself: if it found nothing, the theories below would check nothing.
        Assert.Subset(InterfaceNames.ToHashSet(), new HashSet<string> { "MetricsSnapshot", "CounterValue", "HistogramValue", "StatusParams" });
        Assert.Subset(StringUnionNames.ToHashSet(), new HashSet<string> { "MetricKind", "Health" });
    }

    [Theory]
    [MemberData(nameof(Interfaces))]
    public void Interface_has_the_members_the_server_writes(string name)
    {
        var body = InterfacePattern().Matches(ProtocolTs).Single(m => m.Groups["name"].Value == name).Groups["body"].Value;
        var clientMembers = MemberPattern().Matches(body).Select(m => m.Groups["member"].Value).Order(StringComparer.Ordinal).ToArray();
        var serverMembers = ServerTypes[name].Properties.Select(p => p.Name).Order(StringComparer.Ordinal).ToArray();

        Assert.Equal(serverMembers, clientMembers);
    }

    [Theory]
    [MemberData(nameof(StringUnions))]
    public void String_union_has_the_values_the_server_writes(string name)
    {
        var union = UnionPattern().Matches(ProtocolTs).Single(m => m.Groups["name"].Value == name).Groups["values"].Value;
        var clientValues = Regex.Matches(union, "'([^']*)'").Select(m => m.Groups[1].Value).Order(StringComparer.Ordinal).ToArray();
        var info = ServerTypes[name];
        Assert.True(info.Type.IsEnum, $"{name} is a string union in protocol.ts but not an enum on the server.");
        var serverValues = Enum.GetValues(info.Type).Cast<object>()
            .Select(value => JsonSerializer.Serialize(value, info.Type, LeanAssistJsonContext.Default).Trim('"'))
            .Order(StringComparer.Ordinal).ToArray();

        Assert.Equal(serverValues, clientValues);
    }

    [GeneratedRegex(@"export interface (?<name>\w+) \{(?<body>[^}]*)\}")]
    private static partial Regex InterfacePattern();

    [GeneratedRegex(@"^\s+(?<member>\w+)\??:", RegexOptions.Multiline)]
    private static partial Regex MemberPattern();

    [GeneratedRegex(@"export type (?<name>\w+) = (?<values>'[^;]*);")]
    private static partial Regex UnionPattern();
}
