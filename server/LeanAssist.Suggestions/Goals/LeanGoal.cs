namespace LeanAssist.Suggestions.Goals;

/// <summary>One hypothesis line of a goal: <c>x y : Nat</c>, or a let-bound <c>n : Nat := 5</c>.</summary>
/// <param name="Names">The names it binds, as printed (may be inaccessible, like <c>n✝</c>).</param>
/// <param name="Type">Its type as printed (continuation lines joined with a space).</param>
/// <param name="Value">The value of a let-bound hypothesis, else null.</param>
public sealed record Hypothesis(IReadOnlyList<string> Names, string Type, string? Value = null);

/// <summary>A goal as Lean prints it, split into its parts.</summary>
/// <param name="CaseTag">The tag of a <c>case succ</c> line, else null.</param>
/// <param name="Hypotheses">Top to bottom.</param>
/// <param name="Target">What follows <c>⊢</c> (continuation lines joined with a space).</param>
public sealed record LeanGoal(string? CaseTag, IReadOnlyList<Hypothesis> Hypotheses, string Target)
{
    /// <summary>The hypothesis that binds <paramref name="name"/>, searching from the bottom (the innermost wins).</summary>
    public Hypothesis? Find(string name)
    {
        for (var i = Hypotheses.Count - 1; i >= 0; i--)
        {
            if (Hypotheses[i].Names.Contains(name, StringComparer.Ordinal))
            {
                return Hypotheses[i];
            }
        }

        return null;
    }

    /// <summary>Every (name, type) pair in scope, top to bottom.</summary>
    public IEnumerable<(string Name, string Type)> Bindings =>
        Hypotheses.SelectMany(h => h.Names.Select(n => (n, h.Type)));
}
