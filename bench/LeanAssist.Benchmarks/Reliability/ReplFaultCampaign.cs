using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using LeanAssist.Lean.Pool;
using LeanAssist.Lean.Sessions;
using LeanAssist.Lean.Verdicts;
using LeanAssist.Testing;

namespace LeanAssist.Benchmarks.Reliability;

/// <summary>
/// REPL faults during an edit replay: a file with five sorries is edited version by version (a line typed
/// into one declaration at a time); each version is loaded and four candidates run at every sorry. The same
/// replay runs once fault-free and once with faults injected at random into the REPL processes (crash,
/// crash mid-answer, hang, garbage, a 50 MB answer, slow start, death during the header import). Every
/// request must end (no exception, no hang: "lost" otherwise), and every verdict must equal the fault-free
/// one or be a clear fault status (Timeout/Crash, never cached): 0 wrong verdicts.
/// </summary>
public static class ReplFaultCampaign
{
    private const int Declarations = 5;
    private static readonly string[] Tactics = ["rfl", "simp", "exact bogus", "skip"];
    private static readonly string[] FaultKinds = ["crash", "crashMidResponse", "hang", "garbage", "huge", "slowStart", "dieDuringHeader"];

    private const string Script = """
        {
          "headerSeconds": 0.05, "commandMs": 1, "tacticMs": 2,
          "goals": [ { "pattern": "theorem t", "goals": ["n : ℕ\n⊢ n + 0 = n"] } ],
          "tactics": [
            { "tactic": "rfl", "result": "completed" },
            { "tactic": "simp", "result": "progress", "goals": ["n : ℕ\n⊢ n = n"] },
            { "tactic": "exact bogus", "result": "error", "message": "unknown identifier 'bogus'" },
            { "tactic": "skip", "result": "noChange" }
          ]
        }
        """;

    /// <param name="requests">Tactic runs in the replay (versions × sorries × candidates, rounded up to whole versions).</param>
    public static async Task<CampaignResult> RunAsync(int requests, int seed, CancellationToken token)
    {
        var versions = Math.Max(2, requests / (Declarations * Tactics.Length));
        var clock = Stopwatch.StartNew();
        var baseline = await ReplayAsync(versions, faults: null, token).ConfigureAwait(false);
        var random = new Random(seed);
        var faults = new List<string>();
        var injected = new Dictionary<string, int>(StringComparer.Ordinal);
        // Processes 1..N: about two in three get one fault at a random request (1 is the header import).
        for (var process = 1; process <= versions * 4 + 20; process++)
        {
            if (random.Next(3) == 2)
            {
                continue;
            }

            var kind = FaultKinds[random.Next(FaultKinds.Length)];
            injected[kind] = injected.GetValueOrDefault(kind) + 1;
            faults.Add(kind switch
            {
                "slowStart" => new JsonObject { ["kind"] = kind, ["processes"] = new JsonArray(process), ["delayMs"] = random.Next(200, 1500) }.ToJsonString(),
                "dieDuringHeader" => new JsonObject { ["kind"] = kind, ["processes"] = new JsonArray(process) }.ToJsonString(),
                _ => new JsonObject { ["kind"] = kind, ["processes"] = new JsonArray(process), ["onRequest"] = random.Next(2, 30) }.ToJsonString(),
            });
        }

        var faulty = await ReplayAsync(versions, faults, token).ConfigureAwait(false);
        var compared = 0;
        var wrong = 0;
        var faultStatus = 0;
        var wrongExamples = new List<string>();
        foreach (var (key, verdict) in baseline.Verdicts)
        {
            if (!faulty.Verdicts.TryGetValue(key, out var other))
            {
                continue;
            }

            compared++;
            if (other == verdict)
            {
                continue;
            }

            if (other is TacticVerdictKind.Timeout or TacticVerdictKind.Crash or TacticVerdictKind.Unavailable)
            {
                faultStatus++;
            }
            else
            {
                wrong++;
                if (wrongExamples.Count < 3)
                {
                    wrongExamples.Add($"{key}: {verdict} fault-free, {other} with faults");
                }
            }
        }

        var lost = faulty.Lost + (baseline.Verdicts.Count - compared);
        var figures = new List<(string, string)>
        {
            ("edit versions replayed", CampaignResult.N(versions)),
            ("tactic requests (each run)", CampaignResult.N(faulty.Requested)),
            ("faults injected (scheduled, by kind)", string.Join(", ", injected.OrderBy(i => i.Key, StringComparer.Ordinal).Select(i => $"{i.Key} {i.Value}"))),
            ("REPL processes started (fault-free / with faults)", $"{baseline.Processes} / {faulty.Processes}"),
            ("session restarts with faults", CampaignResult.N(faulty.Restarts)),
            ("requests lost (exception, no answer, missing result)", CampaignResult.N(lost)),
            ("verdicts compared with the fault-free run", CampaignResult.N(compared)),
            ("equal verdicts", CampaignResult.N(compared - wrong - faultStatus)),
            ("ended with a clear fault status (timeout/crash, not cached)", CampaignResult.N(faultStatus)),
            ("wrong verdicts", CampaignResult.N(wrong) + (wrongExamples.Count == 0 ? string.Empty : " (" + string.Join("; ", wrongExamples) + ")")),
            ("fault-free replay time", $"{baseline.Elapsed.TotalSeconds:0.0} s"),
            ("replay time with faults", $"{faulty.Elapsed.TotalSeconds:0.0} s"),
        };
        return new CampaignResult("REPL faults during an edit replay",
            "crash, crash mid-answer, hang, garbage, 50 MB answers, slow start and death during the header import at random: every request ends with a verdict or a clear status, 0 lost, 0 wrong verdicts against a fault-free run",
            figures, lost == 0 && wrong == 0 && compared > 0,
            [$"Seed {seed}. The real session pool (2 sessions, request timeout 3 s, answers over 32 MB refused) with the stand-in as the REPL; each REPL process gets at most one fault. A fault-status verdict is one the pool reports after its one retry also failed; it is never cached. Time {clock.Elapsed.TotalSeconds:0} s."]);
    }

