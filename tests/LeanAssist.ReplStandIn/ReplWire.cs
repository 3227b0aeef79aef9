using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace LeanAssist.ReplStandIn;

/// <summary>The REPL's side of the wire: reading requests the way the real REPL does, writing answers in its format.</summary>
public sealed class ReplWire(TextReader input, Stream output)
{
    /// <summary>
    /// The REPL's <c>getLines</c>: lines up to a blank one, each with trailing whitespace trimmed, joined with
    /// nothing between them. So a raw line break inside a JSON string disappears ("by⏎sorry" → "bysorry"),
    /// which is what the recorded <c>invalid_line_break</c> transcript shows the real REPL doing.
    /// Returns null at end of input, and an empty string for a lone blank line (which the real REPL tries to
    /// parse as JSON and dies on: see <see cref="Program"/>).
    /// </summary>
    public string? ReadRequest()
    {
        var builder = new StringBuilder();
        while (true)
        {
            var line = input.ReadLine();
            if (line is null)
            {
                return builder.Length == 0 ? null : builder.ToString();
            }

            if (line.Trim().Length == 0)
            {
                return builder.ToString();
            }

            builder.Append(line.TrimEnd());
        }
    }

    /// <summary>Writes an answer as the REPL prints it: pretty JSON, then a blank line, flushed.</summary>
    public void WriteResponse(JsonNode response) => WriteRaw(LeanJsonPrinter.Print(response));

    /// <summary>
    /// Logs the current request (set per request by the loop). Run before an answer is written, so a
    /// client that has its answer can rely on the log line being there already.
    /// </summary>
    public Action? PendingLog { get; set; }

    public void FlushLog()
    {
        var pending = PendingLog;
        PendingLog = null;
        pending?.Invoke();
    }

    /// <summary>Writes text followed by the blank line that ends an answer.</summary>
    public void WriteRaw(string text)
    {
        FlushLog();
        var bytes = Encoding.UTF8.GetBytes(text + "\n\n");
        output.Write(bytes);
        output.Flush();
    }

    /// <summary>Writes bytes as they are (fault injection: half answers, garbage).</summary>
    public void WriteBytes(ReadOnlySpan<byte> bytes)
    {
        FlushLog();
        output.Write(bytes);
        output.Flush();
    }

    public static JsonObject Error(string message) => new() { ["message"] = message };

    /// <summary>Structural JSON equality (objects compare by key set, numbers by value).</summary>
    public static bool JsonEquals(JsonElement a, JsonElement b)
    {
        if (a.ValueKind != b.ValueKind)
        {
            return false;
        }

        switch (a.ValueKind)
        {
            case JsonValueKind.Object:
                var aProperties = a.EnumerateObject().ToList();
                var bProperties = b.EnumerateObject().ToList();
                return aProperties.Count == bProperties.Count
                    && aProperties.All(p => b.TryGetProperty(p.Name, out var other) && JsonEquals(p.Value, other));
            case JsonValueKind.Array:
                return a.GetArrayLength() == b.GetArrayLength() && a.EnumerateArray().Zip(b.EnumerateArray()).All(pair => JsonEquals(pair.First, pair.Second));
            case JsonValueKind.String:
                return a.GetString() == b.GetString();
            case JsonValueKind.Number:
                return a.GetDecimal() == b.GetDecimal();
            default:
                return true;
        }
    }
}
