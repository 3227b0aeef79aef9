using System.Security.Cryptography;
using System.Text;

namespace LeanAssist.Lean.Source;

/// <summary>
/// A stable content fingerprint (hex SHA-256, 128 bits kept). Stable across processes and machines,
/// so caches on disk can be keyed by it.
/// </summary>
/// <remarks>
/// Fingerprints form a chain: the header's is <c>hash(toolchain, imports)</c>, each command's is
/// <c>hash(previous fingerprint, command text)</c>. A command's fingerprint therefore names the
/// environment after it: two commands share a fingerprint only when all the text above them is the same.
/// </remarks>
public readonly record struct LeanFingerprint(string Value)
{
    private const int KeptBytes = 16;

    public static LeanFingerprint ForHeader(string toolchain, string importsText) =>
        Compute("header", toolchain, importsText);

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
