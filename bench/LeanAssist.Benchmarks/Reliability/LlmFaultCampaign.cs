using System.Diagnostics;
using System.Text;
using LeanAssist.Lean.Sessions;
using LeanAssist.Suggestions.Llm.Budget;
using LeanAssist.Suggestions.Verification;
using LeanAssist.Testing.Hosting;
using LeanAssist.Testing.Llm;

namespace LeanAssist.Benchmarks.Reliability;

/// <summary>
/// LLM faults against the loopback LLM double (OpenAI-compatible route): 401, 429 with Retry-After, 500, 503,
/// 529 (overloaded), hangs (timeouts), malformed bodies and dropped connections, at random, between
/// successes. Each explicit suggestion (LLM on) must end within <c>leanAssist.timeoutMs</c> plus Lean's share
/// with a verdict from the portfolio or a clear problem message, and the day's spend must equal exactly the
/// cost of the successful answers the double served: counted once, never for a retry or a failure.
/// </summary>
public static class LlmFaultCampaign
{
    private const int TimeoutMs = 2_500;
    private const decimal CostPerSuccess = (1000 * 2m + 200 * 10m) / 1_000_000m;

    private const string Script = """
        { "headerSeconds": 0.02, "commandMs": 1, "tacticMs": 2,
          "tactics": [ { "tactic": "rfl", "result": "completed" } ],
          "defaultTactic": { "result": "error", "message": "not this one" } }
        """;

    private static readonly (string Name, Func<LlmReply> Reply)[] Faults =
    [
        ("401", () => LlmReply.Error(401)),
        ("429 + Retry-After", () => LlmReply.Error(429, "1")),
        ("500", () => LlmReply.Error(500)),
        ("503", () => LlmReply.Error(503)),
        ("529 overloaded", () => LlmReply.Overloaded("1")),
        ("hang (timeout)", LlmReply.Hang),
        ("malformed body", LlmReply.MalformedJson),
        ("dropped connection", LlmReply.Disconnect),
    ];

    public static async Task<CampaignResult> RunAsync(int requests, int seed, CancellationToken token)
    {
        var random = new Random(seed);
        await using var llm = await LocalLlmServer.StartAsync(token).ConfigureAwait(false);
        var success = LlmReply.Success("```lean\nrfl\n```", new ScriptedUsage(1000, 200));
        llm.DefaultReply = success;
        await using var host = PipelineHost.Start(Script, llm: llm, settings:
        [
            new("LeanAssist:timeoutMs", TimeoutMs.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            new("LeanAssist:prices:0:model", "stand-in-model"),
            new("LeanAssist:prices:0:inputPerMillion", "2"),
            new("LeanAssist:prices:0:outputPerMillion", "10"),
            new("LeanAssist:budget:requestsPerMinute", "100000"),
        ]);
        var text = new StringBuilder("import Mathlib.Tactic\n\n");
        for (var i = 0; i < requests; i++)
        {
            // A distinct goal per request: no answer comes from the LLM response cache.
            text.Append(System.Globalization.CultureInfo.InvariantCulture, $"theorem g{i} (n : ℕ) : n + {i} = n + {i} := by\n  sorry\n\n");
        }

        var path = host.WriteLeanFile("Faults.lean", text.ToString());
        var request = host.Request(path);
        var file = await host.Service.LoadAsync(request, token).WaitAsync(TimeSpan.FromSeconds(120), token).ConfigureAwait(false);
        var served = new List<string>();
        var scheduled = new Dictionary<string, int>(StringComparer.Ordinal);
        var durations = new List<double>();
        var lost = 0;
        var withVerdict = 0;
        var withProblem = 0;
        var unclear = 0;
        var overTime = 0;
        foreach (var target in file.Targets.Where(t => t.Kind == LeanTargetKind.Sorry))
        {
            // One to three replies for this request: faults, sometimes ending in a success.
            for (var k = random.Next(1, 4); k > 0; k--)
            {
                var (name, reply) = random.Next(4) == 0 ? ("success", () => success) : Faults[random.Next(Faults.Length)];
                scheduled[name] = scheduled.GetValueOrDefault(name) + 1;
                served.Add(name);
                llm.Enqueue(reply());
            }

            var clock = Stopwatch.StartNew();
            try
            {
                var result = await host.Service.SuggestAsync(request, file, target, new SuggestOptions(true, RequestPriority.Interactive), null, token)
                    .WaitAsync(TimeSpan.FromSeconds(60), token).ConfigureAwait(false);
                durations.Add(clock.Elapsed.TotalMilliseconds);
                // Its LLM share is bounded by timeoutMs; Lean and the portfolio get a few seconds more.
                overTime += clock.Elapsed > TimeSpan.FromMilliseconds(TimeoutMs + 5_000) ? 1 : 0;
                if (result.Suggestions.Any(s => s.Verdict is SuggestionVerdict.Solved or SuggestionVerdict.Progress))
                {
                    withVerdict++;
                }
                else if (result.Problems.Count > 0)
                {
                    withProblem++;
                }
                else
                {
                    unclear++;
                }
            }
            catch (TimeoutException)
            {
                lost++;
            }
        }

        // Replies the double actually served, in order: the queued ones, then successes (its default).
        var answered = llm.Requests.Count;
        var servedNames = served.Take(answered).Concat(Enumerable.Repeat("success", Math.Max(0, answered - served.Count))).ToList();
        var expectedSpend = servedNames.Count(n => n == "success") * CostPerSuccess;
        var spend = host.Get<LlmBudget>().Status.SpentTodayUsd;
        durations.Sort();
        var figures = new List<(string, string)>
        {
            ("suggestion requests (LLM on)", CampaignResult.N(durations.Count + lost)),
            ("replies scheduled (by kind)", string.Join(", ", scheduled.OrderBy(s => s.Key, StringComparer.Ordinal).Select(s => $"{s.Key} {s.Value}"))),
            ("HTTP requests that reached the double", CampaignResult.N(answered)),
            ("ended with a verified suggestion", CampaignResult.N(withVerdict)),
            ("ended with no verdict but a clear problem message", CampaignResult.N(withProblem)),
            ("ended with neither", CampaignResult.N(unclear)),
            ("lost (no answer within 60 s)", CampaignResult.N(lost)),
            ($"over timeoutMs ({TimeoutMs} ms) + 5 s", CampaignResult.N(overTime)),
            ("time per request p50 / max", durations.Count == 0 ? "-" : $"{durations[durations.Count / 2]:0} ms / {durations[^1]:0} ms"),
            ("spend recorded / expected (successes served × $0.004)", $"${spend:0.000000} / ${expectedSpend:0.000000}"),
        };
        return new CampaignResult("LLM faults",
            "401, 429 with Retry-After, 500, 503, 529, timeouts, malformed bodies and dropped connections at random: every request ends within its timeout with a verdict from the portfolio or a clear status; spend counted once",
            figures, lost == 0 && unclear == 0 && overTime == 0 && spend == expectedSpend,
            [$"Seed {seed}. The loopback LLM double (tests/LeanAssist.Testing/Llm/LocalLlmServer.cs) answers on the OpenAI-compatible route with the providers' documented error bodies; a success carries 1,000 prompt and 200 completion tokens at $2/$10 per million. The double does not stream, so a slow stream is exercised as a hang that the timeout cuts."]);
    }
}
