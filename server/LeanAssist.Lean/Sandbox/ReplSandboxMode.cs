namespace LeanAssist.Lean.Sandbox;

/// <summary><c>leanAssist.repl.sandbox</c>: whether REPL processes run inside an OS sandbox (bubblewrap on Linux).</summary>
public enum ReplSandboxMode
{
    /// <summary>Use the sandbox where it works; without it Lean still runs, and doctor and the status say so.</summary>
    Auto,

    /// <summary>Never start Lean without the sandbox: where it is unavailable, verification refuses with the reason.</summary>
    Required,

    /// <summary>Start the REPL unsandboxed (for custom commands that need more than the sandbox allows).</summary>
    Off,
}
