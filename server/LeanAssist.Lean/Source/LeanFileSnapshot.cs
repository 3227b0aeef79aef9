using LeanAssist.Lean.Text;

namespace LeanAssist.Lean.Source;

/// <summary>
/// One top-level command as it is sent to the REPL: its text with "\r\n" turned into "\n" (so Lean's
/// positions are unambiguous), its fingerprint (<c>hash(previous, text)</c>: it names the environment
/// after it) and the fingerprint of the environment before it.
/// </summary>
public sealed record LeanCommandSnapshot(
    int Index,
    LeanSourceCommand Source,
    string SentText,
    LeanFingerprint Fingerprint,
    LeanFingerprint EnvironmentBefore);

/// <summary>
/// A Lean file split into header and commands with their fingerprint chain, and the exact mapping from
/// positions Lean reports (relative to a command's sent text) back to the document.
/// </summary>
public sealed class LeanFileSnapshot
{
    private LeanFileSnapshot(SourceText text, string toolchain, LeanSourceLayout layout, string dependencies)
    {
        Text = text;
        Toolchain = toolchain;
        Layout = layout;
        HeaderText = NormalizeLineEndings(layout.Header.Text);
        HeaderDependencies = dependencies;
        HeaderFingerprint = LeanFingerprint.ForHeader(toolchain, layout.Header.ImportsText, dependencies);
        var commands = new LeanCommandSnapshot[layout.Commands.Count];
        var previous = HeaderFingerprint;
        for (var i = 0; i < commands.Length; i++)
        {
            var sent = NormalizeLineEndings(layout.Commands[i].Text);
            var fingerprint = LeanFingerprint.ForCommand(previous, sent);
            commands[i] = new LeanCommandSnapshot(i, layout.Commands[i], sent, fingerprint, previous);
            previous = fingerprint;
        }

        Commands = commands;
    }

    public SourceText Text { get; }

    /// <summary>The toolchain identity the header fingerprint includes.</summary>
    public string Toolchain { get; }

    public LeanSourceLayout Layout { get; }

    /// <summary>The header as sent to the REPL (the only request ever sent without an environment).</summary>
    public string HeaderText { get; }

    /// <summary>The project and the state of what the header imports, as given to <see cref="Create"/>.</summary>
    public string HeaderDependencies { get; }

    /// <summary><c>hash(toolchain, normalized imports, dependencies)</c>.</summary>
    public LeanFingerprint HeaderFingerprint { get; }

    public IReadOnlyList<LeanCommandSnapshot> Commands { get; }

    /// <param name="dependencies">
    /// Describes what the environment of this header depends on besides toolchain and import lines (the
    /// project root, the build of the imported modules: see <see cref="Toolchain.LeanHeaderDependencies"/>);
    /// it is given the parsed header, so only the imported modules are looked at.
    /// </param>
    public static LeanFileSnapshot Create(SourceText text, string toolchain, Func<LeanHeader, string> dependencies)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(dependencies);
        var layout = LeanSourceSplitter.Split(text.Text);
        return new LeanFileSnapshot(text, toolchain, layout, dependencies(layout.Header));
    }

    /// <summary>
    /// The document offset of a position Lean reported for <paramref name="command"/>'s sent text. Columns
    /// are codepoints; the "\r" removed before each "\n" is put back.
    /// </summary>
    public int ToDocumentOffset(LeanCommandSnapshot command, LeanPosition position) =>
        ToDocumentOffset(command, new SourceText(command.SentText).GetOffset(position));

    /// <summary>The document offset of an offset in <paramref name="command"/>'s sent text.</summary>
    public int ToDocumentOffset(LeanCommandSnapshot command, int sentOffset)
    {
        var original = command.Source.Text;
        if (original.Length == command.SentText.Length)
        {
            return command.Source.Start + sentOffset;
        }

        // Walk both texts together: every "\r\n" in the original is one "\n" in the sent text.
        var o = 0;
        for (var s = 0; s < sentOffset; s++, o++)
        {
            if (original[o] == '\r' && o + 1 < original.Length && original[o + 1] == '\n')
            {
                o++;
            }
        }

        return command.Source.Start + o;
    }

    /// <summary>
    /// A range Lean reported for a command, given as offsets in its sent text, in the document (editor and
    /// Lean conventions). Callers convert Lean's positions with one <see cref="SourceText"/> of the sent text
    /// per command rather than one per position.
    /// </summary>
    public (Utf16Range Range, LeanPosition Start, LeanPosition End) ToDocumentRange(LeanCommandSnapshot command, int sentStart, int sentEnd)
    {
        var startOffset = ToDocumentOffset(command, sentStart);
        var endOffset = Math.Max(startOffset, ToDocumentOffset(command, sentEnd));
        return (Text.GetRange(startOffset, endOffset), Text.GetLeanPosition(startOffset), Text.GetLeanPosition(endOffset));
    }

    public static string NormalizeLineEndings(string text) =>
        text.Contains('\r', StringComparison.Ordinal) ? text.Replace("\r\n", "\n", StringComparison.Ordinal) : text;
}
