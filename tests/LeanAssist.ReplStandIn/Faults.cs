using System.Globalization;
using System.Text.Json.Nodes;

namespace LeanAssist.ReplStandIn;

/// <summary>The faults the stand-in can inject (see README.md).</summary>
public enum FaultKind
{
    /// <summary>Exit at once without answering.</summary>
    Crash,

    /// <summary>Write the first half of the answer, then exit.</summary>
    CrashMidResponse,

    /// <summary>Never answer (sleep until killed).</summary>
    Hang,

    /// <summary>Answer with text that is not JSON (ended by a blank line).</summary>
    Garbage,

    /// <summary>Answer with a valid response carrying a message of <c>megabytes</c> MB (default 50).</summary>
    Huge,

    /// <summary>Sleep <c>delayMs</c> before reading the first request.</summary>
    SlowStart,

    /// <summary>On a header request (a cmd without env), exit halfway through the import latency.</summary>
    DieDuringHeader,

    /// <summary>Allocate and touch <c>megabytes</c> MB (default 64) of memory per request, never freed.</summary>
    MemoryGrowth,

    /// <summary>Answer <c>{"message": message}</c> (default "Unknown proof state.") instead: a REPL refusal, process kept.</summary>
    Refuse,
}

/// <summary>
/// When a fault applies: on request number <see cref="OnRequest"/> (1-based, per process), to requests of
/// <see cref="RequestKind"/>, to the tactic <see cref="Tactic"/>, and only in the processes whose ordinals are
/// in <see cref="Processes"/> (1 = first stand-in process started with the same state directory). Unset
/// selectors match everything.
/// </summary>
public sealed record FaultSpec(FaultKind Kind)
{
    public int? OnRequest { get; init; }

    public string? RequestKind { get; init; }

    public string? Tactic { get; init; }

    public IReadOnlyList<int>? Processes { get; init; }

    public double Megabytes { get; init; }

    public double DelayMilliseconds { get; init; }

    /// <summary>What a <see cref="FaultKind.Refuse"/> answers.</summary>
    public string? Message { get; init; }

    public bool AppliesToProcess(int ordinal) => Processes is null || Processes.Contains(ordinal);

    public bool AppliesTo(int requestNumber, string requestKind, string? tactic) =>
        (OnRequest is null || OnRequest == requestNumber)
        && (RequestKind is null || RequestKind == requestKind || RequestKind == "command" && requestKind == "header")
        && (Tactic is null || Tactic == tactic);

    /// <summary>Parses <c>KIND[@REQUEST][#P1,P2]</c>, e.g. <c>crash@3</c>, <c>dieDuringHeader#1</c>, <c>huge@2</c>.</summary>
    public static FaultSpec Parse(string text)
    {
        var processes = (IReadOnlyList<int>?)null;
        var hash = text.IndexOf('#', StringComparison.Ordinal);
        if (hash >= 0)
        {
            processes = text[(hash + 1)..].Split(',').Select(p => int.Parse(p, CultureInfo.InvariantCulture)).ToArray();
            text = text[..hash];
        }

        int? onRequest = null;
        var at = text.IndexOf('@', StringComparison.Ordinal);
        if (at >= 0)
        {
            onRequest = int.Parse(text[(at + 1)..], CultureInfo.InvariantCulture);
            text = text[..at];
        }

        return Of(ParseKind(text)) with { OnRequest = onRequest, Processes = processes };
    }

    /// <summary>A fault of <paramref name="kind"/> with its default size and no selectors (it applies everywhere).</summary>
    public static FaultSpec Of(FaultKind kind) => new(kind) { Megabytes = DefaultMegabytes(kind) };

    public static FaultSpec FromJson(JsonObject json)
    {
        var kind = ParseKind((string?)json["kind"] ?? throw new UsageException("a fault needs \"kind\""));
        return new FaultSpec(kind)
        {
            OnRequest = (int?)json["onRequest"],
            RequestKind = (string?)json["requestKind"],
            Tactic = (string?)json["tactic"],
            Processes = json["processes"]?.AsArray().Select(p => (int)p!).ToArray(),
            Megabytes = (double?)json["megabytes"] ?? DefaultMegabytes(kind),
            DelayMilliseconds = (double?)json["delayMs"] ?? 0,
            Message = (string?)json["message"],
        };
    }

    public static FaultKind ParseKind(string text) =>
        Enum.TryParse<FaultKind>(text, ignoreCase: true, out var kind)
            ? kind
            : throw new UsageException($"unknown fault \"{text}\" (one of {string.Join(", ", Enum.GetNames<FaultKind>())})");

    private static double DefaultMegabytes(FaultKind kind) => kind switch
    {
        FaultKind.Huge => 50,
        FaultKind.MemoryGrowth => 64,
        _ => 0,
    };
}
