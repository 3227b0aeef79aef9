using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace LeanAssist.Lean.Repl;

/// <summary>Which instrument label a request is recorded under (<c>leanassist.lean.request</c>).</summary>
public enum ReplRequestKind
{
    Command,
    Tactic,
    Pickle,
}

/// <summary>
/// A request to the Lean REPL (<c>leanprover-community/repl</c>). Each is written as one line of JSON
/// followed by a blank line, which is how the REPL separates requests.
/// </summary>
/// <remarks>
/// The REPL joins the lines of a request after trimming each one, so a raw line break inside a JSON
/// string would be lost (<c>"by\nsorry"</c> becomes <c>bysorry</c>): line breaks in Lean text go out as
/// <c>\n</c> escapes. Every other character (⊢, ℕ, 𝔽) goes out as UTF-8, never as a <c>\u</c> escape: Lean's
/// JSON parser reads one <c>\u</c> escape as one character, so the surrogate pair a built-in encoder writes for
/// 𝔽 or 𝕜 would arrive as two invalid characters (see <see cref="ReplJsonEncoder"/>).
/// </remarks>
/// <param name="Kind">What the request is recorded as in metrics.</param>
/// <param name="ExpectsProofStateResponse">True when the REPL answers with a proof-state (tactic) response, false for a command response.</param>
public abstract record ReplRequest(ReplRequestKind Kind, bool ExpectsProofStateResponse)
{
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = ReplJsonEncoder.Instance, Indented = false };

    /// <summary>The request as one line of JSON (no line break).</summary>
    public string ToJson()
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        WriteJson(buffer);
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>What is written to the REPL's standard input: the JSON line and the blank line that ends a request.</summary>
    public byte[] ToWireBytes()
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        WriteJson(buffer);
        buffer.Write("\n\n"u8);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Writes this request's fields (the object around them is written for it).</summary>
    protected abstract void WriteFields(Utf8JsonWriter writer);

    /// <summary>A string field. Its text goes in as UTF-8 so that an unpaired surrogate becomes U+FFFD instead of cutting the string short.</summary>
    protected static void WriteText(Utf8JsonWriter writer, string name, string value)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(value);
        writer.WriteString(name, Encoding.UTF8.GetBytes(value));
    }

    /// <summary>A string field that is left out when null (the REPL's defaults apply).</summary>
    protected static void WriteOptional(Utf8JsonWriter writer, string name, string? value)
    {
        if (value is not null)
        {
            WriteText(writer, name, value);
        }
    }

    protected static void WriteOptional(Utf8JsonWriter writer, string name, int? value)
    {
        ArgumentNullException.ThrowIfNull(writer);
        if (value is { } number)
        {
            writer.WriteNumber(name, number);
        }
    }

    protected static void WriteOptional(Utf8JsonWriter writer, string name, bool? value)
    {
        ArgumentNullException.ThrowIfNull(writer);
        if (value is { } flag)
        {
            writer.WriteBoolean(name, flag);
        }
    }

    public override string ToString() => ToJson();

    private void WriteJson(IBufferWriter<byte> output)
    {
        using var writer = new Utf8JsonWriter(output, WriterOptions);
        writer.WriteStartObject();
        WriteFields(writer);
        writer.WriteEndObject();
    }
}

/// <summary><c>{"cmd": ..., "env": ...}</c>: elaborate Lean commands, in environment <see cref="Env"/> or a fresh one (which may import).</summary>
public sealed record ReplCommandRequest(string Cmd, int? Env = null) : ReplRequest(ReplRequestKind.Command, false)
{
    /// <summary>Ask for every tactic's proof state and goals (<c>"allTactics": true</c>).</summary>
    public bool? AllTactics { get; init; }

    /// <summary>Report root goals as sorries with proof states (<c>"rootGoals": true</c>).</summary>
    public bool? RootGoals { get; init; }

    /// <summary>Ask for the info tree: "full", "tactics", "original" or "substantive".</summary>
    public string? InfoTree { get; init; }

    protected override void WriteFields(Utf8JsonWriter writer)
    {
        WriteText(writer, "cmd", Cmd);
        WriteOptional(writer, "env", Env);
        WriteOptional(writer, "allTactics", AllTactics);
        WriteOptional(writer, "rootGoals", RootGoals);
        WriteOptional(writer, "infotree", InfoTree);
    }
}

