using System.Text.Json;
using System.Text.Json.Nodes;

namespace LeanAssist.Protocol.Lsp;

/// <summary>
/// Reads the client's capabilities leniently. A member the server cannot read (a shape a newer or older
/// LSP version allows, or a client's mistake) counts as absent and is reported, and the rest is still
/// read: a capability the server misreads must never cost the user the whole server. Members the server
/// does not model are ignored anyway.
/// </summary>
public static class ClientCapabilitiesReader
{
    /// <summary>More unreadable members than this and the client is not speaking LSP: treat all as absent.</summary>
    private const int MaxUnreadable = 64;

    /// <param name="Unreadable">One line per member that counted as absent: its path and why.</param>
    public sealed record Result(ClientCapabilities Capabilities, IReadOnlyList<string> Unreadable);

    public static Result Read(JsonElement? capabilities)
    {
        if (capabilities is not { } element || element.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined)
        {
            return new Result(new ClientCapabilities(), []);
        }

        if (element.ValueKind != JsonValueKind.Object)
        {
            return new Result(new ClientCapabilities(), [$"capabilities: expected an object, got {Describe(element.ValueKind)}"]);
        }

        var node = JsonObject.Create(element)!;
        var unreadable = new List<string>();
        while (unreadable.Count < MaxUnreadable)
        {
            try
            {
                var read = node.Deserialize(LspJsonContext.Default.ClientCapabilities) ?? new ClientCapabilities();
                return new Result(read, unreadable);
            }
            catch (JsonException e)
            {
                // Drop the member that failed and read the rest again: each round removes one member, so this ends.
                if (RemoveMember(node, e.Path) is not { } removed)
                {
                    unreadable.Add($"capabilities: {Reason(e)}");
                    return new Result(new ClientCapabilities(), unreadable);
                }

                unreadable.Add($"capabilities{removed}: {Reason(e)}");
            }
        }

        unreadable.Add($"capabilities: more than {MaxUnreadable} members could not be read; all capabilities count as absent");
        return new Result(new ClientCapabilities(), unreadable);
    }

    /// <summary>
    /// Removes the object member that <paramref name="path"/> (System.Text.Json's <c>$.a.b[2].c</c> form)
    /// points into; a path through an array removes the member holding the array. Returns the removed
    /// member's path, or null when nothing below the root can be removed.
    /// </summary>
    private static string? RemoveMember(JsonObject root, string? path)
    {
        if (path is null || !path.StartsWith('$'))
        {
            return null;
        }

        var segments = ParsePropertySegments(path);
        if (segments.Count == 0)
        {
            return null;
        }

        JsonObject parent = root;
        var removedPath = string.Empty;
        for (var i = 0; i < segments.Count; i++)
        {
            var name = segments[i];
            if (!parent.TryGetPropertyValue(name, out var child))
            {
                return null;
            }

            removedPath += "." + name;
            if (i == segments.Count - 1 || child is not JsonObject childObject)
            {
                parent.Remove(name);
                return removedPath;
            }

            parent = childObject;
        }

        return null;
    }

    /// <summary>The property names of a path up to its first array index (members inside arrays are not removed one by one).</summary>
    private static List<string> ParsePropertySegments(string path)
    {
        var segments = new List<string>();
        var i = 1;
        while (i < path.Length)
        {
            if (path[i] == '.')
            {
                var end = path.IndexOfAny(['.', '['], i + 1);
                end = end < 0 ? path.Length : end;
                segments.Add(path[(i + 1)..end]);
                i = end;
            }
            else if (path[i] == '[' && i + 1 < path.Length && path[i + 1] == '\'')
            {
                var end = path.IndexOf("']", i + 2, StringComparison.Ordinal);
                if (end < 0)
                {
                    break;
                }

                segments.Add(path[(i + 2)..end]);
                i = end + 2;
            }
            else
            {
                // An array index: stop here; the member holding the array goes.
                break;
            }
        }

        return segments;
    }

    private static string Reason(JsonException e)
    {
        var message = e.Message;
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        return cut > 0 ? message[..cut] : message;
    }

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Number => "a number",
        JsonValueKind.String => "a string",
        JsonValueKind.Array => "an array",
        _ => kind.ToString(),
    };
}
