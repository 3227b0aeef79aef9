using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace LeanAssist.ReplStandIn;

/// <summary>A latency: a fixed number of milliseconds, or uniform between a minimum and a maximum.</summary>
public sealed record Latency(double MinMilliseconds, double MaxMilliseconds)
{
    public static readonly Latency Zero = new(0, 0);

    public static Latency Fixed(double milliseconds) => new(milliseconds, milliseconds);

    public TimeSpan Sample(Random random) =>
        TimeSpan.FromMilliseconds(MinMilliseconds + (MaxMilliseconds - MinMilliseconds) * random.NextDouble());

    /// <summary>A JSON number (ms), <c>{"min": a, "max": b}</c>, or null.</summary>
    public static Latency? FromJson(JsonNode? node, double scale = 1) => node switch
    {
        null => null,
        JsonObject range => new Latency(((double?)range["min"] ?? 0) * scale, ((double?)range["max"] ?? (double?)range["min"] ?? 0) * scale),
        _ => Fixed((double)node * scale),
    };
}

/// <summary>The goals of the sorries in a declaration: by exact name or by a regex over the declaration's text.</summary>
public sealed record GoalRule(string? Declaration, Regex? Pattern, IReadOnlyList<string> Goals)
{
    public bool Matches(LeanTextScan.Declaration declaration) =>
        Declaration is not null ? declaration.Name == Declaration : Pattern!.IsMatch(declaration.Text);
}

/// <summary>An override for commands whose text matches <see cref="Pattern"/>.</summary>
public sealed record CommandRule(Regex Pattern)
{
    /// <summary>Messages to add, each with a position (explicit line/column, or the first occurrence of "at").</summary>
    public JsonArray? Messages { get; init; }

    /// <summary>Answer <c>{"message": ReplError}</c> instead.</summary>
    public string? ReplError { get; init; }

    /// <summary>Report no sorries (as for a term sorry without expected type).</summary>
    public bool NoSorries { get; init; }

    public Latency? Latency { get; init; }

    public FaultKind? Fault { get; init; }
}

/// <summary>What a tactic does, for tactics matching <see cref="Tactic"/> (exact) or <see cref="Pattern"/> (regex), optionally only on goals matching <see cref="GoalPattern"/>.</summary>
public sealed record TacticRule(string? Tactic, Regex? Pattern, Regex? GoalPattern, string Result)
{
    /// <summary>Goals after the tactic, for "progress".</summary>
    public IReadOnlyList<string> Goals { get; init; } = [];

    /// <summary>The error message ("error", "replError", "kernelError").</summary>
    public string? Message { get; init; }

    /// <summary>An info message to attach (e.g. "Try this: exact Nat.le_refl _" for <c>exact?</c>).</summary>
    public string? Info { get; init; }

    public IReadOnlyList<string> Traces { get; init; } = [];

    public Latency? Latency { get; init; }

    public FaultKind? Fault { get; init; }

    /// <summary>An error Lean reports for any command containing this rule's exact tactic text (the declaration with the tactic in place of its sorry).</summary>
    public string? DeclarationError { get; init; }

    public bool Matches(string tactic, string? firstGoal) =>
        (Tactic is not null ? Tactic == tactic : Pattern is null || Pattern.IsMatch(tactic))
        && (GoalPattern is null || firstGoal is not null && GoalPattern.IsMatch(firstGoal));

    public static readonly string[] Results = ["completed", "progress", "noChange", "error", "sorry", "kernelError", "metavariables", "replError"];
}

/// <summary>A scripted model of the REPL (see README.md for the format).</summary>
public sealed class Script
{
    public int Seed { get; init; } = 1;

    public Latency Startup { get; init; } = Latency.Zero;

    /// <summary>Latencies are CPU time burnt (as real Lean spends them) rather than sleeps.</summary>
    public bool CpuBound { get; init; }

    /// <summary>Importing a header (a <c>cmd</c> without <c>env</c> that has <c>import</c> lines).</summary>
    public Latency Header { get; init; } = Latency.Zero;

    public Latency Command { get; init; } = Latency.Zero;

    public Latency Tactic { get; init; } = Latency.Zero;

    public Latency Pickle { get; init; } = Latency.Zero;

    public Latency Unpickle { get; init; } = Latency.Zero;