/// <summary><c>{"tactic": ..., "proofState": n}</c>: run a tactic on a proof state (which stays valid afterwards).</summary>
public sealed record ReplTacticRequest(string Tactic, int ProofState) : ReplRequest(ReplRequestKind.Tactic, true)
{
    protected override void WriteFields(Utf8JsonWriter writer)
    {
        WriteText(writer, "tactic", Tactic);
        writer.WriteNumber("proofState", ProofState);
    }
}

/// <summary><c>{"pickleTo": file, "env": n}</c>: save an environment to an .olean file.</summary>
public sealed record ReplPickleEnvironmentRequest(int Env, string PickleTo) : ReplRequest(ReplRequestKind.Pickle, false)
{
    protected override void WriteFields(Utf8JsonWriter writer)
    {
        WriteText(writer, "pickleTo", PickleTo);
        writer.WriteNumber("env", Env);
    }
}

/// <summary><c>{"unpickleEnvFrom": file}</c>: load a pickled environment as a new environment id.</summary>
public sealed record ReplUnpickleEnvironmentRequest(string UnpickleEnvFrom) : ReplRequest(ReplRequestKind.Pickle, false)
{
    protected override void WriteFields(Utf8JsonWriter writer) => WriteText(writer, "unpickleEnvFrom", UnpickleEnvFrom);
}

/// <summary><c>{"pickleTo": file, "proofState": n}</c>: save a proof state (answered with a proof-state response and a new id).</summary>
public sealed record ReplPickleProofStateRequest(int ProofState, string PickleTo) : ReplRequest(ReplRequestKind.Pickle, true)
{
    protected override void WriteFields(Utf8JsonWriter writer)
    {
        WriteText(writer, "pickleTo", PickleTo);
        writer.WriteNumber("proofState", ProofState);
    }
}

/// <summary>
/// <c>{"unpickleProofStateFrom": file, "env": n}</c>: load a pickled proof state. With <see cref="Env"/> the
/// proof state is rebuilt on that environment; without it the REPL re-imports the pickle's imports (slow).
/// </summary>
public sealed record ReplUnpickleProofStateRequest(string UnpickleProofStateFrom, int? Env = null) : ReplRequest(ReplRequestKind.Pickle, true)
{
    protected override void WriteFields(Utf8JsonWriter writer)
    {
        WriteText(writer, "unpickleProofStateFrom", UnpickleProofStateFrom);
        WriteOptional(writer, "env", Env);
    }
}

/// <summary>
/// The JSON escaping the REPL needs: only what JSON requires (quote, backslash, control characters, written as
/// <c>\"</c>, <c>\\</c>, <c>\n</c>, <c>\u0001</c> by the framework's own escaper); every other character stays UTF-8.
/// The built-in encoders also escape characters outside the Basic Multilingual Plane as surrogate pairs, which
/// Lean's JSON parser cannot read back (it turns each <c>\uD835</c> into an invalid character).
/// </summary>
internal sealed class ReplJsonEncoder : JavaScriptEncoder
{
    public static readonly ReplJsonEncoder Instance = new();

    private static readonly JavaScriptEncoder Escaper = UnsafeRelaxedJsonEscaping;

    private static readonly SearchValues<byte> Utf8ToEscape = SearchValues.Create([.. Enumerable.Range(0, 0x20).Select(b => (byte)b), (byte)'"', (byte)'\\']);

    private static readonly SearchValues<char> Utf16ToEscape = SearchValues.Create([.. Enumerable.Range(0, 0x20).Select(c => (char)c), '"', '\\']);

    private ReplJsonEncoder()
    {
    }

    public override int MaxOutputCharactersPerInputCharacter => Escaper.MaxOutputCharactersPerInputCharacter;

    public override bool WillEncode(int unicodeScalar) => unicodeScalar is < 0x20 or '"' or '\\';

    public override int FindFirstCharacterToEncodeUtf8(ReadOnlySpan<byte> utf8Text) => utf8Text.IndexOfAny(Utf8ToEscape);

    public override unsafe int FindFirstCharacterToEncode(char* text, int textLength) =>
        new ReadOnlySpan<char>(text, textLength).IndexOfAny(Utf16ToEscape);

    public override unsafe bool TryEncodeUnicodeScalar(int unicodeScalar, char* buffer, int bufferLength, out int numberOfCharactersWritten) =>
        Escaper.TryEncodeUnicodeScalar(unicodeScalar, buffer, bufferLength, out numberOfCharactersWritten);
}
