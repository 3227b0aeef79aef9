using System.Text.RegularExpressions;

namespace LeanAssist.Suggestions.Candidates;

/// <summary>Reads the module names a Lean file imports (its header), for <see cref="ProposalRequest.Imports"/>.</summary>
public static partial class LeanImports
{
    /// <summary>
    /// The modules named by the <c>import</c> commands at the top of <paramref name="fileText"/>
    /// (<c>import Mathlib.Tactic Aesop</c> gives both). Stops at the first command that is not an import,
    /// since Lean only accepts imports in the header. Comments and <c>module</c>/<c>public</c>/<c>meta</c> prefixes are skipped.
    /// </summary>
    public static IReadOnlyList<string> Parse(string fileText)
    {
        ArgumentNullException.ThrowIfNull(fileText);
        var modules = new List<string>();
        var text = BlockComment().Replace(fileText, " ");
        foreach (var rawLine in text.Split('\n'))
        {
            var line = rawLine;
            var comment = line.IndexOf("--", StringComparison.Ordinal);
            if (comment >= 0)
            {
                line = line[..comment];
            }

            line = line.Trim();
            if (line.Length == 0 || line == "module" || line.StartsWith("prelude", StringComparison.Ordinal))
            {
                continue;
            }

            var match = ImportLine().Match(line);
            if (!match.Success)
            {
                break;
            }

            modules.AddRange(match.Groups["modules"].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        }

        return modules;
    }

    [GeneratedRegex(@"/-.*?-/", RegexOptions.Singleline | RegexOptions.CultureInvariant)]
    private static partial Regex BlockComment();

    [GeneratedRegex(@"^(?:(?:public|meta|private)\s+)*import\s+(?:all\s+)?(?<modules>.+)$", RegexOptions.CultureInvariant)]
    private static partial Regex ImportLine();
}
