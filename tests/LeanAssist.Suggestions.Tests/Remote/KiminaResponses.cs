using System.Text.Json.Nodes;
using LeanAssist.Testing.Kimina;

namespace LeanAssist.Suggestions.Tests.Remote;

/// <summary>Recorded REPL answers placed where a multi-command snippet's commands start (the REPL numbers lines of the body).</summary>
internal static class KiminaResponses
{
    /// <summary>One REPL answer holding the messages and sorries of several recorded answers, each moved to start on its line.</summary>
    public static JsonObject Combine(params (string Transcript, int Index, int Line)[] parts)
    {
        var messages = new JsonArray();
        var sorries = new JsonArray();
        foreach (var (transcript, index, line) in parts)
        {
            var answer = RecordedReplAnswers.Get(transcript, index);
            foreach (var (name, target) in new[] { ("messages", messages), ("sorries", sorries) })
            {
                if (answer[name] is JsonArray list)
                {
                    foreach (var item in list.OfType<JsonObject>())
                    {
                        var copy = item.DeepClone().AsObject();
                        foreach (var position in new[] { "pos", "endPos" })
                        {
                            if (copy[position] is JsonObject pos && pos["line"]!.GetValue<int>() > 0)
                            {
                                pos["line"] = pos["line"]!.GetValue<int>() + line - 1;
                            }
                        }

                        target.Add(copy);
                    }
                }
            }
        }

        var combined = new JsonObject();
        if (sorries.Count > 0)
        {
            combined["sorries"] = sorries;
        }

        if (messages.Count > 0)
        {
            combined["messages"] = messages;
        }

        combined["env"] = 0;
        return combined;
    }
}
