using System.Text.Json;
using System.Text.Json.Nodes;
using LeanAssist.Protocol.Lsp;
using LeanAssist.Testing;
using LeanAssist.Testing.Json;

namespace LeanAssist.Protocol.Tests;

public sealed class ClientCapabilitiesReaderTests
{
    private static JsonElement Json(string text) => JsonDocument.Parse(text).RootElement.Clone();

    private static JsonElement RecordedVsCodeCapabilities() =>
        Json(RepositoryPaths.LspClientMessage("vscode-1.139.1-initialize.json")) is var message
            ? message.GetProperty("params").GetProperty("capabilities").Clone()
            : default;

    [Fact]
    public void What_VS_Code_1_139_1_sent_is_read_whole()
    {
        var read = ClientCapabilitiesReader.Read(RecordedVsCodeCapabilities());

        Assert.Empty(read.Unreadable);
        Assert.True(read.Capabilities.Window!.WorkDoneProgress);
        Assert.True(read.Capabilities.Window.ShowMessage!.MessageActionItem!.AdditionalPropertiesSupport);
        Assert.True(read.Capabilities.Workspace!.Configuration);
        Assert.True(read.Capabilities.Workspace.DidChangeConfiguration!.DynamicRegistration);
        Assert.Contains("markdown", read.Capabilities.TextDocument!.Hover!.ContentFormat!);
        Assert.Contains("quickfix", read.Capabilities.TextDocument.CodeAction!.CodeActionLiteralSupport!.CodeActionKind.ValueSet);
    }

    [Fact]
    public void A_member_of_the_wrong_shape_counts_as_absent_and_the_rest_is_read()
    {
        var read = ClientCapabilitiesReader.Read(Json("""
            {
              "window": { "showMessage": true, "workDoneProgress": true },
              "workspace": { "configuration": { "unexpected": 1 }, "didChangeConfiguration": { "dynamicRegistration": true } },
              "textDocument": { "hover": { "contentFormat": ["markdown", 7] } }
            }
            """));

        Assert.True(read.Capabilities.Window!.WorkDoneProgress);
        Assert.Null(read.Capabilities.Window.ShowMessage);
        Assert.Null(read.Capabilities.Workspace!.Configuration);
        Assert.True(read.Capabilities.Workspace.DidChangeConfiguration!.DynamicRegistration);
        Assert.Null(read.Capabilities.TextDocument!.Hover!.ContentFormat);
        Assert.Equal(3, read.Unreadable.Count);
        Assert.Contains(read.Unreadable, line => line.StartsWith("capabilities.window.showMessage:", StringComparison.Ordinal));
        Assert.Contains(read.Unreadable, line => line.StartsWith("capabilities.workspace.configuration:", StringComparison.Ordinal));
        Assert.Contains(read.Unreadable, line => line.StartsWith("capabilities.textDocument.hover.contentFormat:", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("null", 0)]
    [InlineData("{}", 0)]
    [InlineData("true", 1)]
    [InlineData("[1, 2]", 1)]
    [InlineData("""{ "window": 5, "workspace": "yes", "general": [] }""", 3)]
    [InlineData("""{ "textDocument": { "codeAction": { "resolveSupport": {} } } }""", 1)]
    // The null member goes first; then the object lacks its required member and goes too.
    [InlineData("""{ "textDocument": { "codeAction": { "resolveSupport": { "properties": null } } } }""", 2)]
    [InlineData("""{ "window": { "workDoneProgress": null, "showMessage": null } }""", 0)]
    public void Any_shape_is_read_without_throwing(string capabilities, int unreadable)
    {
        var read = ClientCapabilitiesReader.Read(Json(capabilities));

        Assert.NotNull(read.Capabilities);
        Assert.True(unreadable == read.Unreadable.Count, string.Join("\n", read.Unreadable));
    }

    [Fact]
    public void Random_mutations_of_the_recorded_capabilities_never_throw_and_keep_what_they_do_not_touch()
    {
        var random = new Random(20261202);
        for (var round = 0; round < 400; round++)
        {
            var node = JsonNode.Parse(RecordedVsCodeCapabilities().GetRawText())!.AsObject();
            // workDoneProgress is left alone so that the read can be checked against it.
            var window = node["window"]!.AsObject();
            window.Remove("workDoneProgress");
            JsonMutator.Scramble(node, random, mutations: 1 + random.Next(12));
            node["window"] = node["window"] as JsonObject ?? new JsonObject();
            node["window"]!.AsObject()["workDoneProgress"] = true;

            var read = ClientCapabilitiesReader.Read(JsonSerializer.SerializeToElement(node));

            Assert.True(read.Capabilities.Window?.WorkDoneProgress, $"round {round}: {node.ToJsonString()}\n{string.Join("\n", read.Unreadable)}");
        }
    }
}
