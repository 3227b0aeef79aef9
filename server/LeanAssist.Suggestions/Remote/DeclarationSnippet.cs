using System.Text;
using LeanAssist.Lean.Source;
using LeanAssist.Lean.Text;

namespace LeanAssist.Suggestions.Remote;

/// <summary>
/// A whole Lean snippet as Kimina checks it: the file's imports (Kimina splits them off as the REPL's header,
/// see its <c>app/split.py</c>), then the file's commands up to a declaration, each as sent to a local REPL, one blank
/// line apart. Kimina reports positions relative to the body (the text after the imports), so the snippet
/// records on which body line each command starts; that maps messages back to commands and to the document.
/// </summary>
/// <remarks>
/// Self-contained on purpose (issue 13 builds the local declaration-level confirmation in parallel): the
/// local check sends the same declaration text, with the candidate in place of its sorry, on the environment
/// before it; this sends the commands before it instead of an environment id, because Kimina keeps nothing
/// between requests but the header's REPL. <see cref="WithCandidate"/> is the piece both could share.
/// </remarks>
public sealed class DeclarationSnippet
{
    private readonly int[] _startLines;

    private DeclarationSnippet(string code, int[] startLines, int lastCommand)
    {
        Code = code;
        _startLines = startLines;
        LastCommand = lastCommand;
    }

    /// <summary>The snippet's <c>code</c>.</summary>
    public string Code { get; }

    /// <summary>The index (in the file) of the snippet's last command: the declaration checked, or the file's last command.</summary>
    public int LastCommand { get; }

    /// <summary>The body line (1-based, as Kimina reports) on which the last command starts.</summary>
    public int LastCommandLine => _startLines[LastCommand];

    /// <summary>The whole file: every command as it is.</summary>
    public static DeclarationSnippet ForFile(LeanFileSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        return Build(snapshot, snapshot.Commands.Count - 1, lastText: null);
    }

    /// <summary>The commands before <paramref name="declarationIndex"/>, then <paramref name="declarationText"/> in its place.</summary>
    public static DeclarationSnippet ForDeclaration(LeanFileSnapshot snapshot, int declarationIndex, string declarationText)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        ArgumentOutOfRangeException.ThrowIfNegative(declarationIndex);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(declarationIndex, snapshot.Commands.Count);
        return Build(snapshot, declarationIndex, declarationText);
    }

    /// <summary>
    /// The declaration's sent text with <paramref name="tactic"/> where the sorry at [<paramref name="sorryStart"/>,
    /// <paramref name="sorryEnd"/>) was, inserted as the editor would insert it (a term sorry becomes <c>by …</c>, later
    /// lines of a script aligned with the sorry's column): what is checked is what the user would get.
    /// </summary>
    public static string WithCandidate(string declarationText, int sorryStart, int sorryEnd, string tactic)
    {
        var text = new SourceText(declarationText);
        var edit = TacticInsertion.Replace(text, text.GetRange(sorryStart, sorryEnd), tactic);
        return text.WithChange(edit.Range, edit.NewText).Text;
    }

    /// <summary>The index of the command a body line falls in (null for a line before the first command).</summary>
    public int? CommandAt(int bodyLine)
    {
        for (var i = LastCommand; i >= 0; i--)
        {
            if (_startLines[i] <= bodyLine)
            {
                return i;
            }
        }

        return null;
    }

    /// <summary>The position within command <paramref name="index"/>'s text of a body position Kimina reported.</summary>
    public LeanPosition InCommand(int index, LeanPosition bodyPosition) => new(bodyPosition.Line - _startLines[index] + 1, bodyPosition.Column);

    private static DeclarationSnippet Build(LeanFileSnapshot snapshot, int last, string? lastText)
    {
        var code = new StringBuilder();
        foreach (var module in snapshot.Layout.Header.Modules)
        {
            code.Append("import ").Append(module).Append('\n');
        }

        if (code.Length > 0)
        {
            code.Append('\n');
        }

        var startLines = new int[Math.Max(0, last + 1)];
        var line = 1;
        for (var i = 0; i <= last; i++)
        {
            var text = i == last && lastText is not null ? lastText : snapshot.Commands[i].SentText;
            if (i > 0)
            {
                code.Append("\n\n");
            }

            startLines[i] = line;
            code.Append(text);
            line += text.Count(c => c == '\n') + 2;
        }

        return new DeclarationSnippet(code.ToString(), startLines, last);
    }
}
