using System.Text.Json.Nodes;

namespace LeanAssist.Testing.Kimina;

/// <summary>
/// For the Kimina double: answers snippets made of theorems shaped like the recorded <c>assumption_proof</c> one
/// (<c>theorem bN (x : Nat) (h1 : x  = 2) : x = 2 := by …</c>, one per line, a blank line apart), composing the
/// REPL's answer from recorded ones, each at its theorem's line: <c>by sorry</c> gets the recorded sorry and its
/// warning (assumption_proof #0), <c>by assumption</c> nothing (a clean declaration), anything else the recorded
/// error of self_proof_exact_check #0. For benchmarks and spreading tests over many files and sorries.
/// </summary>
public static class TheoremFileResponder
{
    public static string Theorem(int n) => $"theorem b{n % 10} (x : Nat) (h1 : x  = 2) : x = 2 := by sorry";

    public static KiminaReply? Respond(string body)
    {
        var messages = new JsonArray();
        var sorries = new JsonArray();
        var lines = body.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            if (!lines[i].StartsWith("theorem b", StringComparison.Ordinal))
            {
                continue;
            }

            var answer = lines[i].EndsWith(":= by sorry", StringComparison.Ordinal) ? RecordedReplAnswers.Get("assumption_proof", 0)
                : lines[i].EndsWith(":= by assumption", StringComparison.Ordinal) ? null
                : RecordedReplAnswers.Get("self_proof_exact_check", 0);
            if (answer is null)
            {
                continue;
            }

            Move(answer, "messages", messages, i);
            Move(answer, "sorries", sorries, i);
        }

        var response = new JsonObject();
        if (sorries.Count > 0)
        {
            response["sorries"] = sorries;
        }

        if (messages.Count > 0)
        {
            response["messages"] = messages;
        }

        response["env"] = 0;
        return new KiminaReply.Repl(response);
    }

    private static void Move(JsonObject answer, string name, JsonArray into, int lineIndex)
    {
        if (answer[name] is not JsonArray list)
        {
            return;
        }

        foreach (var item in list.OfType<JsonObject>())
        {
            var copy = item.DeepClone().AsObject();
            foreach (var position in new[] { "pos", "endPos" })
            {
                if (copy[position] is JsonObject pos && pos["line"]!.GetValue<int>() > 0)
                {
                    pos["line"] = pos["line"]!.GetValue<int>() + lineIndex;
                }
            }

            into.Add(copy);
        }
    }
}
