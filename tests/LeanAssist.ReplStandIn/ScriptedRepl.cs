using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace LeanAssist.ReplStandIn;

/// <summary>
/// A scripted model of the REPL: environments and proof states with increasing ids, sorries with goals,
/// tactic outcomes from rules, pickling to files, latencies, and injected faults. Answers are printed
/// in the real REPL's format (<see cref="LeanJsonPrinter"/>).
/// </summary>
public sealed class ScriptedRepl : IStandInMode
{
    private readonly Script _script;
    private readonly int _processOrdinal;
    private readonly Random _random;
    private readonly List<EnvironmentModel> _environments = [];
    private readonly List<ProofStateModel> _proofStates = [];
    private readonly List<byte[]> _heldMemory = [];

    private ScriptedRepl(Script script, int processOrdinal)
    {
        _script = script;
        _processOrdinal = processOrdinal;
        _random = new Random(script.Seed + processOrdinal);
    }

    private sealed record EnvironmentModel(IReadOnlyList<string> Imports);

    private sealed record ProofStateModel(IReadOnlyList<string> Goals);

    public static ScriptedRepl Create(StandInOptions options, int processOrdinal) =>
        new(Script.Load(options.ScriptFile, options), processOrdinal);

    public void BeforeFirstRequest()
    {
        var slowStart = ActiveFaults().FirstOrDefault(f => f.Kind == FaultKind.SlowStart);
        var delay = _script.Startup.Sample(_random) + TimeSpan.FromMilliseconds(slowStart?.DelayMilliseconds ?? 0);
        Spend(delay);
    }

    /// <summary>
    /// Lean's time for a request: slept, or (CPU-bound mode) burnt as this process's CPU time, so that
    /// stand-ins compete for the cores as real Lean processes do and parallel figures show what the machine allows.
    /// </summary>
    private void Spend(TimeSpan latency)
    {
        if (latency <= TimeSpan.Zero)
        {
            return;
        }

        if (!_script.CpuBound)
        {
            Thread.Sleep(latency);
            return;
        }

        // This thread's CPU time where the OS says it (Linux), so the runtime's own threads (JIT, GC) do not
        // count towards Lean's time; the whole process's elsewhere.
        using var self = System.Diagnostics.Process.GetCurrentProcess();
        Func<TimeSpan> spent = ThreadCpuTime.Available ? ThreadCpuTime.Now : () =>
        {
            self.Refresh();
            return self.TotalProcessorTime;
        };
        var target = spent() + latency;
        var sink = 0UL;
        while (spent() < target)
        {
            for (var i = 0; i < 200_000; i++)
            {
                sink = (sink * 6364136223846793005UL) + 1442695040888963407UL;
            }
        }

        GC.KeepAlive(sink);
    }

    private IEnumerable<FaultSpec> ActiveFaults() => _script.Faults.Where(f => f.AppliesToProcess(_processOrdinal));

