using System.Globalization;

namespace LeanAssist.ReplStandIn;

/// <summary>Command-line flags, with environment variables as fallbacks (flags win, then environment, then the script).</summary>
public sealed class StandInOptions
{
    public string? Positional { get; private set; }

    public string? ScriptFile { get; private set; }

    public string? LogFile { get; private set; }

    public string? StateDirectory { get; private set; }

    public double? HeaderSeconds { get; private set; }

    public double? CommandMilliseconds { get; private set; }

    public double? TacticMilliseconds { get; private set; }

    public double? StartupMilliseconds { get; private set; }

    public bool SpawnChild { get; private set; }

    /// <summary>Burn CPU for Lean's time instead of sleeping (real Lean is CPU-bound); null: as the script says.</summary>
    public bool? CpuBound { get; private set; }

    public List<FaultSpec> Faults { get; } = [];

    public static StandInOptions Parse(string[] args)
    {
        var options = new StandInOptions
        {
            LogFile = Environment.GetEnvironmentVariable(Program.LogVariable) is { Length: > 0 } log ? log : null,
            StateDirectory = Environment.GetEnvironmentVariable(Program.StateDirectoryVariable) is { Length: > 0 } state ? state : null,
            HeaderSeconds = Number(Environment.GetEnvironmentVariable("LEANASSIST_STANDIN_HEADER_SECONDS")),
            CommandMilliseconds = Number(Environment.GetEnvironmentVariable("LEANASSIST_STANDIN_COMMAND_MS")),
            TacticMilliseconds = Number(Environment.GetEnvironmentVariable("LEANASSIST_STANDIN_TACTIC_MS")),
            CpuBound = Environment.GetEnvironmentVariable("LEANASSIST_STANDIN_CPU_BOUND") is { Length: > 0 } cpu ? cpu is "1" or "true" : null,
        };
        if (Environment.GetEnvironmentVariable("LEANASSIST_STANDIN_FAULTS") is { Length: > 0 } faults)
        {
            options.Faults.AddRange(faults.Split(';', StringSplitOptions.RemoveEmptyEntries).Select(FaultSpec.Parse));
        }

        for (var i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new UsageException($"{args[i]} needs a value");
            switch (args[i])
            {
                case "--script": options.ScriptFile = Value(); break;
                case "--log": options.LogFile = Value(); break;
                case "--state-dir": options.StateDirectory = Value(); break;
                case "--header-seconds": options.HeaderSeconds = Number(Value()); break;
                case "--command-ms": options.CommandMilliseconds = Number(Value()); break;
                case "--tactic-ms": options.TacticMilliseconds = Number(Value()); break;
                case "--startup-ms": options.StartupMilliseconds = Number(Value()); break;
                case "--fault": options.Faults.Add(FaultSpec.Parse(Value())); break;
                case "--spawn-child": options.SpawnChild = true; break;
                case "--cpu-bound": options.CpuBound = true; break;
                default:
                    if (args[i].StartsWith("--", StringComparison.Ordinal) || options.Positional is not null)
                    {
                        throw new UsageException($"unknown argument \"{args[i]}\"");
                    }

                    options.Positional = args[i];
                    break;
            }
        }

        // A log without a state directory still numbers processes: the state lives beside the log.
        options.StateDirectory ??= options.LogFile is null ? null : options.LogFile + ".state";
        return options;
    }

    private static double? Number(string? text) =>
        string.IsNullOrWhiteSpace(text) ? null
        : double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) ? value
        : throw new UsageException($"\"{text}\" is not a number");
}
