using System.Globalization;
using LeanAssist.Lean.Pool;
using LeanAssist.Testing;
using LeanAssist.Testing.Hosting;

namespace LeanAssist.Benchmarks.Workloads;

/// <summary>
/// The real pipeline as <c>leanassist prove</c> builds it, in this process (<see cref="PipelineHost"/>), with
/// the bench's session count. The tests' short REPL timeouts would cut off the slow cost models, so the
/// request timeout is the product's and the header gets two minutes.
/// </summary>
public static class BenchPipeline
{
    /// <param name="project">An earlier pipeline's project (and stand-in log), for a restart.</param>
    /// <param name="caches">An earlier pipeline's caches, for a restart.</param>
    public static PipelineHost Start(string script, int sessions, TemporaryDirectory? project = null, string? caches = null,
        IEnumerable<KeyValuePair<string, string?>>? settings = null) =>
        PipelineHost.Start(script, project ?? new TemporaryDirectory("leanassist-bench"), caches, settings:
        [
            new("LeanAssist:repl:sessions", sessions.ToString(CultureInfo.InvariantCulture)),
            new("LeanAssist:repl:requestTimeoutSeconds", new ReplOptions().RequestTimeoutSeconds.ToString(CultureInfo.InvariantCulture)),
            new("LeanAssist:repl:headerTimeoutSeconds", "120"),
            .. settings ?? [],
        ]);
}
