using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace LeanAssist.ReplStandIn;

/// <summary>
/// TEST DOUBLE for the Lean REPL. Verbs:
/// <c>replay DIR/NAME</c> answers with a recorded transcript; <c>scripted [--script FILE]</c> models the REPL
/// from a script; <c>idle</c> sleeps until killed (the child spawned by <c>--spawn-child</c>). See README.md.
/// </summary>
public static class Program
{
    public const string LogVariable = "LEANASSIST_STANDIN_LOG";
    public const string StateDirectoryVariable = "LEANASSIST_STANDIN_STATE_DIR";

    public static int Main(string[] args)
    {
        if (args.Length == 0 || args[0] is "-h" or "--help")
        {
            Console.Error.WriteLine("LeanAssist REPL stand-in (a test double, not Lean).\nUsage:\n  replay DIR/NAME [--log FILE] [--state-dir DIR]\n  scripted [--script FILE] [--header-seconds S] [--command-ms MS] [--tactic-ms MS] [--startup-ms MS] [--fault KIND[@N][#P,...]]... [--log FILE] [--state-dir DIR] [--spawn-child]\n           [--probes FILE.json]\n  idle\nSee tests/LeanAssist.ReplStandIn/README.md.");
            return args.Length == 0 ? 2 : 0;
        }

        if (args[0] == "idle")
        {
            Thread.Sleep(Timeout.Infinite);
            return 0;
        }

        try
        {
            var options = StandInOptions.Parse(args.Skip(1).ToArray());
            options.Probes.Run();
            var ordinal = RequestLog.ClaimProcessOrdinal(options.StateDirectory);
            var log = new RequestLog(options.LogFile, ordinal);
            log.Write(new JsonObject { ["event"] = "start", ["mode"] = args[0] });
            if (options.SpawnChild)
            {
                var child = SpawnIdleChild();
                log.Write(new JsonObject { ["event"] = "child", ["childPid"] = child });
            }

            var wire = new ReplWire(new StreamReader(Console.OpenStandardInput(), new UTF8Encoding(false)), Console.OpenStandardOutput());
            IStandInMode mode = args[0] switch
            {
                "replay" => ReplayMode.Load(options.Positional ?? throw new UsageException("replay needs DIR/NAME")),
                "scripted" => ScriptedRepl.Create(options, ordinal),
                _ => throw new UsageException($"unknown verb \"{args[0]}\""),
            };
            return Serve(wire, mode, log);
        }
        catch (UsageException e)
        {
            Console.Error.WriteLine($"stand-in: {e.Message}");
            return 2;
        }
    }

    /// <summary>The REPL's loop: read a request, skip comments, answer, repeat until end of input.</summary>
    private static int Serve(ReplWire wire, IStandInMode mode, RequestLog log)
    {
        mode.BeforeFirstRequest();
        var number = 0;
        while (wire.ReadRequest() is { } query)
        {
            if (query.StartsWith('#') || query.StartsWith("--", StringComparison.Ordinal))
            {
                continue;
            }

            number++;
            JsonElement request;
            try
            {
                using var document = JsonDocument.Parse(query);
                request = document.RootElement.Clone();
            }
            catch (JsonException e)
            {
                // The real REPL throws out of its loop on unparsable input and dies with this on stderr.
                Console.Error.WriteLine($"uncaught exception: {{\"message\": \"Could not parse JSON:\\n{e.Message}\"}}");
                log.Write(new JsonObject { ["event"] = "request", ["request"] = number, ["kind"] = "unparsable", ["outcome"] = "died" });
                return 1;
            }

            var entry = new JsonObject { ["event"] = "request", ["request"] = number, ["kind"] = RequestKinds.Of(request) };
            foreach (var field in new[] { "env", "proofState", "tactic" })
            {
                if (request.TryGetProperty(field, out var value))
                {
                    entry[field] = JsonNode.Parse(value.GetRawText());
                }
            }

            if (request.TryGetProperty("cmd", out var cmd) && cmd.ValueKind == JsonValueKind.String)
            {
                var text = cmd.GetString()!;
                entry["cmd"] = text.Length <= 120 ? text : text[..120] + "…";
            }

            var started = Stopwatch.GetTimestamp();
            wire.PendingLog = () =>
            {
                entry["elapsedMs"] = Math.Round(Stopwatch.GetElapsedTime(started).TotalMilliseconds, 3);
                log.Write(entry);
            };
            var exitCode = mode.Answer(wire, request, number, entry);
            wire.FlushLog();
            if (exitCode is { } code)
            {
                return code;
            }
        }

        return 0;
    }

    private static int SpawnIdleChild()
    {
        var processPath = Environment.ProcessPath ?? "dotnet";
        var start = new ProcessStartInfo(processPath) { UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(processPath).Equals("dotnet", StringComparison.OrdinalIgnoreCase))
        {
            start.ArgumentList.Add(typeof(Program).Assembly.Location);
        }

        start.ArgumentList.Add("idle");
        using var child = Process.Start(start) ?? throw new InvalidOperationException("could not start the idle child");
        return child.Id;
    }
}

/// <summary>One way of answering requests.</summary>
public interface IStandInMode
{
    /// <summary>Runs once before the first request is read (start-up faults).</summary>
    void BeforeFirstRequest();

    /// <summary>Answers one request. Returns an exit code to stop the process, or null to go on.</summary>
    int? Answer(ReplWire wire, JsonElement request, int number, JsonObject logEntry);
}

public sealed class UsageException(string message) : Exception(message);

/// <summary>The REPL's request kinds, in the order the real REPL tries to parse them.</summary>
public static class RequestKinds
{
    public static string Of(JsonElement request)
    {
        bool Has(string name) => request.ValueKind == JsonValueKind.Object && request.TryGetProperty(name, out _);
        return Has("tactic") && Has("proofState") ? "tactic"
            : Has("pickleTo") && Has("env") ? "pickleEnv"
            : Has("unpickleEnvFrom") ? "unpickleEnv"
            : Has("pickleTo") && Has("proofState") ? "pickleProofState"
            : Has("unpickleProofStateFrom") ? "unpickleProofState"
            : Has("cmd") ? (Has("env") ? "command" : "header")
            : Has("path") ? "file"
            : "unknown";
    }
}
