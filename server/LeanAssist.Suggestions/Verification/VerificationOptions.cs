using Microsoft.Extensions.Options;

namespace LeanAssist.Suggestions.Verification;

/// <summary>Settings of the verification pipeline (section <c>LeanAssist</c>: the editor's <c>leanAssist.*</c>).</summary>
public sealed class VerificationOptions
{
    public const string Section = "LeanAssist";

    /// <summary>
    /// <c>leanAssist.allowNativeDecide</c>: accept the tactics that trust the compiler, not only the kernel
    /// (<c>native_decide</c>, <c>decide +native</c>, <c>bv_decide</c>, <c>bv_check</c>). The setting keeps its first name
    /// so existing settings stay valid.
    /// </summary>
    public bool AllowNativeDecide { get; set; }

    /// <summary><c>leanAssist.portfolioCandidates</c>: how many built-in tactics are tried per goal.</summary>
    public int PortfolioCandidates { get; set; } = 12;

    public RepairOptions Repair { get; set; } = new();

    public VerdictCacheOptions VerdictCache { get; set; } = new();

    public LearningOptions Learning { get; set; } = new();

    public ConfirmationOptions Confirmation { get; set; } = new();

    public TimeoutMemoryOptions Timeouts { get; set; } = new();
}

public sealed class ConfirmationOptions
{
    /// <summary>
    /// <c>leanAssist.confirmation.candidates</c>: how many of a target's candidates that close the goal in tactic mode are checked
    /// at the declaration (elaborated in place of the sorry). Only confirmed ones are offered as closing the goal.
    /// </summary>
    public int Candidates { get; set; } = 3;
}

public sealed class TimeoutMemoryOptions
{
    /// <summary><c>leanAssist.timeouts.skipMinutes</c>: after a tactic timed out on a goal, it is not run there again for this long (0: always run again).</summary>
    public double SkipMinutes { get; set; } = 10;

    /// <summary><c>leanAssist.timeouts.maxSkipMinutes</c>: the skip doubles with each timeout in a row, up to this.</summary>
    public double MaxSkipMinutes { get; set; } = 240;
}

public sealed class RepairOptions
{
    /// <summary><c>leanAssist.repair.rounds</c>: extra LLM rounds that see Lean's errors when nothing solved the goal (0 turns repair off).</summary>
    public int Rounds { get; set; } = 1;

    /// <summary><c>leanAssist.repair.maxFailures</c>: how many failed attempts (with Lean's messages) a repair round shows the LLM.</summary>
    public int MaxFailures { get; set; } = 8;
}

public sealed class VerdictCacheOptions : LeanAssist.Suggestions.Caching.ICacheSettings
{
    /// <summary><c>leanAssist.verdictCache.enabled</c>.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary><c>leanAssist.verdictCache.memoryEntries</c>: verdicts kept in memory (0 turns the memory layer off).</summary>
    public int MemoryEntries { get; set; } = 20_000;

    /// <summary><c>leanAssist.verdictCache.diskEntries</c>: verdicts kept on disk, least recently used dropped first (0 turns it off).</summary>
    public int DiskEntries { get; set; } = 200_000;

    /// <summary><c>leanAssist.verdictCache.directory</c>: where the disk layer lives; empty means <c>&lt;cache root&gt;/verdicts</c>.</summary>
    public string? Directory { get; set; }
}

public sealed class LearningOptions
{
    /// <summary><c>leanAssist.learning.enabled</c>: order and skip portfolio tactics by their past outcomes on similar goals.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary><c>leanAssist.learning.directory</c>: where outcomes are kept; empty means <c>&lt;cache root&gt;/learning</c>.</summary>
    public string? Directory { get; set; }
}

public sealed class VerificationOptionsValidation : IValidateOptions<VerificationOptions>
{
    public ValidateOptionsResult Validate(string? name, VerificationOptions options)
    {
        var failures = new List<string>();
        if (options.PortfolioCandidates is < 1 or > 64)
        {
            failures.Add($"leanAssist.portfolioCandidates must be between 1 and 64 (got {options.PortfolioCandidates}).");
        }

        if (options.Repair.Rounds is < 0 or > 3)
        {
            failures.Add($"leanAssist.repair.rounds must be between 0 and 3 (got {options.Repair.Rounds}).");
        }

        if (options.Repair.MaxFailures is < 1 or > 32)
        {
            failures.Add($"leanAssist.repair.maxFailures must be between 1 and 32 (got {options.Repair.MaxFailures}).");
        }

        if (options.VerdictCache.MemoryEntries is < 0 or > 1_000_000)
        {
            failures.Add($"leanAssist.verdictCache.memoryEntries must be between 0 and 1000000 (got {options.VerdictCache.MemoryEntries}).");
        }

        if (options.VerdictCache.DiskEntries is < 0 or > 10_000_000)
        {
            failures.Add($"leanAssist.verdictCache.diskEntries must be between 0 and 10000000 (got {options.VerdictCache.DiskEntries}).");
        }

        if (options.Confirmation.Candidates is < 1 or > 16)
        {
            failures.Add($"leanAssist.confirmation.candidates must be between 1 and 16 (got {options.Confirmation.Candidates}).");
        }

        if (options.Timeouts.SkipMinutes is < 0 or > 10_080 || double.IsNaN(options.Timeouts.SkipMinutes))
        {
            failures.Add($"leanAssist.timeouts.skipMinutes must be between 0 and 10080 (got {options.Timeouts.SkipMinutes}).");
        }

        if (options.Timeouts.MaxSkipMinutes is < 0 or > 10_080 || double.IsNaN(options.Timeouts.MaxSkipMinutes))
        {
            failures.Add($"leanAssist.timeouts.maxSkipMinutes must be between 0 and 10080 (got {options.Timeouts.MaxSkipMinutes}).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
