using LeanAssist.Testing;
using LeanAssist.Testing.Kimina;
using LeanAssist.Testing.Lsp;

namespace LeanAssist.Server.Tests.Remote;

/// <summary>The real <c>leanassist prove --backend kimina</c> process against two Kimina test doubles on 127.0.0.1.</summary>
public sealed class RemoteProveTests
{
    private const string Theorem = "theorem aa (x : Nat) (h1 : x  = 2) : x = 2 := by sorry\n";

    /// <summary>The whole file as recorded; `assumption` elaborates cleanly; any other candidate gets a recorded error in the declaration.</summary>
    internal static void Script(KiminaServerDouble server) => server
        .Answer(":= by sorry", KiminaReply.Recorded("assumption_proof", 0), anchor: "theorem aa")
        .Answer("by assumption", KiminaReply.Recorded("def_eval", 0), anchor: "theorem aa")
        .Answer("theorem aa", KiminaReply.Recorded("self_proof_exact_check", 0), anchor: "theorem aa");

    [TranscriptFact]
    public async Task Prove_over_a_directory_uses_every_server_and_writes_what_was_solved()
    {
        using var project = new TemporaryDirectory();
        var files = Enumerable.Range(1, 4).Select(i => project.WriteFile($"src/T{i}.lean", Theorem)).ToArray();
        await using var first = await KiminaServerDouble.StartAsync();
        await using var second = await KiminaServerDouble.StartAsync();
        Script(first);
        Script(second);
        first.Latency = second.Latency = TimeSpan.FromMilliseconds(100);

        var result = await ProcessRunner.RunAsync(ServerProcess.DotnetHost,
            [ServerProcess.ServerDll, "prove", project.Combine("src"), "--write", "--backend", "kimina",
                "--kimina-url", first.BaseAddress.AbsoluteUri, "--kimina-url", second.BaseAddress.AbsoluteUri],
            TimeSpan.FromMinutes(2),
            workingDirectory: project.Path,
            environment: new Dictionary<string, string?> { ["LEANASSIST_CACHE_DIR"] = project.Combine("cache"), ["KIMINA_API_KEY"] = "test-kimina-key" });

        Assert.True(result.ExitCode == 0, result.StandardError + result.StandardOutput);
        Assert.Contains("4 sorries in 4 files: 4 solved, 0 progress only, 0 unsolved.", result.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("Wrote 4 files.", result.StandardOutput, StringComparison.Ordinal);
        foreach (var file in files)
        {
            Assert.Equal("theorem aa (x : Nat) (h1 : x  = 2) : x = 2 := by assumption\n", await File.ReadAllTextAsync(file));
        }

        Assert.True(first.SnippetsChecked > 0 && second.SnippetsChecked > 0, $"{first.SnippetsChecked} and {second.SnippetsChecked} snippets");
        Assert.All(first.Requests.Concat(second.Requests), r => Assert.Equal("Bearer test-kimina-key", r.Headers["Authorization"]));
    }

    [TranscriptFact]
    public async Task Unreachable_servers_are_reported_not_taken_for_unprovable_sorries()
    {
        using var project = new TemporaryDirectory();
        var file = project.WriteFile("T.lean", Theorem);
        await using var server = await KiminaServerDouble.StartAsync();
        for (var i = 0; i < 10; i++)
        {
            server.Enqueue(KiminaReply.InternalError("REPL prep failed"));
        }

        var result = await ProcessRunner.RunAsync(ServerProcess.DotnetHost,
            [ServerProcess.ServerDll, "prove", file, "--backend", "kimina", "--kimina-url", server.BaseAddress.AbsoluteUri],
            TimeSpan.FromMinutes(2),
            workingDirectory: project.Path,
            environment: new Dictionary<string, string?> { ["LEANASSIST_CACHE_DIR"] = project.Combine("cache") });

        Assert.Equal(4, result.ExitCode);
        Assert.Contains("Kimina could not check the file", result.StandardError, StringComparison.Ordinal);
        Assert.Contains("REPL prep failed", result.StandardError, StringComparison.Ordinal);
    }
}