    public int? Answer(ReplWire wire, JsonElement request, int number, JsonObject logEntry)
    {
        var kind = RequestKinds.Of(request);
        var tactic = request.TryGetProperty("tactic", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
        var faults = ActiveFaults().Where(f => f.AppliesTo(number, kind, tactic)).ToList();

        foreach (var growth in faults.Where(f => f.Kind == FaultKind.MemoryGrowth))
        {
            HoldMemory(growth.Megabytes);
        }

        if (kind == "header" && faults.Any(f => f.Kind == FaultKind.DieDuringHeader))
        {
            Spend(_script.Header.Sample(_random) / 2);
            Console.Error.WriteLine("stand-in: injected fault: died while importing the header");
            logEntry["outcome"] = "fault:dieDuringHeader";
            return 134;
        }

        var (response, latency, ruleFault) = kind switch
        {
            "header" or "command" => RunCommand(request.GetProperty("cmd").GetString() ?? string.Empty, OptionalInt(request, "env")),
            "file" => RunFile(request),
            "tactic" => RunTactic(tactic!, request.GetProperty("proofState").GetInt32()),
            "pickleEnv" => PickleEnvironment(request),
            "unpickleEnv" => UnpickleEnvironment(request),
            "pickleProofState" => PickleProofState(request),
            "unpickleProofState" => UnpickleProofState(request),
            _ => (null, TimeSpan.Zero, null),
        };

        if (response is null)
        {
            // The real REPL throws out of its loop on a request it cannot parse as any command.
            Console.Error.WriteLine($"uncaught exception: {{\"message\": \"Could not parse as a valid JSON command:\\n{request.GetRawText()}\"}}");
            logEntry["outcome"] = "died:invalid-command";
            return 1;
        }

        var fault = ruleFault is { } f2 ? FaultSpec.Of(f2) : faults.FirstOrDefault(f => f.Kind is not (FaultKind.MemoryGrowth or FaultKind.SlowStart or FaultKind.DieDuringHeader));
        Spend(latency);

        logEntry["outcome"] = fault is null ? OutcomeOf(response) : $"fault:{fault.Kind}";
        switch (fault?.Kind)
        {
            case FaultKind.Crash:
                Console.Error.WriteLine("stand-in: injected fault: crash");
                return 139;
            case FaultKind.Hang:
                Console.Error.WriteLine("stand-in: injected fault: hang");
                wire.FlushLog();
                Thread.Sleep(Timeout.Infinite);
                return 0;
            case FaultKind.Garbage:
                wire.WriteRaw("PANIC at Lean.Elab stand-in: injected garbage, not JSON\n{\"half\": ");
                return null;
            case FaultKind.CrashMidResponse:
                var text = Encoding.UTF8.GetBytes(LeanJsonPrinter.Print(response));
                wire.WriteBytes(text.AsSpan(0, text.Length / 2));
                Console.Error.WriteLine("stand-in: injected fault: crash in the middle of an answer");
                return 139;
            case FaultKind.Refuse:
                logEntry["outcome"] = "fault:Refuse";
                wire.WriteResponse(ReplWire.Error(fault.Message ?? "Unknown proof state."));
                return null;
            case FaultKind.Huge:
                response["messages"] = new JsonArray(Message("info", 1, 0, 1, 0, new string('x', (int)(fault.Megabytes * 1024 * 1024))));
                break;
        }

        wire.WriteResponse(response);
        return null;
    }

    private static string OutcomeOf(JsonObject response) =>
        response["message"] is not null ? "replError" : (string?)response["proofStatus"] ?? "ok";

    // ---- commands ----
    private (JsonObject?, TimeSpan, FaultKind?) RunCommand(string cmd, int? env)
    {
        if (env is { } id && (id < 0 || id >= _environments.Count))
        {
            return (ReplWire.Error("Unknown environment."), TimeSpan.Zero, null);
        }

        var rule = _script.Commands.FirstOrDefault(r => r.Pattern.IsMatch(cmd));
        var hasImports = LeanTextScan.HasImports(cmd);
        var latency = rule?.Latency?.Sample(_random)
            ?? (env is null && hasImports ? _script.Header.Sample(_random) : TimeSpan.Zero) + _script.Command.Sample(_random);
        if (rule?.ReplError is { } replError)
        {
            return (ReplWire.Error(replError), latency, rule.Fault);
        }

        var messages = new JsonArray();
        var sorries = new JsonArray();
        if (env is not null && hasImports)
        {
            var (line, column) = LeanTextScan.Position(cmd, LeanTextScan.FirstImportOffset(cmd));
            messages.Add(Message("error", line, column, line, column + 6, "invalid 'import' command, it must be used in the beginning of the file"));
        }

        if (rule?.NoSorries != true)
        {
            AddSorries(cmd, sorries, messages);
        }

        foreach (var extra in rule?.Messages ?? [])
        {
            messages.Add(PositionedMessage(cmd, extra!.AsObject()));
        }

        // A tactic that closes its goal in tactic mode but whose declaration fails (termination, the final kernel check).
        foreach (var tacticRule in _script.Tactics.Where(r => r.DeclarationError is not null && r.Tactic is not null && cmd.Contains(r.Tactic, StringComparison.Ordinal)))
        {
            messages.Add(PositionedMessage(cmd, new JsonObject { ["severity"] = "error", ["at"] = tacticRule.Tactic, ["data"] = tacticRule.DeclarationError }));
        }

        var imports = env is { } parent ? _environments[parent].Imports : cmd.Split('\n').Where(l => l.TrimStart().StartsWith("import ", StringComparison.Ordinal)).ToArray();
        _environments.Add(new EnvironmentModel(imports));
        return (CommandResponse(_environments.Count - 1, messages, sorries), latency, rule?.Fault);
    }

    private (JsonObject?, TimeSpan, FaultKind?) RunFile(JsonElement request)
    {
        var path = request.GetProperty("path").GetString()!;
        if (!File.Exists(path))
        {
            return (ReplWire.Error($"no such file or directory (error code: 2)\n  file: {path}"), TimeSpan.Zero, null);
        }

        return RunCommand(File.ReadAllText(path), OptionalInt(request, "env"));
    }

    private void AddSorries(string cmd, JsonArray sorries, JsonArray messages)
    {
        var declarations = LeanTextScan.FindDeclarations(cmd);
        var warned = new HashSet<LeanTextScan.Declaration>();
        var indexInDeclaration = new Dictionary<LeanTextScan.Declaration, int>();
        foreach (var offset in LeanTextScan.FindSorries(cmd))
        {
            var declaration = declarations.LastOrDefault(d => d.Start <= offset);
            var goal = declaration is null ? "⊢ ?" : GoalFor(declaration, indexInDeclaration.TryGetValue(declaration, out var n) ? n : 0);
            if (declaration is not null)
            {
                indexInDeclaration[declaration] = indexInDeclaration.GetValueOrDefault(declaration) + 1;
            }

            _proofStates.Add(new ProofStateModel([goal]));
            var (line, column) = LeanTextScan.Position(cmd, offset);
            sorries.Add(new JsonObject
            {
                ["proofState"] = _proofStates.Count - 1,
                ["pos"] = Pos(line, column),
                ["goal"] = goal,
                ["endPos"] = Pos(line, column + 5),
            });

            if (declaration is not null && warned.Add(declaration))
            {
                var (nameLine, nameColumn) = LeanTextScan.Position(cmd, declaration.NameStart);
                var (endLine, endColumn) = LeanTextScan.Position(cmd, declaration.NameEnd);
                messages.Add(Message("warning", nameLine, nameColumn, endLine, endColumn, "declaration uses `sorry`"));
            }
        }
    }

    private string GoalFor(LeanTextScan.Declaration declaration, int index)
    {
        var rule = _script.Goals.FirstOrDefault(g => g.Matches(declaration));
        return rule is { Goals.Count: > 0 } ? rule.Goals[Math.Min(index, rule.Goals.Count - 1)] : LeanTextScan.DeriveGoal(declaration.Text);
    }

    private static JsonObject PositionedMessage(string cmd, JsonObject spec)
    {
        int line, column, endLine, endColumn;
        if ((string?)spec["at"] is { } anchor && cmd.IndexOf(anchor, StringComparison.Ordinal) is var at and >= 0)
        {
            (line, column) = LeanTextScan.Position(cmd, at);
            (endLine, endColumn) = LeanTextScan.Position(cmd, at + anchor.Length);
        }
        else
        {
            line = (int?)spec["line"] ?? 1;
            column = (int?)spec["column"] ?? 0;
            endLine = (int?)spec["endLine"] ?? line;
            endColumn = (int?)spec["endColumn"] ?? column;
        }

        return Message((string?)spec["severity"] ?? "error", line, column, endLine, endColumn, (string?)spec["data"] ?? string.Empty);
    }

    // ---- tactics ----
    private (JsonObject?, TimeSpan, FaultKind?) RunTactic(string tactic, int proofState)
    {
        if (proofState < 0 || proofState >= _proofStates.Count)
        {
            return (ReplWire.Error("Unknown proof state."), TimeSpan.Zero, null);
        }

        var before = _proofStates[proofState].Goals;
        var rule = _script.Tactics.FirstOrDefault(r => r.Matches(tactic, before.FirstOrDefault())) ?? _script.DefaultTactic;
        var latency = rule.Latency?.Sample(_random) ?? _script.Tactic.Sample(_random);
        if (rule.Result == "replError")
        {
            return (ReplWire.Error(rule.Message ?? "Lean error:\n<input>:1:1: unknown tactic"), latency, rule.Fault);
        }

        var messages = new JsonArray();
        var sorries = new JsonArray();
        IReadOnlyList<string> goals = [];
        string status;
        switch (rule.Result)
        {
            // A tactic works on the main goal: the goals after the first stay open behind the ones it produced, as in Lean.
            case "completed":
                goals = before.Skip(1).ToArray();
                status = StatusOf(goals);
                break;
            case "progress":
                goals = [.. rule.Goals, .. before.Skip(1)];
                status = StatusOf(goals);
                break;
            case "noChange":
                goals = before;
                status = StatusOf(goals);
                break;
            case "sorry":
                _proofStates.Add(new ProofStateModel(before));
                sorries.Add(new JsonObject { ["proofState"] = _proofStates.Count - 1, ["goal"] = string.Join("\n\n", before) });
                status = "Incomplete: contains sorry";
                break;
            case "kernelError":
                status = "Error: kernel type check failed: " + (rule.Message ?? "(kernel) declaration has free variables");
                break;
            case "metavariables":
                status = "Incomplete: contains metavariable(s)";
                break;
            default:
                // Lean's error recovery closes the failing goal with sorry, as the recorded invalid_tactic shows.
                messages.Add(Message("error", 0, 0, 0, 0, rule.Message ?? "error"));
                status = "Incomplete: contains sorry";
                break;
        }

        if (rule.Info is { } info)
        {
            messages.Add(Message("info", 0, 0, 0, 0, info));
        }

        _proofStates.Add(new ProofStateModel(goals));
        var response = TacticResponse(_proofStates.Count - 1, goals, status, messages, sorries);
        if (rule.Traces.Count > 0)
        {
            response["traces"] = new JsonArray(rule.Traces.Select(x => (JsonNode)JsonValue.Create(x)!).ToArray());
        }

        return (response, latency, rule.Fault);
    }

    // ---- pickling ----
    private (JsonObject?, TimeSpan, FaultKind?) PickleEnvironment(JsonElement request)
    {
        var env = request.GetProperty("env").GetInt32();
        if (env < 0 || env >= _environments.Count)
        {
            return (ReplWire.Error("Unknown environment."), TimeSpan.Zero, null);
        }

        WritePickle(request.GetProperty("pickleTo").GetString()!, new JsonObject { ["kind"] = "env", ["imports"] = new JsonArray(_environments[env].Imports.Select(i => (JsonNode)JsonValue.Create(i)!).ToArray()) });
        return (new JsonObject { ["env"] = env }, _script.Pickle.Sample(_random), null);
    }

    private (JsonObject?, TimeSpan, FaultKind?) UnpickleEnvironment(JsonElement request)
    {
        var pickle = ReadPickle(request.GetProperty("unpickleEnvFrom").GetString()!);
        _environments.Add(new EnvironmentModel(pickle["imports"]?.AsArray().Select(i => (string)i!).ToArray() ?? []));
        return (new JsonObject { ["env"] = _environments.Count - 1 }, _script.Unpickle.Sample(_random), null);
    }

    private (JsonObject?, TimeSpan, FaultKind?) PickleProofState(JsonElement request)
    {
        var id = request.GetProperty("proofState").GetInt32();
        if (id < 0 || id >= _proofStates.Count)
        {
            return (ReplWire.Error("Unknown proof State."), TimeSpan.Zero, null);
        }

        var goals = _proofStates[id].Goals;
        WritePickle(request.GetProperty("pickleTo").GetString()!, new JsonObject { ["kind"] = "proofState", ["goals"] = new JsonArray(goals.Select(g => (JsonNode)JsonValue.Create(g)!).ToArray()) });

        // Like the real REPL, pickling answers with a proof-state response under a new id.
        _proofStates.Add(new ProofStateModel(goals));
        return (TacticResponse(_proofStates.Count - 1, goals, StatusOf(goals), [], []), _script.Pickle.Sample(_random), null);
    }

    private (JsonObject?, TimeSpan, FaultKind?) UnpickleProofState(JsonElement request)
    {
        var env = OptionalInt(request, "env");
        if (env is { } id && (id < 0 || id >= _environments.Count))
        {
            return (ReplWire.Error("Unknown environment."), TimeSpan.Zero, null);
        }

        var pickle = ReadPickle(request.GetProperty("unpickleProofStateFrom").GetString()!);
        var goals = pickle["goals"]?.AsArray().Select(g => (string)g!).ToArray() ?? [];
        _proofStates.Add(new ProofStateModel(goals));

        // Without an environment the REPL re-imports the pickle's imports: as slow as a header.
        var latency = _script.Unpickle.Sample(_random) + (env is null ? _script.Header.Sample(_random) : TimeSpan.Zero);
        return (TacticResponse(_proofStates.Count - 1, goals, StatusOf(goals), [], []), latency, null);
    }

    private static string StatusOf(IReadOnlyList<string> goals) => goals.Count == 0 ? "Completed" : "Incomplete: open goals remain";

    private static void WritePickle(string path, JsonObject content)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory is not null)
        {
            Directory.CreateDirectory(directory);
        }

