using System.Collections.Concurrent;
using LeanAssist.Lean.Text;
using Microsoft.Extensions.Logging;

namespace LeanAssist.Server.Documents;

/// <summary>One version of an open document. Immutable: a newer version is a new snapshot.</summary>
public sealed record DocumentSnapshot(string Uri, string LanguageId, int Version, SourceText Text)
{
    public bool IsLean => LanguageId == "lean4" || LanguageId == "lean";
}

public enum DocumentChangeKind
{
    Opened,
    Changed,
    Closed,
}

/// <summary>What happened to a document; <see cref="Edits"/> are the changed ranges in the old text (empty for a full replace).</summary>
public sealed record DocumentChange(DocumentChangeKind Kind, DocumentSnapshot Snapshot, DocumentSnapshot? Previous, IReadOnlyList<Utf16Range> Edits);

/// <summary>
/// The open documents. Owns their state: only the sync handler changes it (serially, in arrival
/// order); everything else reads snapshots.
/// </summary>
public sealed class DocumentStore(ILogger<DocumentStore> logger)
{
    private readonly ConcurrentDictionary<string, DocumentSnapshot> _documents = new(StringComparer.Ordinal);

    /// <summary>Raised after each open, change and close, on the thread that applied it.</summary>
    public event Action<DocumentChange>? Changed;

    public int Count => _documents.Count;

    public IReadOnlyCollection<DocumentSnapshot> All => _documents.Values.ToArray();

    public bool TryGet(string uri, out DocumentSnapshot snapshot) => _documents.TryGetValue(uri, out snapshot!);

    public DocumentSnapshot Open(string uri, string languageId, int version, string text)
    {
        var snapshot = new DocumentSnapshot(uri, languageId, version, new SourceText(text));
        _documents.TryGetValue(uri, out var previous);
        if (previous is not null)
        {
            logger.LogWarning("{Uri} was opened again without being closed; replacing it.", uri);
        }

        _documents[uri] = snapshot;
        Changed?.Invoke(new DocumentChange(DocumentChangeKind.Opened, snapshot, previous, []));
        return snapshot;
    }

    /// <summary>Applies changes in order, each to the result of the one before (the LSP rule).</summary>
    /// <returns>The new snapshot, or null when the document is not open.</returns>
    public DocumentSnapshot? Change(string uri, int version, IReadOnlyList<(Utf16Range? Range, string Text)> changes)
    {
        if (!_documents.TryGetValue(uri, out var previous))
        {
            logger.LogWarning("Change to {Uri}, which is not open; ignored.", uri);
            return null;
        }

        if (version <= previous.Version)
        {
            logger.LogWarning("Change to {Uri} has version {Version}, not above {Current}; applied anyway.", uri, version, previous.Version);
        }

        var text = previous.Text;
        var edits = new List<Utf16Range>(changes.Count);
        foreach (var (range, newText) in changes)
        {
            if (range is { } r)
            {
                edits.Add(r);
                text = text.WithChange(r, newText);
            }
            else
            {
                edits.Add(new Utf16Range(default, text.GetUtf16Position(text.Length)));
                text = new SourceText(newText);
            }
        }

        var snapshot = previous with { Version = version, Text = text };
        _documents[uri] = snapshot;
        Changed?.Invoke(new DocumentChange(DocumentChangeKind.Changed, snapshot, previous, edits));
        return snapshot;
    }

    public void Close(string uri)
    {
        if (_documents.TryRemove(uri, out var previous))
        {
            Changed?.Invoke(new DocumentChange(DocumentChangeKind.Closed, previous, previous, []));
        }
        else
        {
            logger.LogWarning("Close of {Uri}, which is not open; ignored.", uri);
        }
    }
}
