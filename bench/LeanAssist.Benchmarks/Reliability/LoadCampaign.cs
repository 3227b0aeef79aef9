using System.Diagnostics;
using System.Text.Json.Nodes;
using LeanAssist.Benchmarks.Workloads;

namespace LeanAssist.Benchmarks.Reliability;

/// <summary>
/// Load on the real server process: waves of N concurrent code-action and hover requests at the sorries of a
/// 20-sorry file while edits stream in (typing at the end of the file) and the configuration changes every two
/// seconds, for a set time. Every request must be answered (a 30 s wait without an answer counts as a hang:
/// a deadlock would show there); the p99 of code actions and hovers and the server's resident memory over time
/// are printed, and memory must stay bounded (its peak in the second half at most 25% + 32 MB above the first half's).
/// </summary>
public static class LoadCampaign
{
    public static async Task<CampaignResult> RunAsync(TimeSpan duration, int concurrency, int seed, CancellationToken token)
    {
        var random = new Random(seed);
        var settings = new JsonObject
        {
            ["repl"] = new JsonObject { ["sessions"] = 2, ["requestTimeoutSeconds"] = 60, ["headerTimeoutSeconds"] = 120 },
            ["prefetchIdleMs"] = 100,
        };
        await using var editor = await EditorSession.StartAsync(TwentySorries.Script(0.2, 5, 1), settings).ConfigureAwait(false);
        await editor.OpenAsync("Load.lean", TwentySorries.File()).ConfigureAwait(false);
        await editor.WaitUntilAllKnownAsync(TimeSpan.FromMinutes(3)).ConfigureAwait(false);
        var sorries = editor.Sorries();
        var codeActions = new List<double>();
        var hovers = new List<double>();
        var memory = new List<(double Seconds, double Megabytes)>();
        long errors = 0, hangs = 0, contentModified = 0, edits = 0, configurationChanges = 0, waves = 0;
        var errorExamples = new List<string>();
        var clock = Stopwatch.StartNew();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(token);
        stop.CancelAfter(duration);

        // Edits and configuration changes stream in beside the requests.
        var editing = Task.Run(async () =>
        {
            var typed = 0;
            while (!stop.IsCancellationRequested)
            {
                if (typed < 40)
                {
                    await editor.TypeAsync(editor.Text.Length, typed == 0 ? "\n-- " : "x").ConfigureAwait(false);
                    typed++;
                }
                else
                {
                    var start = editor.Text.LastIndexOf("\n-- ", StringComparison.Ordinal);
                    await editor.ReplaceAsync(start, editor.Text.Length, string.Empty).ConfigureAwait(false);
                    typed = 0;
                }

                Interlocked.Increment(ref edits);
                await Task.Delay(100, CancellationToken.None).ConfigureAwait(false);
            }
        });
        var configuring = Task.Run(async () =>
        {
            var flip = false;
            while (!stop.IsCancellationRequested)
            {
                flip = !flip;
                var changed = (JsonObject)settings.DeepClone();
                changed["prefetchIdleMs"] = flip ? 150 : 100;
                changed["maxCandidates"] = flip ? 6 : 8;
                changed["repl"]!["sandbox"] = "off";
                await editor.Client.NotifyAsync("workspace/didChangeConfiguration", new JsonObject { ["settings"] = new JsonObject { ["leanAssist"] = changed } }).ConfigureAwait(false);
                Interlocked.Increment(ref configurationChanges);
                await Task.Delay(2000, CancellationToken.None).ConfigureAwait(false);
            }
        });
        var sampling = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                lock (memory)
                {
                    memory.Add((clock.Elapsed.TotalSeconds, editor.ResidentMegabytes()));
                }

                await Task.Delay(duration / 12, CancellationToken.None).ConfigureAwait(false);
            }
        });

        while (!stop.IsCancellationRequested)
        {
            waves++;
            var wave = Enumerable.Range(0, concurrency).Select(async _ =>
            {
                var at = sorries[random.Next(sorries.Count)];
                var isHover = random.Next(10) < 3;
                var position = new JsonObject { ["line"] = at.Line, ["character"] = at.Character };
                var parameters = isHover
                    ? new JsonObject { ["textDocument"] = new JsonObject { ["uri"] = editor.Uri }, ["position"] = position }
                    : new JsonObject
                    {
                        ["textDocument"] = new JsonObject { ["uri"] = editor.Uri },
                        ["range"] = new JsonObject { ["start"] = position.DeepClone(), ["end"] = position.DeepClone() },
                        ["context"] = new JsonObject { ["diagnostics"] = new JsonArray(), ["triggerKind"] = 2 },
                    };
                var requestClock = Stopwatch.StartNew();
                try
                {
                    var response = await editor.Client.RequestAsync(isHover ? "textDocument/hover" : "textDocument/codeAction", parameters, TimeSpan.FromSeconds(30)).ConfigureAwait(false);
                    var elapsed = requestClock.Elapsed.TotalMilliseconds;
                    if (response["error"] is { } error)
                    {
                        var code = error["code"]?.GetValue<int>();
                        if (code == -32801)
                        {
                            Interlocked.Increment(ref contentModified);
                        }
                        else
                        {
                            Interlocked.Increment(ref errors);
                            lock (errorExamples)
                            {
                                if (errorExamples.Count < 3)
                                {
                                    errorExamples.Add(error.ToJsonString());
                                }
                            }
                        }
                    }

                    lock (codeActions)
                    {
                        (isHover ? hovers : codeActions).Add(elapsed);
                    }
                }
                catch (TimeoutException)
                {
                    Interlocked.Increment(ref hangs);
                }
            });
            await Task.WhenAll(wave).ConfigureAwait(false);
        }

        await Task.WhenAll(editing, configuring, sampling).ConfigureAwait(false);
        memory.Add((clock.Elapsed.TotalSeconds, editor.ResidentMegabytes()));
        // Still correct after the load: every sorry of the current version gets its verified action.
        var correctAfter = true;
        var afterDetail = "yes";
        // The short (CI) version waits less: its whole budget is about two minutes.
        var afterWait = duration < TimeSpan.FromMinutes(1) ? TimeSpan.FromSeconds(20) : TimeSpan.FromMinutes(2);
        try
        {
            await editor.WaitUntilAllKnownAsync(afterWait).ConfigureAwait(false);
        }
        catch (TimeoutException e)
        {
            correctAfter = false;
            var (actions, _) = await editor.CodeActionsAsync(sorries[0]).ConfigureAwait(false);
            afterDetail = $"no: {e.Message} At the first sorry: [{string.Join(", ", actions.Select(a => a?["title"]?.GetValue<string>()))}]";
        }

        codeActions.Sort();
        hovers.Sort();
        var half = memory.Count / 2;
        var firstPeak = memory.Take(Math.Max(1, half)).Max(m => m.Megabytes);
        var secondPeak = memory.Skip(half).Max(m => m.Megabytes);
        var bounded = secondPeak <= firstPeak * 1.25 + 32;
        var figures = new List<(string, string)>
        {
            ("duration", $"{clock.Elapsed.TotalSeconds:0} s"),
            ("concurrent requests per wave / waves", $"{concurrency} / {CampaignResult.N(waves)}"),
            ("code actions answered / p50 / p99 / max", Stats(codeActions)),
            ("hovers answered / p50 / p99 / max", Stats(hovers)),
            ("edits (keystrokes, deletions) / configuration changes", $"{CampaignResult.N(edits)} / {CampaignResult.N(configurationChanges)}"),
            ("answered ContentModified (the document changed under it)", CampaignResult.N(contentModified)),
            ("other errors", CampaignResult.N(errors) + (errorExamples.Count == 0 ? string.Empty : " (" + string.Join("; ", errorExamples) + ")")),
            ("no answer within 30 s (hang or deadlock)", CampaignResult.N(hangs)),
            ("server memory (RSS) over time", string.Join(", ", memory.Select(m => $"{m.Seconds:0} s: {m.Megabytes:0} MB"))),
            ("memory peak first half / second half", $"{firstPeak:0} MB / {secondPeak:0} MB ({(bounded ? "bounded" : "GROWING")})"),
            ("every sorry verified again afterwards", afterDetail),
        };
        return new CampaignResult("Load",
            $"{concurrency} concurrent code actions and hovers with edits and configuration changes streaming for {duration.TotalMinutes:0.#} min: no deadlock, every request answered, p99 printed, memory bounded",
            figures, hangs == 0 && errors == 0 && bounded && codeActions.Count > 0,
            [.. correctAfter ? Array.Empty<string>() : [$"**Finding (open):** after the load stopped, background prefetch did not produce verified actions for the last version within {afterWait.TotalSeconds:0} s (the code action offers only \"suggest tactics\"); with the configuration changes limited to `prefetchIdleMs` the same happens. Every request was still answered; this check is reported, not part of the invariant the issue sets."],
             $"Seed {seed}. The real `leanassist lsp` process over stdio with the REPL stand-in (20-sorry file, 2 sessions); memory is the server process's VmRSS (the REPL processes are separate). Request times include waiting behind the other {concurrency - 1} requests of the wave on a shared {Environment.ProcessorCount}-core machine."]);
    }

    private static string Stats(List<double> sorted) =>
        sorted.Count == 0 ? "0" : $"{CampaignResult.N(sorted.Count)} / {sorted[sorted.Count / 2]:0.0} ms / {sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(sorted.Count * 0.99) - 1)]:0.0} ms / {sorted[^1]:0.0} ms";
}
