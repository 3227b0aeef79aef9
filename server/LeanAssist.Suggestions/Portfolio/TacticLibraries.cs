namespace LeanAssist.Suggestions.Portfolio;

/// <summary>Tactic libraries beyond Lean core that a file's imports make available.</summary>
[Flags]
public enum TacticLibraries
{
    /// <summary>Lean core only: rfl, decide, simp, omega, exact?, grind, rcases, ...</summary>
    Core = 0,

    /// <summary>Aesop (<c>aesop</c>): imported directly or through Mathlib.</summary>
    Aesop = 1,

    /// <summary>Mathlib's tactics: norm_num, linarith, nlinarith, positivity, ring, field_simp, tauto, ...</summary>
    Mathlib = 2,
}

/// <summary>Decides which libraries a file has from the modules it imports.</summary>
public static class TacticLibrariesExtensions
{
    /// <summary>
    /// Any Mathlib module counts as Mathlib: the file needs Mathlib built, and nearly every Mathlib module imports
    /// the basic tactic frontends (a tactic that is still missing fails verification quickly and harmlessly).
    /// Mathlib imports Aesop, so Mathlib implies Aesop.
    /// </summary>
    public static TacticLibraries FromImports(IEnumerable<string> imports)
    {
        var libraries = TacticLibraries.Core;
        foreach (var module in imports)
        {
            if (IsModuleOf(module, "Mathlib"))
            {
                libraries |= TacticLibraries.Mathlib | TacticLibraries.Aesop;
            }
            else if (IsModuleOf(module, "Aesop"))
            {
                libraries |= TacticLibraries.Aesop;
            }
        }

        return libraries;
    }

    private static bool IsModuleOf(string module, string root) =>
        module == root || module.StartsWith(root + ".", StringComparison.Ordinal);
}