    public IReadOnlyList<GoalRule> Goals { get; init; } = [];

    public IReadOnlyList<CommandRule> Commands { get; init; } = [];

    public IReadOnlyList<TacticRule> Tactics { get; init; } = [];

    public TacticRule DefaultTactic { get; init; } = new(null, null, null, "error") { Message = "unknown tactic (stand-in: no tactic rule matched)" };

    public IReadOnlyList<FaultSpec> Faults { get; init; } = [];

    public static Script Load(string? file, StandInOptions options)
    {
        var json = file is null ? new JsonObject() : JsonNode.Parse(File.ReadAllText(file), documentOptions: new JsonDocumentOptions
        {
            CommentHandling = JsonCommentHandling.Skip,
            AllowTrailingCommas = true,
        })?.AsObject() ?? throw new UsageException($"{file} is not a JSON object");

        Regex? RegexOf(JsonNode? node) => node is null ? null : new Regex((string)node!, RegexOptions.Singleline | RegexOptions.CultureInvariant);
        FaultKind? FaultOf(JsonNode? node) => node is null ? null : FaultSpec.ParseKind((string)node!);
        IReadOnlyList<string> Strings(JsonNode? node) => node?.AsArray().Select(g => (string)g!).ToArray() ?? [];

        TacticRule ParseTactic(JsonObject rule)
        {
            var result = (string?)rule["result"] ?? "completed";
            if (!TacticRule.Results.Contains(result))
            {
                throw new UsageException($"unknown tactic result \"{result}\" (one of {string.Join(", ", TacticRule.Results)})");
            }

            return new TacticRule((string?)rule["tactic"], RegexOf(rule["pattern"]), RegexOf(rule["goalPattern"]), result)
            {
                Goals = Strings(rule["goals"]),
                Message = (string?)rule["message"],
                Info = (string?)rule["info"],
                Traces = Strings(rule["traces"]),
                Latency = Latency.FromJson(rule["latencyMs"]),
                Fault = FaultOf(rule["fault"]),
                DeclarationError = (string?)rule["declarationError"],
            };
        }

        var faults = json["faults"]?.AsArray().Select(f => FaultSpec.FromJson(f!.AsObject())).ToList() ?? [];
        faults.AddRange(options.Faults);
        return new Script
        {
            Seed = (int?)json["seed"] ?? 1,
            CpuBound = options.CpuBound ?? (bool?)json["cpuBound"] ?? false,
            Startup = options.StartupMilliseconds is { } startup ? Latency.Fixed(startup) : Latency.FromJson(json["startupMs"]) ?? Latency.Zero,
            Header = options.HeaderSeconds is { } header ? Latency.Fixed(header * 1000) : Latency.FromJson(json["headerSeconds"], 1000) ?? Latency.Zero,
            Command = options.CommandMilliseconds is { } command ? Latency.Fixed(command) : Latency.FromJson(json["commandMs"]) ?? Latency.Zero,
            Tactic = options.TacticMilliseconds is { } tactic ? Latency.Fixed(tactic) : Latency.FromJson(json["tacticMs"]) ?? Latency.Zero,
            Pickle = Latency.FromJson(json["pickleMs"]) ?? Latency.Zero,
            Unpickle = Latency.FromJson(json["unpickleMs"]) ?? Latency.Zero,
            Goals = json["goals"]?.AsArray().Select(g => new GoalRule((string?)g!["declaration"], RegexOf(g["pattern"]), Strings(g["goals"]))).ToArray() ?? [],
            Commands = json["commands"]?.AsArray().Select(c => new CommandRule(RegexOf(c!["pattern"]) ?? throw new UsageException("a command rule needs \"pattern\""))
            {
                Messages = c["messages"]?.AsArray(),
                ReplError = (string?)c["replError"],
                NoSorries = (bool?)c["noSorries"] ?? false,
                Latency = Latency.FromJson(c["latencyMs"]),
                Fault = FaultOf(c["fault"]),
            }).ToArray() ?? [],
            Tactics = json["tactics"]?.AsArray().Select(t => ParseTactic(t!.AsObject())).ToArray() ?? [],
            DefaultTactic = json["defaultTactic"] is JsonObject fallback ? ParseTactic(fallback) : new Script().DefaultTactic,
            Faults = faults,
        };
    }
}
