using LeanAssist.Protocol.Lsp;

namespace LeanAssist.Server.Documents;

/// <summary>
/// <c>textDocument/didOpen|didChange|didClose</c>. Registered as serial handlers: they run in
/// arrival order on the read loop and only build snapshots, so they are quick.
/// </summary>
public sealed class TextDocumentSyncHandler(DocumentStore documents)
{
    public ValueTask DidOpen(DidOpenTextDocumentParams parameters, CancellationToken cancellationToken)
    {
        var item = parameters.TextDocument;
        documents.Open(item.Uri, item.LanguageId, item.Version, item.Text);
        return ValueTask.CompletedTask;
    }

    public ValueTask DidChange(DidChangeTextDocumentParams parameters, CancellationToken cancellationToken)
    {
        var changes = parameters.ContentChanges
            .Select(change => (change.Range?.ToUtf16(), change.Text))
            .ToArray();
        documents.Change(parameters.TextDocument.Uri, parameters.TextDocument.Version, changes);
        return ValueTask.CompletedTask;
    }

    public ValueTask DidClose(DidCloseTextDocumentParams parameters, CancellationToken cancellationToken)
    {
        documents.Close(parameters.TextDocument.Uri);
        return ValueTask.CompletedTask;
    }
}
