using System.Text;
using LeanAssist.Lean.Text;

namespace LeanAssist.Server.Prove;

/// <summary>A source file as read from disk: its text, and how to write it back byte-compatibly.</summary>
public sealed record SourceFile(string Path, SourceText Text, bool HasUtf8Bom, byte[] OriginalBytes)
{
    public static SourceFile Read(string path)
    {
        var bytes = File.ReadAllBytes(path);
        var bom = bytes.AsSpan().StartsWith(Encoding.UTF8.Preamble);
        var text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes, bom ? 3 : 0, bytes.Length - (bom ? 3 : 0));
        return new SourceFile(path, new SourceText(text), bom, bytes);
    }
}

/// <summary>
/// Writes edits into a source file so that nothing else in it changes: same encoding and byte-order
/// mark, same line endings, applied atomically (a temporary file in the same folder, then a rename), and
/// only if the file still holds what was read (an editor may have saved it meanwhile).
/// </summary>
public static class SourceFileWriter
{
    /// <returns>Null when written; otherwise why it was not.</returns>
    public static string? Apply(SourceFile file, IReadOnlyList<SorryEdit> edits)
    {
        if (edits.Count == 0)
        {
            return null;
        }

        // Later edits first, so earlier positions stay valid.
        var text = file.Text;
        foreach (var edit in edits.OrderByDescending(e => e.Range.Start))
        {
            text = text.WithChange(edit.Range, edit.NewText);
        }

        if (!File.ReadAllBytes(file.Path).AsSpan().SequenceEqual(file.OriginalBytes))
        {
            return "the file changed on disk since it was read; not written";
        }

        var bytes = Encoding.UTF8.GetBytes(text.Text);
        var directory = Path.GetDirectoryName(Path.GetFullPath(file.Path))!;
        var temporary = Path.Combine(directory, $".{Path.GetFileName(file.Path)}.leanassist-{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write))
            {
                if (file.HasUtf8Bom)
                {
                    stream.Write(Encoding.UTF8.Preamble);
                }

                stream.Write(bytes);
                stream.Flush(flushToDisk: true);
            }

            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(temporary, File.GetUnixFileMode(file.Path));
            }

            File.Move(temporary, file.Path, overwrite: true);
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            File.Delete(temporary);
            return $"could not write: {e.Message}";
        }
    }
}
