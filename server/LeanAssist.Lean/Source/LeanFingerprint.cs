using System.Security.Cryptography;
using System.Text;

namespace LeanAssist.Lean.Source;

/// <summary>
/// A stable content fingerprint (hex SHA-256, 128 bits kept). Stable across processes and machines,
/// so caches on disk can be keyed by it.
/// </summary>
/// <remarks>
/// Fingerprints form a chain: the header's is <c>hash(toolchain, imports, dependencies)</c>, each
/// command's is <c>hash(previous fingerprint, command text)</c>. A command's fingerprint therefore names
/// the environment after it: two commands share a fingerprint only when all the text above them is the
/// same, in the same project, with the same build of what the header imports
/// (see <see cref="Toolchain.LeanHeaderDependencies"/>).
/// </remarks>
public readonly record struct LeanFingerprint(string Value)
{
    private const int KeptBytes = 16;

    /// <param name="dependencies">What the imported environment depends on besides the toolchain and the import lines: the project root and the state of its build (see <see cref="Toolchain.LeanHeaderDependencies.Describe"/>).</param>
    public static LeanFingerprint ForHeader(string toolchain, string importsText, string dependencies) =>
        Compute("header", toolchain, importsText, dependencies);

    public static LeanFingerprint ForCommand(LeanFingerprint previous, string commandText) =>
        Compute("command", previous.Value, commandText);

    /// <summary>Hashes the parts with length prefixes, so ("ab","c") and ("a","bc") differ.</summary>
    public static LeanFingerprint Compute(params string[] parts)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Span<byte> length = stackalloc byte[4];
        foreach (var part in parts)
        {
            var bytes = Encoding.UTF8.GetBytes(part);
            System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(length, bytes.Length);
            hash.AppendData(length);
            hash.AppendData(bytes);
        }

        Span<byte> digest = stackalloc byte[32];
        hash.GetHashAndReset(digest);
        return new LeanFingerprint(Convert.ToHexStringLower(digest[..KeptBytes]));
    }

    public override string ToString() => Value;
}
