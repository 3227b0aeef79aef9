using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using LeanAssist.Lean.Repl;

namespace LeanAssist.Suggestions.Remote;

/// <summary>
/// Kimina Lean Server's wire format, as its <c>app/schemas.py</c> defines it (project-numina/kimina-lean-server,
/// commit 96dff08, the 2.x server behind Docker image <c>projectnumina/kimina-lean-server:2.0.0</c>):
/// <c>POST /api/checks</c> takes a <c>ChecksRequest</c> and answers a JSON array of <c>CheckResponse</c>, one per
/// snippet; errors are FastAPI's <c>{"detail": ...}</c> (429 "No available REPLs", 500, 401, 422).
/// </summary>
public static class KiminaWire
{
    public const string ChecksPath = "api/checks";
    public const string HealthPath = "health";

    /// <summary>The detail of Kimina's 429 when every REPL is busy (app/routers/check.py).</summary>
    public const string NoAvailableRepls = "No available REPLs";

    /// <summary>How Kimina words a snippet (or header) that ran out of its <c>timeout</c> (app/routers/check.py).</summary>
    public const string TimedOutFragment = "timed out in";

    /// <summary>Reads a 2xx body of <c>/api/checks</c>.</summary>
    /// <exception cref="JsonException">Not a JSON array of CheckResponse objects (each needs <c>id</c>, and <c>error</c> or <c>response</c>).</exception>
    public static IReadOnlyList<KiminaCheckResult> ParseChecks(string body)
    {
        using var document = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 512 });
        if (document.RootElement.ValueKind != JsonValueKind.Array)
        {
            throw new JsonException($"expected a JSON array of check results, got a JSON {document.RootElement.ValueKind}");
        }

        var results = new List<KiminaCheckResult>();
        foreach (var item in document.RootElement.EnumerateArray())
        {
            results.Add(ParseCheck(item));
        }

        return results;
    }

    private static KiminaCheckResult ParseCheck(JsonElement item)
    {
        if (item.ValueKind != JsonValueKind.Object)
        {
            throw new JsonException($"a check result is a JSON {item.ValueKind}, not an object");
        }

        var id = item.TryGetProperty("id", out var idElement) && idElement.ValueKind == JsonValueKind.String
            ? idElement.GetString()!
            : throw new JsonException("a check result has no string \"id\"");
        var time = item.TryGetProperty("time", out var timeElement) && timeElement.ValueKind == JsonValueKind.Number ? timeElement.GetDouble() : 0;
        var error = item.TryGetProperty("error", out var errorElement) && errorElement.ValueKind == JsonValueKind.String ? errorElement.GetString() : null;
        ReplCommandResponse? response = null;
        if (item.TryGetProperty("response", out var responseElement) && responseElement.ValueKind == JsonValueKind.Object)
        {
            try
            {
                response = ReplResponseParser.ParseCommandResponse(responseElement);
            }
            catch (Exception e) when (e is InvalidOperationException or FormatException or KeyNotFoundException)
            {
                throw new JsonException($"the REPL response of \"{id}\" is malformed: {e.Message}");
            }
        }

        if (string.IsNullOrEmpty(error) && response is null)
        {
            throw new JsonException($"check result \"{id}\" has neither \"error\" nor \"response\"");
        }

        return new KiminaCheckResult(id, TimeSpan.FromSeconds(Math.Max(0, time)), string.IsNullOrEmpty(error) ? null : error, response);
    }

    /// <summary>FastAPI's error body: <c>{"detail": "text"}</c>, or a validation list <c>{"detail": [{"msg": ...}]}</c>.</summary>
    public static string ErrorDetail(string body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("detail", out var detail))
            {
                if (detail.ValueKind == JsonValueKind.String)
                {
                    return Excerpt(detail.GetString() ?? "");
                }

                if (detail.ValueKind == JsonValueKind.Array)
                {
                    return Excerpt(string.Join("; ", detail.EnumerateArray()
                        .Select(d => d.ValueKind == JsonValueKind.Object && d.TryGetProperty("msg", out var msg) ? msg.GetString() : d.ToString())));
                }
            }
        }
        catch (JsonException)
        {
            // A proxy's HTML page or plain text: show its start.
        }

        return Excerpt(body);
    }

    internal static string Excerpt(string text)
    {
        var flattened = text.ReplaceLineEndings(" ").Trim();
        return flattened.Length <= 300 ? flattened : flattened[..300] + "…";
    }

    internal static string Seconds(double seconds) => seconds.ToString("0.###", CultureInfo.InvariantCulture);
}

/// <summary>One snippet of a <c>ChecksRequest</c>: <c>{"id": ..., "code": ...}</c>.</summary>
public sealed record KiminaSnippet(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("code")] string Code);

/// <summary>Kimina's <c>ChecksRequest</c> (BaseRequest's <c>timeout</c>, <c>debug</c>, <c>reuse</c>, <c>infotree</c>, and <c>snippets</c>).</summary>
public sealed record KiminaChecksRequest(
    [property: JsonPropertyName("snippets")] IReadOnlyList<KiminaSnippet> Snippets,
    [property: JsonPropertyName("timeout")] int Timeout,
    [property: JsonPropertyName("debug")] bool Debug,
    [property: JsonPropertyName("reuse")] bool Reuse,
    [property: JsonPropertyName("infotree")] string? Infotree = null);

/// <summary>One <c>CheckResponse</c>: the snippet's id, Kimina's time for it, and its <c>error</c> or the REPL's <c>response</c>.</summary>
public sealed record KiminaCheckResult(string Id, TimeSpan Time, string? Error, ReplCommandResponse? Response);

[JsonSerializable(typeof(KiminaChecksRequest))]
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
internal sealed partial class KiminaJsonContext : JsonSerializerContext;
