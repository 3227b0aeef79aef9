using System.Text.Json.Nodes;

namespace LeanAssist.Testing.Kimina;

/// <summary>
/// Real Lean REPL answers from the recorded transcripts (<c>../shared/lean-repl-transcripts</c>), read from there
/// (never copied): the <c>response</c> a Kimina server embeds in its CheckResponse is exactly such an answer.
/// </summary>
public static class RecordedReplAnswers
{
    /// <summary>The <paramref name="index"/>-th answer (0-based) of <c>core/NAME.expected.out</c> (or <c>mathlib/</c> with "mathlib/NAME").</summary>
    public static JsonObject Get(string transcript, int index)
    {
        var folder = transcript.Contains('/', StringComparison.Ordinal) ? "" : "core";
        var path = Path.Combine(RepositoryPaths.TranscriptsDirectory, folder, transcript + ".expected.out");
        var answers = File.ReadAllText(path).Replace("\r\n", "\n", StringComparison.Ordinal)
            .Split("\n\n", StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return JsonNode.Parse(answers[index])!.AsObject();
    }

    /// <summary>The first request of <c>core/NAME.in</c>'s <c>cmd</c>: the Lean text the recorded answer is about.</summary>
    public static string Command(string transcript, int index)
    {
        var path = Path.Combine(RepositoryPaths.TranscriptsDirectory, "core", transcript + ".in");
        var requests = File.ReadAllText(path).Replace("\r\n", "\n", StringComparison.Ordinal)
            .Split("\n\n", StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return JsonNode.Parse(requests[index])!["cmd"]!.GetValue<string>();
    }
}
