using System.Net.Sockets;
using System.Text.Json.Nodes;

namespace LeanAssist.ReplStandIn;

/// <summary>
/// The sandbox-escape variant (<c>--probes FILE</c>, a JSON object <c>{"connect": ["HOST:PORT"], "write": [PATH], "read": [PATH]}</c>):
/// before answering anything, the stand-in tries what untrusted code elaborated by Lean might try, and
/// reports each outcome on stderr as <c>stand-in probe KIND TARGET: succeeded|failed: DETAIL</c>.
/// A read that succeeds reports what it read, so a test can tell a real read from a claim. The targets come
/// from a file rather than the command line, as they would from Lean code: the REPL sandbox makes paths that
/// a custom command names readable.
/// </summary>
public sealed class SandboxProbes
{
    public List<string> Connect { get; } = [];

    public List<string> Write { get; } = [];

    public List<string> Read { get; } = [];

    public static SandboxProbes Load(string? file)
    {
        var probes = new SandboxProbes();
        if (file is null)
        {
            return probes;
        }

        var json = JsonNode.Parse(File.ReadAllText(file))?.AsObject() ?? throw new UsageException($"{file} is not a JSON object");
        foreach (var (name, list) in new[] { ("connect", probes.Connect), ("write", probes.Write), ("read", probes.Read) })
        {
            list.AddRange(json[name]?.AsArray().Select(n => (string)n!) ?? []);
        }

        return probes;
    }

    public void Run()
    {
        foreach (var target in Connect)
        {
            Report("connect", target, () =>
            {
                var colon = target.LastIndexOf(':');
                using var client = new TcpClient();
                var connect = client.ConnectAsync(target[..colon], int.Parse(target[(colon + 1)..], System.Globalization.CultureInfo.InvariantCulture));
                if (!connect.Wait(TimeSpan.FromSeconds(5)))
                {
                    throw new TimeoutException("no connection within 5 s");
                }

                client.GetStream().Write("stand-in was here\n"u8);
                return "connected";
            });
        }

        foreach (var path in Write)
        {
            Report("write", path, () =>
            {
                File.WriteAllText(path, "written by the REPL stand-in's sandbox probe\n");
                return "wrote " + path;
            });
        }

        foreach (var path in Read)
        {
            Report("read", path, () => "read: " + File.ReadAllText(path).Trim());
        }
    }

    private static void Report(string kind, string target, Func<string> probe)
    {
        string outcome;
        try
        {
            outcome = "succeeded: " + probe();
        }
        catch (Exception e)
        {
            outcome = "failed: " + (e is AggregateException { InnerException: { } inner } ? inner.Message : e.Message).ReplaceLineEndings(" ");
        }

        Console.Error.WriteLine($"stand-in probe {kind} {target}: {outcome}");
        Console.Error.Flush();
    }
}
