using System.Text.Json.Nodes;
using LeanAssist.Server.Documents;
using LeanAssist.Testing.Hosting;

namespace LeanAssist.Server.Tests.LanguageServer;

public sealed class DocumentSyncTests
{
    private const string Uri = "file:///work/Example.lean";

    private static JsonObject Position(int line, int character) => new() { ["line"] = line, ["character"] = character };

    private static JsonObject Change(int startLine, int startCharacter, int endLine, int endCharacter, string text) => new()
    {
        ["range"] = new JsonObject { ["start"] = Position(startLine, startCharacter), ["end"] = Position(endLine, endCharacter) },
        ["text"] = text,
    };

    private static Task OpenAsync(InProcessServer server, string text, int version = 1) =>
        server.Client.NotifyAsync("textDocument/didOpen", new JsonObject
        {
            ["textDocument"] = new JsonObject { ["uri"] = Uri, ["languageId"] = "lean4", ["version"] = version, ["text"] = text },
        });

    private static Task ChangeAsync(InProcessServer server, int version, params JsonObject[] changes) =>
        server.Client.NotifyAsync("textDocument/didChange", new JsonObject
        {
            ["textDocument"] = new JsonObject { ["uri"] = Uri, ["version"] = version },
            ["contentChanges"] = new JsonArray(changes),
        });

    /// <summary>Waits until the serial sync handlers have run: a request is answered only after the notifications before it.</summary>
    private static Task BarrierAsync(InProcessServer server) => server.Client.RequestAsync("leanAssist/barrier");

    [Fact]
    public async Task Incremental_changes_with_unicode_crlf_and_tabs_are_applied_exactly()
    {
        await using var server = await InProcessServer.StartInitializedAsync();
        await OpenAsync(server, "theorem t (x : ℕ) :\r\n\tx + 0 = x := by\r\n  sorry");

        // Replace "ℕ" (one UTF-16 unit) by "𝔽" (two units), then edit after it on the same line.
        await ChangeAsync(server, 2, Change(0, 15, 0, 16, "𝔽"), Change(0, 19, 0, 20, ":="));
        // Replace "sorry" on the CRLF-terminated third line.
        await ChangeAsync(server, 3, Change(2, 2, 2, 7, "simp"));
        await BarrierAsync(server);

        Assert.True(server.GetService<DocumentStore>().TryGet(Uri, out var snapshot));
        Assert.Equal(3, snapshot.Version);
        Assert.Equal("theorem t (x : 𝔽) :=\r\n\tx + 0 = x := by\r\n  simp", snapshot.Text.Text);
        Assert.True(snapshot.IsLean);
    }

    [Fact]
    public async Task A_change_without_range_replaces_the_whole_text()
    {
        await using var server = await InProcessServer.StartInitializedAsync();
        await OpenAsync(server, "old");

        await ChangeAsync(server, 2, new JsonObject { ["text"] = "new text" });
        await BarrierAsync(server);

        Assert.True(server.GetService<DocumentStore>().TryGet(Uri, out var snapshot));
        Assert.Equal("new text", snapshot.Text.Text);
    }

    [Fact]
    public async Task A_burst_of_edits_is_applied_in_order()
    {
        await using var server = await InProcessServer.StartInitializedAsync();
        await OpenAsync(server, string.Empty);
        var expected = new System.Text.StringBuilder();
        var random = new Random(3);
        for (var version = 2; version < 300; version++)
        {
            var piece = random.Next(4) switch { 0 => "⊢", 1 => "\n", 2 => "😀", _ => "a" };
            var lines = expected.ToString().Split('\n');
            await ChangeAsync(server, version, Change(lines.Length - 1, lines[^1].Length, lines.Length - 1, lines[^1].Length, piece));
            expected.Append(piece);
        }

        await BarrierAsync(server);

        Assert.True(server.GetService<DocumentStore>().TryGet(Uri, out var snapshot));
        Assert.Equal(expected.ToString(), snapshot.Text.Text);
        Assert.Equal(299, snapshot.Version);
    }

    [Fact]
    public async Task Close_removes_the_document_and_changes_to_unknown_documents_are_ignored()
    {
        await using var server = await InProcessServer.StartInitializedAsync();
        await OpenAsync(server, "x");
        await server.Client.NotifyAsync("textDocument/didClose", new JsonObject { ["textDocument"] = new JsonObject { ["uri"] = Uri } });
        await ChangeAsync(server, 5, Change(0, 0, 0, 0, "y"));
        await BarrierAsync(server);

        Assert.False(server.GetService<DocumentStore>().TryGet(Uri, out _));
        Assert.Equal(0, server.GetService<DocumentStore>().Count);
    }
}
