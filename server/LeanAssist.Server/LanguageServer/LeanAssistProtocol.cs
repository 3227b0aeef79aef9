using System.Text.Json;
using System.Text.Json.Serialization;
using LeanAssist.Protocol.Lsp;

// LeanAssist's own LSP messages. Each method name is declared once here and mirrored, with the same
// payload shapes, in client-vscode/src/protocol.ts. Change both together.
namespace LeanAssist.Server.LanguageServer;

/// <summary>Custom LSP methods.</summary>
public static class LeanAssistMethods
{
    /// <summary>Server → client notification: what the status bar shows. Sent when something changes, at most a few times a second.</summary>
    public const string Status = "leanAssist/status";

    /// <summary>Client → server request: the metrics snapshot (<see cref="MetricsSnapshot"/>).</summary>
    public const string Metrics = "leanAssist/metrics";

    /// <summary>Client → server notification: an API key from VS Code's SecretStorage (kept in memory only), or null to forget it.</summary>
    public const string SetApiKey = "leanAssist/setApiKey";
}

/// <summary>Commands the server executes (<c>workspace/executeCommand</c>); the client registers them in VS Code.</summary>
public static class LeanAssistCommands
{
    /// <summary>Arguments: one <see cref="SuggestArguments"/>. Result: <see cref="SuggestResult"/>. Reports progress; cancellable.</summary>
    public const string Suggest = "leanAssist.suggest";

    /// <summary>Kills and restarts every Lean session. Result: null.</summary>
    public const string RestartLean = "leanAssist.restartLean";

    /// <summary>Clears the verdict and LLM caches and the learned tactic outcomes (memory and disk). Result: <see cref="ClearCacheResult"/>.</summary>
    public const string ClearCache = "leanAssist.clearCache";

    /// <summary>Result: <see cref="MetricsSnapshot"/> (the client renders it).</summary>
    public const string ShowMetrics = "leanAssist.showMetrics";

    /// <summary>
    /// Arguments: one <see cref="SuggestArguments"/> (at a <c>sorry</c>). Result: <see cref="SearchProofResult"/>. A multi-step proof search
    /// (it may ask the LLM, so it runs only when asked); reports progress (nodes explored, best depth, spend); cancellable.
    /// </summary>
    public const string SearchProof = "leanAssist.searchProof";

    public static string[] All { get; } = [Suggest, RestartLean, ClearCache, ShowMetrics, SearchProof];
}

public enum Health
{
    [JsonStringEnumMemberName("ok")]
    Ok,

    [JsonStringEnumMemberName("degraded")]
    Degraded,

    [JsonStringEnumMemberName("error")]
    Error,
}

/// <summary>The payload of <c>leanAssist/status</c>.</summary>
/// <remarks>Compared by value to skip resending an unchanged status: keep every member a scalar, a string or a record of those.</remarks>
public sealed record StatusParams(
    Health Health,
    string? HealthReason,
    SessionStatus Sessions,
    int QueueDepth,
    int RunningSuggestions,
    LastRunStatus? LastRun,
    CacheStatus Cache,
    SpendStatus Spend,
    LlmStatusView Llm,
    SandboxStatusView? Sandbox = null)
{
    /// <summary>Where Lean checks candidates (absent from older servers' notifications).</summary>
    public VerificationStatusView? Verification { get; init; }
}

/// <summary>The verification backend: "local" or "kimina", a one-line summary, and for Kimina each server's health.</summary>
/// <param name="Servers">For Kimina: one entry per server, "host:port healthy" or "host:port failing (last error)".</param>
public sealed record VerificationStatusView(string Backend, string Summary, int HealthyServers, int TotalServers, string? Servers);

public sealed record SessionStatus(int Warm, int Starting, int Busy, int Total, int Restarts);

public sealed record LastRunStatus(string FinishedAt, double DurationMs, int Tried, int Verified, int Solved, bool FromCache);

/// <summary>Hit rates are 0..1 (null when nothing was looked up yet).</summary>
public sealed record CacheStatus(double? VerdictHitRate, long VerdictHits, long VerdictLookups, double? LlmHitRate, long LlmHits, long LlmLookups);

public sealed record SpendStatus(decimal TodayUsd, decimal? DailyCapUsd, bool CapReached, string? CapReason);