    private sealed record Replay(Dictionary<string, TacticVerdictKind> Verdicts, int Requested, int Lost, int Processes, long Restarts, TimeSpan Elapsed);

    private static string Text(int version)
    {
        var text = new StringBuilder("import Mathlib.Tactic\n\n");
        for (var d = 0; d < Declarations; d++)
        {
            text.Append(System.Globalization.CultureInfo.InvariantCulture, $"theorem t{d} (n : ℕ) : n + 0 = n := by\n");
            // Version v has typed v / Declarations + (d < v % Declarations ? 1 : 0) comment lines into declaration d.
            var lines = version / Declarations + (d < version % Declarations ? 1 : 0);
            for (var l = 0; l < lines; l++)
            {
                text.Append(System.Globalization.CultureInfo.InvariantCulture, $"  -- step {l}\n");
            }

            text.Append("  sorry\n\n");
        }

        return text.ToString();
    }

    private static async Task<Replay> ReplayAsync(int versions, IReadOnlyList<string>? faults, CancellationToken token)
    {
        var script = JsonNode.Parse(Script)!.AsObject();
        if (faults is not null)
        {
            script["faults"] = new JsonArray([.. faults.Select(f => JsonNode.Parse(f))]);
        }

        await using var host = StandInPoolHost.Create(script.ToJsonString(), options =>
        {
            options.Sessions = 2;
            options.RequestTimeoutSeconds = 3;
            options.HeaderTimeoutSeconds = 5;
        });
        var clock = Stopwatch.StartNew();
        var verdicts = new Dictionary<string, TacticVerdictKind>(StringComparer.Ordinal);
        var requested = 0;
        var lost = 0;
        for (var version = 0; version < versions; version++)
        {
            LeanFileTargets file;
            try
            {
                file = await LoadWithRetryAsync(host, Text(version), token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is TimeoutException or LeanUnavailableException)
            {
                lost += Declarations * Tactics.Length;
                requested += Declarations * Tactics.Length;
                continue;
            }

            var targets = file.Targets.Where(t => t.Kind == LeanTargetKind.Sorry && t.ProofState is not null).ToList();
            lost += (Declarations - targets.Count) * Tactics.Length;
            var runs = targets.Select(async target =>
            {
                try
                {
                    var results = await host.Pool.RunTacticsAsync(target.ProofState!, Tactics, RequestPriority.Interactive, token).WaitAsync(TimeSpan.FromSeconds(120), token).ConfigureAwait(false);
                    return (target, results);
                }
                catch (Exception e) when (e is TimeoutException or LeanUnavailableException)
                {
                    return (target, (IReadOnlyList<TacticRun>?)null);
                }
            }).ToList();
            foreach (var (target, results) in await Task.WhenAll(runs).ConfigureAwait(false))
            {
                requested += Tactics.Length;
                if (results is null || results.Count != Tactics.Length)
                {
                    lost += Tactics.Length;
                    continue;
                }

                for (var i = 0; i < Tactics.Length; i++)
                {
                    verdicts[$"v{version}/{target.DeclarationName}/{Tactics[i]}"] = results[i].Verdict.Kind;
                }
            }
        }

        return new Replay(verdicts, requested, lost, host.Log.ProcessesStarted, host.Pool.Snapshot.Restarts, clock.Elapsed);
    }

    /// <summary>A load whose session died under it is tried again (what the editor does on its next change): bounded, three times.</summary>
    private static async Task<LeanFileTargets> LoadWithRetryAsync(StandInPoolHost host, string text, CancellationToken token)
    {
        for (var attempt = 1; ; attempt++)
        {
            var file = await host.LoadAsync(text, RequestPriority.Interactive, token).WaitAsync(TimeSpan.FromSeconds(120), token).ConfigureAwait(false);
            if (file.Targets.Count(t => t.Kind == LeanTargetKind.Sorry && t.ProofState is not null) == Declarations || attempt == 3)
            {
                return file;
            }
        }
    }
}
