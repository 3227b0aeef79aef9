using System.Globalization;
using System.Text;

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
/// string would be lost (<c>"by\nsorry"</c> becomes <c>bysorry</c>). <see cref="ToJson"/> therefore never
/// writes a raw control character: line breaks in Lean text go out as <c>\n</c> escapes, and all other
/// characters (⊢, ℕ, 𝔽) as UTF-8, not as <c>\u</c> surrogate escapes.
/// </remarks>
/// <param name="Kind">What the request is recorded as in metrics.</param>
/// <param name="ExpectsProofStateResponse">True when the REPL answers with a proof-state (tactic) response, false for a command response.</param>
public abstract record ReplRequest(ReplRequestKind Kind, bool ExpectsProofStateResponse)
{
    /// <summary>The request as one line of JSON (no line break).</summary>
    public string ToJson()
    {
        var writer = new ReplJsonWriter();
        WriteFields(writer);
        return writer.Finish();
    }

    private protected abstract void WriteFields(ReplJsonWriter writer);

    public override string ToString() => ToJson();
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

    private protected override void WriteFields(ReplJsonWriter writer)
    {
        writer.Field("cmd", Cmd);
        writer.Field("env", Env);
        writer.Field("allTactics", AllTactics);
        writer.Field("rootGoals", RootGoals);
        writer.Field("infotree", InfoTree);
    }
}

/// <summary><c>{"path": ...}</c>: elaborate a whole file as the REPL process sees it (path relative to its working directory).</summary>
public sealed record ReplFileRequest(string Path, int? Env = null) : ReplRequest(ReplRequestKind.Command, false)
{
    public bool? AllTactics { get; init; }

    public string? InfoTree { get; init; }

    private protected override void WriteFields(ReplJsonWriter writer)
    {
        writer.Field("path", Path);
        writer.Field("env", Env);
        writer.Field("allTactics", AllTactics);
        writer.Field("infotree", InfoTree);
    }
}

/// <summary><c>{"tactic": ..., "proofState": n}</c>: run a tactic on a proof state (which stays valid afterwards).</summary>
public sealed record ReplTacticRequest(string Tactic, int ProofState) : ReplRequest(ReplRequestKind.Tactic, true)
{
    private protected override void WriteFields(ReplJsonWriter writer)
    {
        writer.Field("tactic", Tactic);
        writer.Field("proofState", ProofState);
    }
}

/// <summary><c>{"pickleTo": file, "env": n}</c>: save an environment to an .olean file.</summary>
public sealed record ReplPickleEnvironmentRequest(int Env, string PickleTo) : ReplRequest(ReplRequestKind.Pickle, false)
{
    private protected override void WriteFields(ReplJsonWriter writer)
    {
        writer.Field("pickleTo", PickleTo);
        writer.Field("env", Env);
    }
}

/// <summary><c>{"unpickleEnvFrom": file}</c>: load a pickled environment as a new environment id.</summary>
public sealed record ReplUnpickleEnvironmentRequest(string UnpickleEnvFrom) : ReplRequest(ReplRequestKind.Pickle, false)
{
    private protected override void WriteFields(ReplJsonWriter writer) => writer.Field("unpickleEnvFrom", UnpickleEnvFrom);
}

/// <summary><c>{"pickleTo": file, "proofState": n}</c>: save a proof state (answered with a proof-state response and a new id).</summary>
public sealed record ReplPickleProofStateRequest(int ProofState, string PickleTo) : ReplRequest(ReplRequestKind.Pickle, true)
{
    private protected override void WriteFields(ReplJsonWriter writer)
    {
        writer.Field("pickleTo", PickleTo);
        writer.Field("proofState", ProofState);
    }
}

/// <summary>
/// <c>{"unpickleProofStateFrom": file, "env": n}</c>: load a pickled proof state. With <see cref="Env"/> the
/// proof state is rebuilt on that environment; without it the REPL re-imports the pickle's imports (slow).
/// </summary>
public sealed record ReplUnpickleProofStateRequest(string UnpickleProofStateFrom, int? Env = null) : ReplRequest(ReplRequestKind.Pickle, true)
{
    private protected override void WriteFields(ReplJsonWriter writer)
    {
        writer.Field("unpickleProofStateFrom", UnpickleProofStateFrom);
        writer.Field("env", Env);
    }
}

/// <summary>Writes one JSON object on one line, escaping only what JSON requires (see <see cref="ReplRequest"/>).</summary>
internal sealed class ReplJsonWriter
{
    private readonly StringBuilder _builder = new("{");
    private bool _first = true;

    public void Field(string name, string? value)
    {
        if (value is null)
        {
            return;
        }

        Name(name);
        WriteString(_builder, value);
    }

    public void Field(string name, int? value)
    {
        if (value is { } number)
        {
            Name(name);
            _builder.Append(number.ToString(CultureInfo.InvariantCulture));
        }
    }

    public void Field(string name, bool? value)
    {
        if (value is { } flag)
        {
            Name(name);
            _builder.Append(flag ? "true" : "false");
        }
    }

    public string Finish() => _builder.Append('}').ToString();

    private void Name(string name)
    {
        if (!_first)
        {
            _builder.Append(", ");
        }

        _first = false;
        WriteString(_builder, name);
        _builder.Append(": ");
    }

    public static void WriteString(StringBuilder builder, string value)
    {
        builder.Append('"');
        foreach (var c in value)
        {
            switch (c)
            {
                case '"': builder.Append("\\\""); break;
                case '\\': builder.Append("\\\\"); break;
                case '\n': builder.Append("\\n"); break;
                case '\r': builder.Append("\\r"); break;
                case '\t': builder.Append("\\t"); break;
                case < ' ': builder.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture)); break;
                default: builder.Append(c); break;
            }
        }

        builder.Append('"');
    }
}
