using System.Diagnostics;
using System.Globalization;
using LeanAssist.Lean.Sessions;
using LeanAssist.Lean.Text;
using LeanAssist.Server.Prove;
using LeanAssist.Suggestions.Remote;
using LeanAssist.Testing;
using LeanAssist.Testing.Hosting;
using LeanAssist.Testing.Kimina;

namespace LeanAssist.Benchmarks.Scenarios;

/// <param name="Repls">Each Kimina double's capacity (its LEAN_SERVER_MAX_REPLS).</param>
/// <param name="SnippetMilliseconds">Each snippet's time on a double's REPL (the server's time per check).</param>
public sealed record RemoteParameters(IReadOnlyList<int> ServerCounts, int Repls, double SnippetMilliseconds, int Files = 8, int SorriesPerFile = 5, int OverheadChecks = 100);

/// <param name="Checks">Snippets the servers checked (file loads included).</param>
/// <param name="IdealSeconds">Checks × snippet time ÷ (servers × REPLs): the wall time if every REPL were busy all the time (computed, not measured).</param>
public sealed record RemotePoint(int Servers, TimeSpan Total, int Sorries, int Solved, long Checks, double IdealSeconds)
{
    public double ChecksPerSecond => Checks / Total.TotalSeconds;

    public double Efficiency => IdealSeconds / Total.TotalSeconds;
}

/// <summary>Per check, one at a time on one server: the client's round trip minus the server's own time for the snippet.</summary>
public sealed record RemoteOverhead(LatencyStats RoundTrip, LatencyStats BeyondServer, TimeSpan ServerTime);

/// <summary>
/// <c>prove</c> (the real pipeline, leanAssist.verification.backend = kimina) over a directory of
/// <see cref="RemoteParameters.Files"/> × <see cref="RemoteParameters.SorriesPerFile"/> sorries, against 1, 2, 4 Kimina
/// test doubles on 127.0.0.1, each with a fixed capacity and latency and answering with recorded REPL answers
/// (<see cref="TheoremFileResponder"/>). All doubles run in this process: the machine's cores are shared with them.
/// </summary>
public static class RemoteVerificationScenario
{
    public static async Task<IReadOnlyList<RemotePoint>> RunAsync(RemoteParameters parameters, CancellationToken cancellationToken)
    {
        // One unmeasured run first (one file): JIT, connection pools and Kestrel warm up, so the first point is not penalised.
        _ = await MeasureAsync(parameters.ServerCounts[0], parameters with { Files = 1 }, cancellationToken).ConfigureAwait(false);
        var points = new List<RemotePoint>();
        foreach (var count in parameters.ServerCounts)
        {
            points.Add(await MeasureAsync(count, parameters, cancellationToken).ConfigureAwait(false));
        }

        return points;
    }

    private static async Task<RemotePoint> MeasureAsync(int count, RemoteParameters parameters, CancellationToken cancellationToken)
    {
        {
            var servers = await StartServersAsync(count, parameters).ConfigureAwait(false);
            try
            {
                await using var pipeline = PipelineHost.Start("{}", new TemporaryDirectory("leanassist-bench-remote"), settings: Settings(servers));
                for (var f = 0; f < parameters.Files; f++)
                {
                    pipeline.Project.WriteFile($"src/File{f}.lean",
                        string.Join("\n\n", Enumerable.Range(1, parameters.SorriesPerFile).Select(TheoremFileResponder.Theorem)) + "\n");
                }

                var kimina = new KiminaOptions { Urls = servers.Select(s => s.BaseAddress.AbsoluteUri).ToList() };
                var clock = Stopwatch.StartNew();
                var report = await pipeline.Prove.RunAsync(RemoteProve.Request([pipeline.Project.Combine("src")], null, false, false, kimina), null, cancellationToken).ConfigureAwait(false);
                var elapsed = clock.Elapsed;
                var checks = servers.Sum(s => s.SnippetsChecked);
                pipeline.Project.Dispose();
                return new RemotePoint(count, elapsed, report.Summary.Targets, report.Summary.Solved, checks,
                    checks * parameters.SnippetMilliseconds / 1000 / (count * parameters.Repls));
            }
            finally
            {
                foreach (var server in servers)
                {
                    await server.DisposeAsync().ConfigureAwait(false);
                }
            }
        }
    }

    /// <summary>One candidate at a time through the backend to one server: what a check costs beyond the server's time.</summary>
    public static async Task<RemoteOverhead> OverheadAsync(RemoteParameters parameters, CancellationToken cancellationToken)
    {
        var servers = await StartServersAsync(1, parameters with { Repls = 1 }).ConfigureAwait(false);
        await using var harness = new KiminaBackendHarness(servers);
        var file = await harness.Backend.LoadFileAsync(new LeanFileRequest(null, "bench.lean", new SourceText(TheoremFileResponder.Theorem(1) + "\n")), cancellationToken).ConfigureAwait(false);
        var handle = file.Targets[0].ProofState!;
        var roundTrips = new List<TimeSpan>();
        var beyond = new List<TimeSpan>();
        for (var i = 0; i < parameters.OverheadChecks + 20; i++)
        {
            var clock = Stopwatch.StartNew();
            var run = (await harness.Backend.RunTacticsAsync(handle, [i % 2 == 0 ? "assumption" : "simp"], RequestPriority.Interactive, cancellationToken).ConfigureAwait(false))[0];
            var elapsed = clock.Elapsed;
            if (i >= 20)
            {
                // The first 20 warm up the JIT, the connection pool and Kestrel.
                roundTrips.Add(elapsed);
                beyond.Add(elapsed - run.LeanTime);
            }
        }

        return new RemoteOverhead(LatencyStats.From(roundTrips), LatencyStats.From(beyond), TimeSpan.FromMilliseconds(parameters.SnippetMilliseconds));
    }

    private static async Task<KiminaServerDouble[]> StartServersAsync(int count, RemoteParameters parameters)
    {
        var servers = new KiminaServerDouble[count];
        for (var i = 0; i < count; i++)
        {
            servers[i] = await KiminaServerDouble.StartAsync(parameters.Repls).ConfigureAwait(false);
            servers[i].Latency = TimeSpan.FromMilliseconds(parameters.SnippetMilliseconds);
            servers[i].Respond(TheoremFileResponder.Respond);
        }

        return servers;
    }

    private static List<KeyValuePair<string, string?>> Settings(IReadOnlyList<KiminaServerDouble> servers)
    {
        var settings = new List<KeyValuePair<string, string?>>
        {
            new("LeanAssist:verification:backend", "kimina"),
            new("LeanAssist:kimina:toolchain", "bench"),
            // Learning would skip candidates that failed on similar goals: every goal here is alike, so keep the workload fixed.
            new("LeanAssist:learning:enabled", "false"),
            new("LeanAssist:verdictCache:enabled", "false"),
        };
        for (var i = 0; i < servers.Count; i++)
        {
            settings.Add(new($"LeanAssist:kimina:urls:{i.ToString(CultureInfo.InvariantCulture)}", servers[i].BaseAddress.AbsoluteUri));
        }

        return settings;
    }
}
