using LeanAssist.Lean.Text;
using LeanAssist.Protocol.Lsp;

namespace LeanAssist.Server.Documents;

/// <summary>LSP positions are UTF-16 positions; these map the wire records to the text model and back.</summary>
public static class LspPositions
{
    public static Utf16Position ToUtf16(this Position position) => new(position.Line, position.Character);

    public static Utf16Range ToUtf16(this Protocol.Lsp.Range range) => new(range.Start.ToUtf16(), range.End.ToUtf16());

    public static Position ToLsp(this Utf16Position position) => new(position.Line, position.Character);

    public static Protocol.Lsp.Range ToLsp(this Utf16Range range) => new(range.Start.ToLsp(), range.End.ToLsp());
}
