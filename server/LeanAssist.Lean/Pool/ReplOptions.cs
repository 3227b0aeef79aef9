using LeanAssist.Lean.Sandbox;
using Microsoft.Extensions.Options;

namespace LeanAssist.Lean.Pool;

/// <summary>How a candidate's proof state reaches a session other than the one that first elaborated it.</summary>
public enum ProofStateTransfer
{
    /// <summary>Elaborate the declaration again in that session (its prefix environment is reused there).</summary>
    Replay,

    /// <summary>Pickle the proof state to a file once and unpickle it (on the prefix environment) in other sessions.</summary>
    Pickle,

    /// <summary>
    /// Pickle when elaborating the declaration took longer than <see cref="ReplOptions.PickleAboveMilliseconds"/>,
    /// else replay (measured with the stand-in: replay wins for cheap declarations, pickling for expensive ones).
    /// </summary>
    Auto,
}

/// <summary>
/// The <c>leanAssist.repl.*</c> settings (configuration section <c>LeanAssist:repl</c>). Read through
/// IOptionsMonitor: sizes and limits apply to the next request; a new <see cref="Command"/> restarts the sessions.
/// </summary>
public sealed class ReplOptions
{
    public const string Section = "LeanAssist:repl";

    /// <summary>Replaces the launch entirely: a command line (quotes honoured), run in the project root. Empty: <c>lake env &lt;repl&gt;</c>.</summary>
    public string? Command { get; set; }

    /// <summary><c>leanAssist.repl.sandbox</c>: run REPL processes in the OS sandbox (bubblewrap) — where available, always, or never. Applies to processes started after a change.</summary>
    public ReplSandboxMode Sandbox { get; set; } = ReplSandboxMode.Auto;

    /// <summary>REPL sessions per (project, imports) group. Unset: derived from cores and memory (<see cref="DefaultSessions"/>).</summary>
    public int? Sessions { get; set; }

    /// <summary>REPL processes across all groups. Unset: twice <see cref="EffectiveSessions"/>.</summary>
    public int? MaxTotalSessions { get; set; }

    /// <summary>Resident memory per REPL process tree before it is recycled (killed if it is working). 0: derived from the machine's memory.</summary>
    public int MemoryLimitMegabytes { get; set; }

    /// <summary>How long one command or tactic may take before its process is killed.</summary>
    public double RequestTimeoutSeconds { get; set; } = 60;

    /// <summary>How long importing a header may take (a cold Mathlib import takes tens of seconds).</summary>
    public double HeaderTimeoutSeconds { get; set; } = 600;

    /// <summary>Restart a session after this many requests (the REPL keeps every state it ever made).</summary>
    public int RecycleAfterRequests { get; set; } = 2000;

    /// <summary>Requests waiting for a session before new work is refused.</summary>
    public int QueueLimit { get; set; } = 512;

    /// <summary>Largest REPL answer accepted; a larger one fails the request and recycles the session.</summary>
    public int MaxResponseMegabytes { get; set; } = 32;

    /// <summary>
    /// <c>leanAssist.repl.persistOutcomes</c>: keep what Lean said about each command on disk (by
    /// fingerprint), so a file whose text is unchanged loads after a restart without any Lean work.
    /// </summary>
    public bool PersistOutcomes { get; set; } = true;

    /// <summary><c>leanAssist.repl.outcomeCacheDirectory</c>: where they are kept; empty means <c>&lt;cache root&gt;/lean-outcomes</c>.</summary>
    public string? OutcomeCacheDirectory { get; set; }

    /// <summary>Stop a group's sessions after this long without work (0: never).</summary>
    public double IdleMinutes { get; set; } = 30;

    public ProofStateTransfer ProofStateTransfer { get; set; } = ProofStateTransfer.Auto;

    /// <summary>With <see cref="ProofStateTransfer.Auto"/>: pickle proof states of declarations that took longer than this to elaborate.</summary>
    public double PickleAboveMilliseconds { get; set; } = 500;

    public int EffectiveSessions => Sessions ?? DefaultSessions(Environment.ProcessorCount, TotalMemoryBytes);

    public int EffectiveMaxTotalSessions => MaxTotalSessions ?? EffectiveSessions * 2;

