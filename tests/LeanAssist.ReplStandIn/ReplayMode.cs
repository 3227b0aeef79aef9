using System.Text.Json;
using System.Text.Json.Nodes;

namespace LeanAssist.ReplStandIn;

/// <summary>
/// Replays a recorded transcript: <c>NAME.in</c> (requests separated by blank lines) and
/// <c>NAME.expected.out</c> (responses separated by blank lines). Each incoming request must be
/// JSON-equal to the next recorded one; it is then answered with the recorded response, byte for byte.
/// A request that does not match is answered with <c>{"message": "stand-in: unexpected request ..."}</c>
/// so the test fails clearly (and the recording does not advance).
/// </summary>
public sealed class ReplayMode : IStandInMode
{
    private readonly string _name;
    private readonly IReadOnlyList<string> _requests;
    private readonly IReadOnlyList<string> _responses;
    private int _next;

    private ReplayMode(string name, IReadOnlyList<string> requests, IReadOnlyList<string> responses)
    {
        _name = name;
        _requests = requests;
        _responses = responses;
    }

    public static ReplayMode Load(string transcript)
    {
        var inFile = transcript + ".in";
        var outFile = transcript + ".expected.out";
        if (!File.Exists(inFile) || !File.Exists(outFile))
        {
            throw new UsageException($"no transcript at {transcript} (.in and .expected.out)");
        }

        var requests = ReadRequests(File.ReadAllText(inFile));
        var responses = ReadResponses(File.ReadAllText(outFile));
        if (requests.Count != responses.Count)
        {
            throw new UsageException($"{transcript}: {requests.Count} recorded requests but {responses.Count} responses");
        }

        return new ReplayMode(Path.GetFileName(transcript), requests, responses);
    }

    /// <summary>The recorded requests as the real REPL read them: each line trimmed at its end, lines joined.</summary>
    public static IReadOnlyList<string> ReadRequests(string text) =>
        Blocks(text).Select(lines => string.Concat(lines.Select(l => l.TrimEnd()))).ToArray();

    /// <summary>The recorded responses, each exactly as printed (its lines joined by "\n").</summary>
    public static IReadOnlyList<string> ReadResponses(string text) =>
        Blocks(text).Select(lines => string.Join('\n', lines)).ToArray();

    private static List<List<string>> Blocks(string text)
    {
        var blocks = new List<List<string>>();
        var current = new List<string>();
        foreach (var line in text.Split('\n'))
        {
            if (line.Trim().Length == 0)
            {
                if (current.Count > 0)
                {
                    blocks.Add(current);
                    current = [];
                }

                continue;
            }

            current.Add(line.TrimEnd('\r'));
        }

        if (current.Count > 0)
        {
            blocks.Add(current);
        }

        return blocks;
    }

    public void BeforeFirstRequest()
    {
    }

    public int? Answer(ReplWire wire, JsonElement request, int number, JsonObject logEntry)
    {
        if (_next >= _requests.Count)
        {
            logEntry["outcome"] = "beyond-recording";
            wire.WriteResponse(ReplWire.Error($"stand-in: no more recorded requests in {_name} ({_requests.Count} were recorded)"));
            return null;
        }

        using var recorded = JsonDocument.Parse(_requests[_next]);
        if (!ReplWire.JsonEquals(request, recorded.RootElement))
        {
            logEntry["outcome"] = "mismatch";
            wire.WriteResponse(ReplWire.Error(
                $"stand-in: unexpected request {request.GetRawText()}; {_name} request {_next + 1} was recorded as {_requests[_next]}"));
            return null;
        }

        logEntry["outcome"] = "replayed";
        wire.WriteRaw(_responses[_next]);
        _next++;
        return null;
    }
}
