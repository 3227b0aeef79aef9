using LeanAssist.Server.Hover;
using LeanAssist.Suggestions.Verification;
using LeanAssist.Testing;
using LeanAssist.Testing.Hosting;
using LeanAssist.Testing.Kimina;

namespace LeanAssist.Server.Tests.Remote;

/// <summary>The real suggestion pipeline (host as the command line builds it) with leanAssist.verification.backend = kimina.</summary>
public sealed class RemotePipelineTests
{
    private const string Theorem = "theorem aa (x : Nat) (h1 : x  = 2) : x = 2 := by sorry\n";

    private static PipelineHost Start(KiminaServerDouble server, string? cacheDirectory = null, TemporaryDirectory? project = null) =>
        PipelineHost.Start("{}", project: project, cacheDirectory: cacheDirectory, settings:
        [
            new("LeanAssist:verification:backend", "kimina"),
            new("LeanAssist:kimina:urls:0", server.BaseAddress.AbsoluteUri),
            new("LeanAssist:kimina:toolchain", "v4.33.0-rc2"),
            new("LeanAssist:kimina:timeoutSeconds", "5"),
        ]);

    [TranscriptFact]
    public async Task Remote_verdicts_are_solved_by_the_declaration_check_cached_under_the_remote_toolchain_and_named_in_the_hover()
    {
        await using var server = await KiminaServerDouble.StartAsync();
        server.Answer("by omega", KiminaReply.TimedOut(5), anchor: "theorem aa");
        RemoteProveTests.Script(server);
        using var project = new TemporaryDirectory();
        string file;
        int firstRunRequests;
        await using (var host = Start(server, project: project))
        {
            file = host.WriteLeanFile("T.lean", Theorem);
            var (loaded, results) = await host.SuggestAllAsync(file);
            Assert.Equal("kimina:v4.33.0-rc2", loaded.Toolchain);
            var result = Assert.Single(results);
            Assert.Equal("assumption", result.Best?.Tactic);
            Assert.Equal(SuggestionVerdict.Solved, result.Best!.Verdict);
            Assert.DoesNotContain(result.Suggestions, s => s.Verdict == SuggestionVerdict.Solved && s.Tactic != "assumption");
            var omega = Assert.Single(result.Suggestions, s => s.Tactic == "omega");
            Assert.Equal(SuggestionVerdict.TimedOut, omega.Verdict);

            var hover = HoverHandler.Markdown(result, DateTimeOffset.UtcNow, RemoteHover.BackendOf(loaded));
            Assert.Contains("Kimina Lean Server (remote)", hover, StringComparison.Ordinal);
            Assert.Contains("remote timeout (says nothing about the tactic)", hover, StringComparison.Ordinal);

            firstRunRequests = server.Requests.Count;
        }

        // A restart on the same caches: the verdicts come from the cache (only the file is checked again), and
        // the timed-out candidate is asked again (a timeout is never cached).
        await using (var again = Start(server, cacheDirectory: project.Combine("caches"), project: project))
        {
            var (_, results) = await again.SuggestAllAsync(file);
            Assert.True(results[0].Costs.VerdictCacheHits > 0);
            Assert.Equal("assumption", results[0].Best?.Tactic);
            var sentAgain = server.Requests.Skip(firstRunRequests).SelectMany(r => r.Snippets).Where(s => !s.Code.EndsWith(":= by sorry", StringComparison.Ordinal)).ToArray();
            Assert.All(sentAgain, s => Assert.EndsWith("by omega", s.Code, StringComparison.Ordinal));
        }
    }
}
