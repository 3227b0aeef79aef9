namespace LeanAssist.Lean.Repl;

/// <summary>Why a REPL process could not answer a request. After any of these the process is unusable and is killed.</summary>
public enum ReplFailureKind
{
    /// <summary>The process could not be started (program not found, not executable).</summary>
    StartFailed,

    /// <summary>No complete answer within the time limit (the REPL cannot be interrupted, so the process is killed).</summary>
    Timeout,

    /// <summary>The process exited (crashed, was killed, or closed its output) before answering.</summary>
    Exited,

    /// <summary>The answer was not the REPL's JSON (garbage on stdout, wrong shape).</summary>
    Protocol,

    /// <summary>The answer was larger than the configured limit.</summary>
    ResponseTooLarge,

    /// <summary>The process used more memory than the configured limit while working.</summary>
    MemoryLimit,
}

/// <summary>A REPL process failed (see <see cref="Kind"/>); the message says what happened, for the user and the log.</summary>
public sealed class ReplFailureException(ReplFailureKind kind, string message, Exception? inner = null) : Exception(message, inner)
{
    public ReplFailureKind Kind { get; } = kind;
}
