using System.Text.Json;
using LeanAssist.Lean.Text;

namespace LeanAssist.Lean.Repl;

/// <summary>Turns the REPL's JSON into typed responses; anything malformed is a <see cref="ReplFailureException"/> of kind Protocol.</summary>
public static class ReplResponseParser
{
    /// <param name="json">One response (the text between blank lines).</param>
    /// <param name="expectsProofStateResponse">What the request expects: a proof-state (tactic) response or a command response.</param>
    public static ReplResponse Parse(ReadOnlyMemory<byte> json, bool expectsProofStateResponse)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 512 });
        }
        catch (JsonException e)
        {
            throw new ReplFailureException(ReplFailureKind.Protocol, $"The REPL answered with something that is not JSON ({e.Message}): {Preview(json)}");
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw Malformed($"a JSON {root.ValueKind} instead of an object", json);
            }

            try
            {
                if (root.TryGetProperty("message", out var message) && message.ValueKind == JsonValueKind.String
                    && !root.TryGetProperty("env", out _) && !root.TryGetProperty("proofState", out _))
                {
                    return new ReplErrorResponse(message.GetString()!);
                }

                return expectsProofStateResponse ? ParseTacticResponse(root) : ParseCommandResponse(root);
            }
            catch (Exception e) when (e is InvalidOperationException or FormatException or KeyNotFoundException)
            {
                throw Malformed(e.Message, json);
            }
        }
    }

    public static ReplCommandResponse ParseCommandResponse(JsonElement root) => new(
        Env: RequiredInt(root, "env"),
        Messages: List(root, "messages", ParseMessage),
        Sorries: List(root, "sorries", ParseSorry),
        Tactics: List(root, "tactics", ParseTacticInfo),
        InfoTree: root.TryGetProperty("infotree", out var tree) ? tree.Clone() : null);

    public static ReplTacticResponse ParseTacticResponse(JsonElement root) => new(
        ProofState: RequiredInt(root, "proofState"),
        Goals: List(root, "goals", e => e.GetString()!),
        Messages: List(root, "messages", ParseMessage),
        Sorries: List(root, "sorries", ParseSorry),
        Traces: List(root, "traces", e => e.GetString()!),
        ProofStatus: root.TryGetProperty("proofStatus", out var status) && status.ValueKind == JsonValueKind.String ? status.GetString() : null);

    public static ReplMessage ParseMessage(JsonElement e) => new(
        Severity: RequiredString(e, "severity") switch
        {
            "error" => ReplSeverity.Error,
            "warning" => ReplSeverity.Warning,
            "info" => ReplSeverity.Info,
            "trace" => ReplSeverity.Trace,
            var other => throw new FormatException($"unknown message severity \"{other}\""),
        },
        Pos: OptionalPosition(e, "pos") ?? new LeanPosition(0, 0),
        EndPos: OptionalPosition(e, "endPos"),
        Data: RequiredString(e, "data"));

    public static ReplSorry ParseSorry(JsonElement e) => new(
        Goal: RequiredString(e, "goal"),
        ProofState: e.TryGetProperty("proofState", out var state) && state.ValueKind == JsonValueKind.Number ? state.GetInt32() : null,
        Pos: OptionalPosition(e, "pos"),
        EndPos: OptionalPosition(e, "endPos"));

    public static ReplTacticInfo ParseTacticInfo(JsonElement e) => new(
        Tactic: RequiredString(e, "tactic"),
        Goals: RequiredString(e, "goals"),
        ProofState: e.TryGetProperty("proofState", out var state) && state.ValueKind == JsonValueKind.Number ? state.GetInt32() : null,
        Pos: OptionalPosition(e, "pos") ?? throw new FormatException("a tactic has no \"pos\""),
        EndPos: OptionalPosition(e, "endPos") ?? throw new FormatException("a tactic has no \"endPos\""),
        UsedConstants: List(e, "usedConstants", c => c.GetString()!));

    private static IReadOnlyList<T> List<T>(JsonElement parent, string name, Func<JsonElement, T> parse)
    {
        if (!parent.TryGetProperty(name, out var array) || array.ValueKind == JsonValueKind.Null)
        {
            return [];
        }

        if (array.ValueKind != JsonValueKind.Array)
        {
            throw new FormatException($"\"{name}\" is a {array.ValueKind}, not an array");
        }

        var items = new T[array.GetArrayLength()];
        var i = 0;
        foreach (var item in array.EnumerateArray())
        {
            items[i++] = parse(item);
        }

        return items;
    }

    private static int RequiredInt(JsonElement e, string name) =>
        e.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number
            ? value.GetInt32()
            : throw new FormatException($"the response has no number \"{name}\"");

    private static string RequiredString(JsonElement e, string name) =>
        e.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()!
            : throw new FormatException($"no string \"{name}\"");

    private static LeanPosition? OptionalPosition(JsonElement e, string name) =>
        e.TryGetProperty(name, out var p) && p.ValueKind == JsonValueKind.Object
            ? new LeanPosition(RequiredInt(p, "line"), RequiredInt(p, "column"))
            : null;

    private static ReplFailureException Malformed(string problem, ReadOnlyMemory<byte> json) =>
        new(ReplFailureKind.Protocol, $"The REPL's response does not have the expected shape ({problem}): {Preview(json)}");

    /// <summary>The start of a response for an error message (never the whole of a huge one).</summary>
    public static string Preview(ReadOnlyMemory<byte> json, int maxChars = 200)
    {
        var bytes = json.Span[..Math.Min(json.Length, maxChars * 4)];
        var text = System.Text.Encoding.UTF8.GetString(bytes);
        return text.Length <= maxChars ? text : text[..maxChars] + "…";
    }
}
