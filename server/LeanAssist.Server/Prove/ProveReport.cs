using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace LeanAssist.Server.Prove;

/// <summary>The <c>leanassist prove --json</c> document.</summary>
public sealed record ProveReport(IReadOnlyList<ProvedFile> Files, ProveSummary Summary);

/// <param name="Written">True when <c>--write</c> replaced solved sorries in this file.</param>
/// <param name="Problems">What went wrong loading the file (Lean could not start, a command timed out) or writing it.</param>
/// <param name="Complete">False when Lean could not check the whole file: sorries past the problem were not seen.</param>
/// <param name="CheckedBy">Which Lean checked it: "Lean &lt;toolchain&gt; (lake env &lt;repl&gt;)" or "custom REPL command: …"; null when it was not loaded.</param>
public sealed record ProvedFile(string Path, IReadOnlyList<ProvedTarget> Targets, IReadOnlyList<string> Problems, bool Written, bool Complete = true, string? CheckedBy = null);

/// <param name="Line">1-based line of the sorry.</param>
/// <param name="Column">0-based column of the sorry, in codepoints (as Lean counts).</param>
/// <param name="Status">solved, progress or unsolved.</param>
/// <param name="Tactic">The winning tactic (the best solved one, else the best progress step), or null.</param>
public sealed record ProvedTarget(
    int Line,
    int Column,
    string Goal,
    string Status,
    string? Tactic,
    IReadOnlyList<ProvedCandidate> Candidates,
    IReadOnlyList<string> Problems,
    double Seconds);

/// <param name="Verdict">solved, progress, failed, rejected, timeout or unconfirmed.</param>
/// <param name="Source">The proposer ("portfolio", "llm") or "try-this".</param>
/// <param name="UsesNativeDecide">
/// It trusts the compiler (<c>native_decide</c>, <c>decide +native</c>, <c>bv_decide</c>, <c>bv_check</c>); the JSON name
/// predates the tactics other than native_decide and is kept so report readers keep working.
/// </param>
/// <param name="AlsoProposedBy">Other proposers that suggested the same tactic (up to spacing); Lean ran it once.</param>
public sealed record ProvedCandidate(string Tactic, string Verdict, double LeanMs, string Source, bool FromCache, string? Error, bool UsesNativeDecide, IReadOnlyList<string> AlsoProposedBy);

public sealed record ProveSummary(
    int Files,
    int Targets,
    int Solved,
    int ProgressOnly,
    int Unsolved,
    double Seconds,
    double LeanSeconds,
    int LeanRuns,
    int LeanRequests,
    double LlmSeconds,
    int LlmCalls,
    long InputTokens,
    long OutputTokens,
    decimal CostUsd,
    int VerdictCacheHits,
    int LlmCacheHits,
    int FilesWritten)
{
    /// <summary>Every distinct Lean that checked the files (see <see cref="ProvedFile.CheckedBy"/>).</summary>
    public IReadOnlyList<string> CheckedBy { get; init; } = [];

    /// <summary>Declaration checks run in Lean (the second half of "solved") and their Lean time, part of <see cref="LeanSeconds"/>.</summary>
    public int Confirmations { get; init; }

    public double ConfirmationSeconds { get; init; }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true)]
[JsonSerializable(typeof(ProveReport))]
internal sealed partial class ProveJsonContext : JsonSerializerContext
{
    /// <summary>
    /// Goals and tactics keep their Lean symbols (⊢, ℕ, ∀) as written instead of \u escapes: the
    /// report is read by people and tools on a terminal or in a file, never embedded in HTML.
    /// </summary>
    public static ProveJsonContext Readable { get; } = new(new JsonSerializerOptions
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });
}