    public long EffectiveMemoryLimitBytes => MemoryLimitMegabytes > 0
        ? MemoryLimitMegabytes * 1024L * 1024
        : DefaultMemoryLimitBytes(TotalMemoryBytes, EffectiveSessions);

    public TimeSpan RequestTimeout => TimeSpan.FromSeconds(RequestTimeoutSeconds);

    public TimeSpan HeaderTimeout => TimeSpan.FromSeconds(HeaderTimeoutSeconds);

    public long MaxResponseBytes => MaxResponseMegabytes * 1024L * 1024;

    /// <summary>
    /// One session per core beyond the first (Lean elaborates on one core per request), at most one per
    /// 4 GB beyond 2 GB (a Mathlib session holds 3-4 GB), between 1 and 8.
    /// </summary>
    public static int DefaultSessions(int cores, long memoryBytes)
    {
        var byCores = Math.Max(1, cores - 1);
        var byMemory = (int)Math.Max(1, (memoryBytes / (1024L * 1024 * 1024) - 2) / 4);
        return Math.Clamp(Math.Min(byCores, byMemory), 1, 8);
    }

    /// <summary>Three quarters of the memory shared by the sessions, between 2 GB and 16 GB each.</summary>
    public static long DefaultMemoryLimitBytes(long memoryBytes, int sessions) =>
        Math.Clamp(memoryBytes * 3 / 4 / Math.Max(1, sessions), 2L << 30, 16L << 30);

    private static long TotalMemoryBytes => GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
}

/// <summary>Checks <see cref="ReplOptions"/>; every message names the setting and says what is allowed.</summary>
public sealed class ReplOptionsValidation : IValidateOptions<ReplOptions>
{
    public ValidateOptionsResult Validate(string? name, ReplOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (!string.IsNullOrWhiteSpace(options.Command) && !Repl.CommandLineSplitter.TrySplit(options.Command, out _, out var error))
        {
            failures.Add($"leanAssist.repl.command cannot be read: {error}.");
        }

        Check(options.Sessions is null or (>= 1 and <= 64), $"leanAssist.repl.sessions must be between 1 and 64 (got {options.Sessions}).");
        Check(options.MaxTotalSessions is null or (>= 1 and <= 256), $"leanAssist.repl.maxTotalSessions must be between 1 and 256 (got {options.MaxTotalSessions}).");
        Check(options.MemoryLimitMegabytes is >= 0 and <= 1_048_576, $"leanAssist.repl.memoryLimitMegabytes must be 0 (automatic) or a positive number of MB (got {options.MemoryLimitMegabytes}).");
        Check(options.RequestTimeoutSeconds is > 0 and <= 86_400, $"leanAssist.repl.requestTimeoutSeconds must be between 0 and 86400 (got {options.RequestTimeoutSeconds}).");
        Check(options.HeaderTimeoutSeconds is > 0 and <= 86_400, $"leanAssist.repl.headerTimeoutSeconds must be between 0 and 86400 (got {options.HeaderTimeoutSeconds}).");
        Check(options.RecycleAfterRequests >= 1, $"leanAssist.repl.recycleAfterRequests must be at least 1 (got {options.RecycleAfterRequests}).");
        Check(options.QueueLimit is >= 1 and <= 1_000_000, $"leanAssist.repl.queueLimit must be between 1 and 1000000 (got {options.QueueLimit}).");
        Check(options.MaxResponseMegabytes is >= 1 and <= 2047, $"leanAssist.repl.maxResponseMegabytes must be between 1 and 2047 (got {options.MaxResponseMegabytes}).");
        Check(options.IdleMinutes >= 0, $"leanAssist.repl.idleMinutes must be 0 (never) or positive (got {options.IdleMinutes}).");
        Check(Enum.IsDefined(options.ProofStateTransfer), $"leanAssist.repl.proofStateTransfer must be \"auto\", \"replay\" or \"pickle\" (got {options.ProofStateTransfer}).");
        Check(Enum.IsDefined(options.Sandbox), $"leanAssist.repl.sandbox must be \"auto\", \"required\" or \"off\" (got {options.Sandbox}).");
        Check(options.PickleAboveMilliseconds >= 0, $"leanAssist.repl.pickleAboveMilliseconds must not be negative (got {options.PickleAboveMilliseconds}).");
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);

        void Check(bool valid, string message)
        {
            if (!valid)
            {
                failures.Add(message);
            }
        }
    }
}
