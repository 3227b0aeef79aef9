namespace LeanAssist.Suggestions.Search;

/// <summary>
/// Turns the steps of a found proof (in the order they ran, each on the first open goal) into one tactic script:
/// a step that splits its goal into several gets a <c>·</c> block per case, in order; a step leaving one goal is
/// followed on the same level. Lines are relative to the sorry's column (the insertion indents them to it).
/// </summary>
public static class ProofScript
{
    /// <param name="structured">False when some step changed goals other than the first (then only a flat script is right).</param>
    public static string Build(IReadOnlyList<SearchStep> steps, bool structured = true)
    {
        ArgumentNullException.ThrowIfNull(steps);
        if (!structured)
        {
            return string.Join('\n', steps.Select(s => s.Tactic));
        }

        var lines = new List<string>();
        var next = 0;
        Render(steps, ref next, lines);
        if (next != steps.Count)
        {
            // Steps left over mean the goal counts did not add up: the flat script is what ran.
            return string.Join('\n', steps.Select(s => s.Tactic));
        }

        return string.Join('\n', lines);
    }

    /// <summary>Renders the proof of one goal: its first step, then the proofs of the goals that step produced.</summary>
    private static void Render(IReadOnlyList<SearchStep> steps, ref int next, List<string> lines)
    {
        // Iterative along single-goal chains, recursive only at case splits (depth is bounded by the search's max depth).
        while (next < steps.Count)
        {
            var step = steps[next++];
            lines.AddRange(step.Tactic.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n'));
            var produced = step.Produced.Count;
            if (produced == 0)
            {
                return;
            }

            if (produced == 1)
            {
                continue;
            }

            for (var i = 0; i < produced && next < steps.Count; i++)
            {
                var block = new List<string>();
                Render(steps, ref next, block);
                lines.AddRange(block.Select((line, j) => (j == 0 ? "· " : "  ") + line));
            }

            return;
        }
    }
}
