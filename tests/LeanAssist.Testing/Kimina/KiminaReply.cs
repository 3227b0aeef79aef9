using System.Text.Json.Nodes;

namespace LeanAssist.Testing.Kimina;

/// <summary>How the Kimina double answers one snippet (a rule's answer) or one whole request (a queued fault).</summary>
public abstract record KiminaReply
{
    /// <summary>The snippet's CheckResponse carries this REPL answer (positions shifted to where the matched text starts in the body, as the REPL would report them).</summary>
    public sealed record Repl(JsonObject Response) : KiminaReply;

    /// <summary>The snippet's CheckResponse carries <c>error</c> (e.g. Kimina's "Lean REPL command timed out in 60 seconds").</summary>
    public sealed record SnippetError(string Error) : KiminaReply;

    /// <summary>The whole request is answered with this status and FastAPI's <c>{"detail": ...}</c> (429 "No available REPLs", 500, 401).</summary>
    public sealed record Status(int Code, string Detail) : KiminaReply;

    /// <summary>The whole request is answered 200 with this body (not Kimina's format).</summary>
    public sealed record Malformed(string Body) : KiminaReply;

    /// <summary>The request is never answered (until the client gives up).</summary>
    public sealed record Hang : KiminaReply;

    public static KiminaReply Recorded(string transcript, int index) => new Repl(RecordedReplAnswers.Get(transcript, index));

    public static KiminaReply NoAvailableRepls { get; } = new Status(429, "No available REPLs");

    public static KiminaReply InternalError(string detail = "REPL prep failed") => new Status(500, detail);

    public static KiminaReply TimedOut(int seconds) => new SnippetError($"Lean REPL command timed out in {seconds} seconds");
}
