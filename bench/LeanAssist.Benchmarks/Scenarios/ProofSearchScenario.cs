using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using LeanAssist.Benchmarks.Workloads;
using LeanAssist.Lean.Sessions;
using LeanAssist.Suggestions.Search;
using LeanAssist.Testing;
using LeanAssist.Testing.Hosting;

namespace LeanAssist.Benchmarks.Scenarios;

/// <param name="Declarations">Sorries searched, one after the other (each a 4-step proof with a case split; distinct declarations, so no cache is shared between them).</param>
public sealed record ProofSearchParameters(int Sessions, int Declarations, StandInCostModel Cost);

/// <param name="FirstProof">Time to the first proof (the first search, on warm sessions).</param>
/// <param name="LeanOwn">The stand-in's own time over every request of the searches (what Lean would spend), summed over sessions.</param>
/// <param name="SecondSearchLeanRequests">Requests that reached Lean when the same file is searched again after a restart on the same caches (target 0).</param>
public sealed record ProofSearchRun(int Sessions, int Found, int Nodes, TimeSpan Total, TimeSpan FirstProof, TimeSpan LeanOwn, int LeanRequests,
    int SecondSearchLeanRequests, TimeSpan SecondSearch)
{
    public double NodesPerSecond => Nodes / Total.TotalSeconds;

    /// <summary>Wall time not spent in Lean, per node: meaningful on one session, where Lean's requests run one at a time.</summary>
    public double OverheadPerNodeMs => (Total - LeanOwn).TotalMilliseconds / Math.Max(1, Nodes);
}

/// <summary>
/// Best-first proof search on the real pipeline (portfolio, pool, verdict and search caches, declaration check) with the
/// scripted stand-in as Lean: each declaration needs `intro h`, `constructor`, then one closer per case; every other
/// portfolio tactic fails, at the cost model's tactic price.
/// </summary>
public static class ProofSearchScenario
{
    public static string Script(StandInCostModel cost) => new JsonObject
    {
        ["headerSeconds"] = cost.HeaderSeconds,
        ["commandMs"] = cost.CommandMilliseconds,
        ["tacticMs"] = cost.TacticMilliseconds,
        ["tactics"] = new JsonArray(
            Rule("intro h", "⊢ True → p ∧ q$", "p q : Prop\nhp : p\nhq : q\nh : True\n⊢ p ∧ q"),
            Rule("constructor", "h : True\n⊢ p ∧ q$", "case left\np q : Prop\nhp : p\nhq : q\nh : True\n⊢ p", "case right\np q : Prop\nhp : p\nhq : q\nh : True\n⊢ q"),
            Closer("exact hp", "case left"),
            Closer("exact hq", "case right")),
        ["defaultTactic"] = new JsonObject { ["result"] = "error", ["message"] = "tactic failed (stand-in: no rule)" },
    }.ToJsonString();

    public static string File(int declarations)
    {
        var text = new StringBuilder();
        for (var i = 0; i < declarations; i++)
        {
            text.Append(CultureInfo.InvariantCulture, $"theorem search_{i} (p q : Prop) (hp : p) (hq : q) : True → p ∧ q := by\n  sorry\n\n");
        }

        return text.ToString();
    }

    public static async Task<ProofSearchRun> RunAsync(ProofSearchParameters parameters, CancellationToken cancellationToken)
    {
        var script = Script(parameters.Cost);
        var project = new TemporaryDirectory("leanassist-bench");
        try
        {
            ProofSearchRun first;
            await using (var host = BenchPipeline.Start(script, parameters.Sessions, project, settings: [new("LeanAssist:search:parallelNodes", "2")]))
            {
                var path = host.WriteLeanFile("Search.lean", File(parameters.Declarations));
                var (request, file) = await LoadAsync(host, path, cancellationToken).ConfigureAwait(false);
                await WarmAsync(host, request, parameters.Sessions, cancellationToken).ConfigureAwait(false);
                var before = host.Log.Requests.Count;
                var started = Stopwatch.GetTimestamp();
                TimeSpan firstProof = default;
                int found = 0, nodes = 0;
                foreach (var target in file.Targets)
                {
                    var result = await SearchAsync(host, request, file, target, cancellationToken).ConfigureAwait(false);
                    found += result.Script is null ? 0 : 1;
                    nodes += result.NodesExplored;
                    if (firstProof == default)
                    {
                        firstProof = Stopwatch.GetElapsedTime(started);
                    }
                }

                var total = Stopwatch.GetElapsedTime(started);
                var requests = host.Log.Requests.Skip(before).ToArray();
                var leanOwn = TimeSpan.FromMilliseconds(requests.Sum(r => r.TryGetProperty("elapsedMs", out var ms) ? ms.GetDouble() : 0));
                first = new ProofSearchRun(parameters.Sessions, found, nodes, total, firstProof, leanOwn, requests.Length, 0, default);
            }

            // A restart on the same caches: the same file searched again.
            await using var again = BenchPipeline.Start(script, parameters.Sessions, project, settings: [new("LeanAssist:search:parallelNodes", "2")]);
            var againPath = project.Combine("Search.lean");
            var (againRequest, againFile) = await LoadAsync(again, againPath, cancellationToken).ConfigureAwait(false);
            var beforeSecond = again.Log.Requests.Count;
            var secondStarted = Stopwatch.GetTimestamp();
            foreach (var target in againFile.Targets)
            {
                await SearchAsync(again, againRequest, againFile, target, cancellationToken).ConfigureAwait(false);
            }

            return first with { SecondSearchLeanRequests = again.Log.Requests.Count - beforeSecond, SecondSearch = Stopwatch.GetElapsedTime(secondStarted) };
        }
        finally
        {
            project.Dispose();
        }
    }

    private static async Task<(LeanFileRequest Request, LeanFileTargets File)> LoadAsync(PipelineHost host, string path, CancellationToken cancellationToken)
    {
        var request = host.Request(path);
        return (request, await host.Service.LoadAsync(request, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>Starts every session ahead of the measurement (bounded wait), so session start-up is not counted as search time.</summary>
    private static async Task WarmAsync(PipelineHost host, LeanFileRequest request, int sessions, CancellationToken cancellationToken)
    {
        var pool = host.Get<ILeanSessionPool>();
        await pool.WarmUpAsync(request.ProjectRoot, request.Text, cancellationToken).ConfigureAwait(false);
        for (var i = 0; i < 1200 && pool.Snapshot.Warm < sessions; i++)
        {
            await Task.Delay(100, cancellationToken).ConfigureAwait(false);
        }
    }

    private static Task<ProofSearchResult> SearchAsync(PipelineHost host, LeanFileRequest request, LeanFileTargets file, LeanTarget target, CancellationToken cancellationToken) =>
        host.Get<ProofSearchService>().SearchAsync(new ProofSearchRequest(request, file, target, new SearchBudget(MaxSeconds: 600), UseLlm: false, RequestPriority.Interactive), null, cancellationToken);

    private static JsonObject Rule(string tactic, string goalPattern, params string[] goals) => new()
    {
        ["tactic"] = tactic,
        ["goalPattern"] = goalPattern,
        ["result"] = "progress",
        ["goals"] = new JsonArray(goals.Select(g => (JsonNode)JsonValue.Create(g)!).ToArray()),
    };

    private static JsonObject Closer(string tactic, string goalPattern) => new() { ["tactic"] = tactic, ["goalPattern"] = goalPattern, ["result"] = "completed" };
}
