using System.Diagnostics;
using System.Text.Json.Nodes;
using LeanAssist.Lean.Repl;
using LeanAssist.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace LeanAssist.Benchmarks.Scenarios;

public sealed record NaiveFreshProcessParameters(int Candidates, StandInCostModel Cost, int Parallelism = 1);

public sealed record NaiveFreshProcessResult(NaiveFreshProcessParameters Parameters, TimeSpan Total, int Solved);

/// <summary>
/// The naive approach: a fresh Lean process per candidate (<c>lake env lean</c> on the file with the
/// candidate in place of the sorry). Each pays the process start, the header import and the file's
/// commands, then the declaration with the candidate (declaration + tactic cost). Runs
/// <see cref="NaiveFreshProcessParameters.Parallelism"/> processes at a time.
/// </summary>
public static class NaiveFreshProcessScenario
{
    public static async Task<NaiveFreshProcessResult> RunAsync(NaiveFreshProcessParameters parameters, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        using var directory = new TemporaryDirectory();
        var withCandidate = new JsonObject
        {
            ["pattern"] = "candidate_",
            ["latencyMs"] = parameters.Cost.DeclarationMilliseconds + parameters.Cost.TacticMilliseconds,
            ["noSorries"] = true,
        };
        var script = directory.WriteFile("script.json", parameters.Cost.ToScript([withCandidate]));
        var layout = Lean.Source.LeanSourceSplitter.Split(BenchmarkFile.Text);

        var clock = Stopwatch.StartNew();
        var solved = 0;
        using var slots = new SemaphoreSlim(parameters.Parallelism);
        await Task.WhenAll(BenchmarkFile.Candidates(parameters.Candidates).Select(async candidate =>
        {
            await slots.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                await using var lean = ReplProcess.Start(ReplStandInLauncher.Spec(directory.Path, "scripted", "--script", script), 1 << 24, NullLogger.Instance, "naive");
                var timeout = TimeSpan.FromMinutes(10);
                var env = ((ReplCommandResponse)(await lean.SendAsync(new ReplCommandRequest(layout.Header.Text), timeout, cancellationToken).ConfigureAwait(false)).Response).Env;
                foreach (var command in layout.Commands)
                {
                    var text = command.Text.Replace("sorry", candidate, StringComparison.Ordinal);
                    var answer = await lean.SendAsync(new ReplCommandRequest(text, env), timeout, cancellationToken).ConfigureAwait(false);
                    env = ((ReplCommandResponse)answer.Response).Env;
                    if (text.Contains(candidate, StringComparison.Ordinal) && !((ReplCommandResponse)answer.Response).HasErrors)
                    {
                        Interlocked.Increment(ref solved);
                    }
                }
            }
            finally
            {
                slots.Release();
            }
        })).ConfigureAwait(false);

        return new NaiveFreshProcessResult(parameters, clock.Elapsed, solved);
    }
}
