using System.Collections.Concurrent;
using LeanAssist.Lean.Sessions;
using LeanAssist.Lean.Text;
using LeanAssist.Lean.Toolchain;
using LeanAssist.Protocol.JsonRpc;
using LeanAssist.Server.Documents;
using LeanAssist.Server.Editor;
using LeanAssist.Suggestions.Search;
using LeanAssist.Suggestions.Verification;

namespace LeanAssist.Server.Search;

/// <summary>A proof found at one sorry of one document version, and how it goes into the text.</summary>
public sealed record FoundProof(int Version, Utf16Range Sorry, ProofSearchResult Result, TargetEditPlan Plan);

/// <summary>The outcome of an explicit search request.</summary>
public sealed record EditorSearchOutcome(DocumentSnapshot Snapshot, LeanTarget? Target, ProofSearchResult? Result);

/// <summary>
/// Proof search in the editor: runs a search only when the user asks (it may spend LLM money), and keeps the proofs
/// found per document so the code actions and hovers of that version can offer them. A result is offered only for the
/// version it was found on; closing the document forgets it.
/// </summary>
public sealed class EditorProofSearch : IDisposable
{
    private readonly DocumentStore _documents;
    private readonly SuggestionService _suggestions;
    private readonly ProofSearchService _search;
    private readonly ConcurrentDictionary<string, FoundProof[]> _found = new(StringComparer.Ordinal);

    public EditorProofSearch(DocumentStore documents, SuggestionService suggestions, ProofSearchService search)
    {
        _documents = documents;
        _suggestions = suggestions;
        _search = search;
        _documents.Changed += OnDocumentChanged;
    }

    /// <summary>Searches a proof for the sorry at <paramref name="position"/> with the settings' budget, the LLM included when one is configured.</summary>
    public async Task<EditorSearchOutcome> SearchNowAsync(string uri, Utf16Position position, int? version, IProgress<SearchProgress>? progress, CancellationToken cancellationToken)
    {
        if (!_documents.TryGet(uri, out var snapshot))
        {
            throw new JsonRpcException(ErrorCodes.InvalidParams, $"{uri} is not open.");
        }

        if (version is { } expected && expected != snapshot.Version)
        {
            throw new JsonRpcException(ErrorCodes.ContentModified, $"{uri} is at version {snapshot.Version}, not {expected}.");
        }

        if (!snapshot.IsLean || !Uri.TryCreate(uri, UriKind.Absolute, out var parsed) || !parsed.IsFile)
        {
            throw new JsonRpcException(ErrorCodes.InvalidParams, $"{uri} is not a Lean file on disk.");
        }

        // The pool answers an unchanged text from its outcome cache: this costs Lean nothing when the file is loaded already.
        var request = new LeanFileRequest(LeanProjectLocator.FindProjectRoot(parsed.LocalPath), parsed.LocalPath, snapshot.Text, RequestPriority.Interactive);
        var file = await _suggestions.LoadAsync(request, cancellationToken).ConfigureAwait(false);
        var target = TargetLocator.TargetsAt(file, position).FirstOrDefault(t => t.Kind == LeanTargetKind.Sorry);
        if (target is null)
        {
            return new EditorSearchOutcome(snapshot, null, null);
        }

        var result = await _search.SearchAsync(new ProofSearchRequest(request, file, target, SearchBudget.FromSettings, UseLlm: true, RequestPriority.Interactive), progress, cancellationToken)
            .ConfigureAwait(false);
        if (result.Script is not null)
        {
            Remember(uri, new FoundProof(snapshot.Version, target.Range, result, TargetEditPlan.ReplaceSorry(target.Range)));
        }

        return new EditorSearchOutcome(snapshot, target, result);
    }

    /// <summary>The proof found for the sorry at <paramref name="sorry"/> in this version, if any.</summary>
    public FoundProof? FoundAt(string uri, int version, Utf16Range sorry) =>
        _found.TryGetValue(uri, out var found) ? found.FirstOrDefault(f => f.Version == version && f.Sorry == sorry) : null;

    public void Dispose() => _documents.Changed -= OnDocumentChanged;

    private void Remember(string uri, FoundProof proof) =>
        _found.AddOrUpdate(uri, [proof], (_, existing) => [.. existing.Where(f => f.Version == proof.Version && f.Sorry != proof.Sorry), proof]);

    private void OnDocumentChanged(DocumentChange change)
    {
        if (change.Kind == DocumentChangeKind.Closed)
        {
            _found.TryRemove(change.Snapshot.Uri, out _);
        }
    }
}