        File.WriteAllText(path, content.ToJsonString());
    }

    private static JsonObject ReadPickle(string path)
    {
        if (!File.Exists(path))
        {
            // The real REPL does not catch this: it dies with the IO error.
            Console.Error.WriteLine($"uncaught exception: no such file or directory (error code: 2)\n  file: {path}");
            Environment.Exit(1);
        }

        return JsonNode.Parse(File.ReadAllText(path))!.AsObject();
    }

    // ---- response shapes (empty lists are omitted, as the REPL does) ----
    private static JsonObject CommandResponse(int env, JsonArray messages, JsonArray sorries)
    {
        var response = new JsonObject { ["env"] = env };
        if (messages.Count > 0)
        {
            response["messages"] = messages;
        }

        if (sorries.Count > 0)
        {
            response["sorries"] = sorries;
        }

        return response;
    }

    private static JsonObject TacticResponse(int proofState, IReadOnlyList<string> goals, string status, JsonArray messages, JsonArray sorries)
    {
        var response = new JsonObject
        {
            ["proofState"] = proofState,
            ["goals"] = new JsonArray(goals.Select(g => (JsonNode)JsonValue.Create(g)!).ToArray()),
            ["proofStatus"] = status,
        };
        if (messages.Count > 0)
        {
            response["messages"] = messages;
        }

        if (sorries.Count > 0)
        {
            response["sorries"] = sorries;
        }

        return response;
    }

    private static JsonObject Pos(int line, int column) => new() { ["line"] = line, ["column"] = column };

    private static JsonObject Message(string severity, int line, int column, int endLine, int endColumn, string data) => new()
    {
        ["severity"] = severity,
        ["pos"] = Pos(line, column),
        ["endPos"] = Pos(endLine, endColumn),
        ["data"] = data,
    };

    private static int? OptionalInt(JsonElement request, string name) =>
        request.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetInt32() : null;

    private void HoldMemory(double megabytes)
    {
        var block = new byte[(int)(megabytes * 1024 * 1024)];
        for (var i = 0; i < block.Length; i += 4096)
        {
            block[i] = 1;
        }

        _heldMemory.Add(block);
    }
}