/// <summary>Provider "none" means the built-in portfolio only.</summary>
public sealed record LlmStatusView(string Provider, string? Model, bool Available, string? Reason);

/// <summary>The REPL sandbox (<c>leanAssist.repl.sandbox</c>): mode "auto", "required" or "off"; <see cref="Active"/> when REPL processes start inside it.</summary>
public sealed record SandboxStatusView(string Mode, bool Active, string Summary);

public sealed record SetApiKeyParams(string Provider, string? Key);

/// <summary>Where to suggest: a document and a position in it (LSP coordinates).</summary>
public sealed record SuggestArguments(string Uri, Position Position, int? Version = null);

public sealed record SuggestResult(string Uri, int Version, Protocol.Lsp.Range? Target, string? Goal, SuggestionView[] Suggestions, string? Message);

/// <summary>One verified (or failed) candidate as the client shows it.</summary>
/// <param name="UsesNativeDecide">
/// It trusts the compiler (<c>native_decide</c>, <c>decide +native</c>, <c>bv_decide</c>, <c>bv_check</c>); the wire name
/// predates the tactics other than native_decide and is kept so clients keep working.
/// </param>
public sealed record SuggestionView(
    string Tactic,
    string Verdict,
    string[] RemainingGoals,
    double LeanMs,
    string Source,
    bool FromCache,
    bool UsesNativeDecide,
    string? Error);

/// <summary>What a proof search found (the quick fix "proof found" then applies <see cref="Script"/>).</summary>
/// <param name="Outcome">found, exhausted, budget or unavailable.</param>
public sealed record SearchProofResult(
    string Uri,
    int Version,
    Protocol.Lsp.Range? Target,
    string Outcome,
    string? Script,
    SearchStepView[] Steps,
    int NodesExplored,
    int Depth,
    double Seconds,
    int LeanRuns,
    decimal CostUsd,
    bool FromCache,
    string Message);

/// <summary>One step of a found proof: its tactic, "solved" or "progress", and how many goals it left in place of the one it ran on.</summary>
public sealed record SearchStepView(string Tactic, string Verdict, int GoalsLeft, double LeanMs, string Source);

public sealed record ClearCacheResult(long VerdictEntriesRemoved, long LlmEntriesRemoved);

/// <summary>The payload of <c>leanAssist/metrics</c> and <c>leanAssist.showMetrics</c>.</summary>
public sealed record MetricsSnapshot(
    string TakenAt,
    CounterValue[] Counters,
    HistogramValue[] Histograms,
    RecentRun[] RecentRuns,
    StatusParams Status);

/// <summary>One counter or gauge series; <see cref="Kind"/> tells which.</summary>
public sealed record CounterValue(string Name, Dictionary<string, string> Attributes, double Value, MetricKind Kind);

public enum MetricKind
{
    /// <summary>A total that only grows (Prometheus: <c>counter</c>, name ends in <c>_total</c>).</summary>
    [JsonStringEnumMemberName("counter")]
    Counter,

    /// <summary>A current value that may go down as well as up, e.g. sessions by state (Prometheus: <c>gauge</c>).</summary>
    [JsonStringEnumMemberName("gauge")]
    Gauge,
}

public sealed record HistogramValue(string Name, string Unit, Dictionary<string, string> Attributes, long Count, double Sum, double P50, double P90, double P99);

public sealed record RecentRun(string FinishedAt, double DurationMs, int Tried, int Verified, int Solved, double LeanMs, double LlmMs, int CacheHits, decimal CostUsd);

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    UseStringEnumConverter = true,
    RespectNullableAnnotations = true,
    RespectRequiredConstructorParameters = true)]
[JsonSerializable(typeof(StatusParams))]
[JsonSerializable(typeof(SetApiKeyParams))]
[JsonSerializable(typeof(SuggestArguments))]
[JsonSerializable(typeof(SuggestResult))]
[JsonSerializable(typeof(ClearCacheResult))]
[JsonSerializable(typeof(SearchProofResult))]
[JsonSerializable(typeof(MetricsSnapshot))]
[JsonSerializable(typeof(JsonElement?))]
public sealed partial class LeanAssistJsonContext : JsonSerializerContext;
