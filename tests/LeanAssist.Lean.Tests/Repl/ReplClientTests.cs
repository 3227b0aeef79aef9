using System.Text;
using System.Text.Json;
using LeanAssist.Lean.Pool;
using LeanAssist.Lean.Repl;
using LeanAssist.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace LeanAssist.Lean.Tests.Repl;

/// <summary>The client's own pieces: request encoding, answer framing, command lines, settings validation.</summary>
public sealed class ReplClientTests
{
    [Fact]
    public void Requests_are_one_line_with_escaped_line_breaks_and_literal_unicode()
    {
        var json = new ReplCommandRequest("theorem t : ∀ x : 𝔽, x = x := by\n\tintro x\r\n  rfl -- \"q\" \\", 3).ToJson();

        Assert.DoesNotContain('\n', json);
        Assert.DoesNotContain('\r', json);
        Assert.Equal("{\"cmd\":\"theorem t : ∀ x : 𝔽, x = x := by\\n\\tintro x\\r\\n  rfl -- \\\"q\\\" \\\\\",\"env\":3}", json);
        Assert.Equal("{\"tactic\":\"exact h\",\"proofState\":0}", new ReplTacticRequest("exact h", 0).ToJson());
        Assert.Equal("{\"unpickleProofStateFrom\":\"/tmp/a b.olean\",\"env\":2}", new ReplUnpickleProofStateRequest("/tmp/a b.olean", 2).ToJson());
        Assert.Equal("{\"cmd\":\"x\\u0001\"}", new ReplCommandRequest("x\u0001").ToJson());
        Assert.Equal("{\"cmd\":\"x\",\"allTactics\":true,\"rootGoals\":false,\"infotree\":\"original\"}",
            new ReplCommandRequest("x") { AllTactics = true, RootGoals = false, InfoTree = "original" }.ToJson());
        Assert.Equal("{\"pickleTo\":\"e.olean\",\"env\":4}", new ReplPickleEnvironmentRequest(4, "e.olean").ToJson());
        Assert.Equal("{\"pickleTo\":\"p.olean\",\"proofState\":5}", new ReplPickleProofStateRequest(5, "p.olean").ToJson());
        Assert.Equal("{\"unpickleEnvFrom\":\"e.olean\"}", new ReplUnpickleEnvironmentRequest("e.olean").ToJson());
    }

    public static TheoryData<string> LeanTexts => new()
    {
        "n : ℕ\n⊢ n + 0 = n",
        "theorem t (K : Type) [Field 𝕜] (x : 𝔽) : ¬(x ≠ x) → True := by\n  intro h\n  trivial",
        "exact \"a \\\"quoted\\\" \\\\ string\"",
        "C:\\path\\to\\file.lean",
        "bell\a back\b form\f vt\v esc\u001b unit\u001f nul\0 del\u007f next\u0085 ls\u2028 ps\u2029 bom\ufeff",
        "<html> & 'single' `tick` +plus",
        "😀 emoji, 日本語, ✝ dagger, x₁ subscript",
        "",
    };

    [Theory]
    [MemberData(nameof(LeanTexts))]
    public void Any_text_round_trips_on_one_line_with_only_what_JSON_requires_escaped(string text)
    {
        var json = new ReplTacticRequest(text, 7).ToJson();

        using var parsed = JsonDocument.Parse(json);
        Assert.Equal(text, parsed.RootElement.GetProperty("tactic").GetString());
        Assert.Equal(7, parsed.RootElement.GetProperty("proofState").GetInt32());
        Assert.DoesNotContain(json, c => c < ' ');

        // Lean reads one \u escape as one character: only control characters may be written that way.
        foreach (var escape in System.Text.RegularExpressions.Regex.Matches(json, @"\\u([0-9a-fA-F]{4})").Select(m => Convert.ToInt32(m.Groups[1].Value, 16)))
        {
            Assert.True(escape < 0x20, $"U+{escape:X4} was escaped in {json}");
        }

        // Everything else is written as it is (in UTF-8 on the wire).
        foreach (var rune in text.EnumerateRunes().Where(r => r.Value >= 0x20 && r.Value is not ('"' or '\\')))
        {
            Assert.Contains(rune.ToString(), json, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void An_unpaired_surrogate_becomes_a_replacement_character_and_the_rest_of_the_text_is_kept()
    {
        var json = new ReplCommandRequest("a\ud835b\n\"c\"").ToJson();

        Assert.Equal("{\"cmd\":\"a\ufffdb\\n\\\"c\\\"\"}", json);
    }

    [Fact]
    public void On_the_wire_a_request_is_its_UTF8_JSON_line_and_a_blank_line()
    {
        var request = new ReplTacticRequest("simp at h ⊢\nexact 𝔽", 3);

        var wire = request.ToWireBytes();

        Assert.Equal(Encoding.UTF8.GetBytes(request.ToJson() + "\n\n"), wire);
        Assert.Equal(2, wire.Count(b => b == (byte)'\n'));
    }

    [Fact]
    public async Task Answers_are_read_to_the_blank_line_skipping_leading_blank_lines_and_accepting_crlf()
    {
        var output = "\n\r\n{\"env\":\r\n 0}\r\n\r\n{\"message\": \"Unknown environment.\"}\n\n{\"env\": 1}\n   \n";
        var reader = new ReplResponseReader(new MemoryStream(Encoding.UTF8.GetBytes(output)), 1024);

        var first = Encoding.UTF8.GetString((await reader.ReadResponseAsync(CancellationToken.None)).Span);
        var second = Encoding.UTF8.GetString((await reader.ReadResponseAsync(CancellationToken.None)).Span);
        var third = Encoding.UTF8.GetString((await reader.ReadResponseAsync(CancellationToken.None)).Span);
        var end = await Assert.ThrowsAsync<ReplFailureException>(() => reader.ReadResponseAsync(CancellationToken.None));

        Assert.Equal("{\"env\":\n 0}", first);
        Assert.Equal("{\"message\": \"Unknown environment.\"}", second);
        Assert.Equal("{\"env\": 1}", third);
        Assert.Equal(ReplFailureKind.Exited, end.Kind);
    }

    [Fact]
    public async Task An_answer_over_the_size_limit_fails_without_reading_it_all()
    {
        var reader = new ReplResponseReader(new MemoryStream(Encoding.UTF8.GetBytes("{\"env\": 0, \"pad\": \"" + new string('x', 5000) + "\"}\n\n")), 1000);

        var failure = await Assert.ThrowsAsync<ReplFailureException>(() => reader.ReadResponseAsync(CancellationToken.None));

        Assert.Equal(ReplFailureKind.ResponseTooLarge, failure.Kind);
    }

    [Theory]
    [InlineData("{\"env\": \"zero\"}", "no number \"env\"")]
    [InlineData("[1, 2]", "instead of an object")]
    [InlineData("{\"env\": 0, \"messages\": [{\"severity\": \"fatal\", \"pos\": {\"line\": 1, \"column\": 0}, \"data\": \"x\"}]}", "unknown message severity")]
    [InlineData("lake: error: unknown executable repl", "not JSON")]
    public void Malformed_answers_are_protocol_failures_that_quote_the_answer(string answer, string expected)
    {
        var failure = Assert.Throws<ReplFailureException>(() => ReplResponseParser.Parse(Encoding.UTF8.GetBytes(answer), expectsProofStateResponse: false));

        Assert.Equal(ReplFailureKind.Protocol, failure.Kind);
        Assert.Contains(expected, failure.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("lake env /opt/repl/bin/repl", new[] { "lake", "env", "/opt/repl/bin/repl" })]
    [InlineData("\"/path with spaces/repl\" --flag 'single quoted \"x\"'", new[] { "/path with spaces/repl", "--flag", "single quoted \"x\"" })]
    [InlineData("  dotnet   \"a \\\"b\\\" c\"  ", new[] { "dotnet", "a \"b\" c" })]
    [InlineData("prog ''", new[] { "prog", "" })]
    public void Command_lines_split_into_program_and_arguments_honouring_quotes(string commandLine, string[] expected)
    {
        Assert.Equal(expected, CommandLineSplitter.Split(commandLine));
    }

    [Theory]
    [InlineData("prog \"unclosed", "unclosed \"")]
    [InlineData("prog 'unclosed", "unclosed '")]
    [InlineData("   ", "empty")]
    public void Unreadable_command_lines_say_why(string commandLine, string expected)
    {
        Assert.False(CommandLineSplitter.TrySplit(commandLine, out _, out var error));
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Settings_validation_names_each_bad_setting()
    {
        var result = new ReplOptionsValidation().Validate(null, new ReplOptions
        {
            Command = "repl \"oops",
            Sessions = 0,
            RequestTimeoutSeconds = -1,
            QueueLimit = 0,
            MaxResponseMegabytes = 0,
        });

        Assert.True(result.Failed);
        foreach (var setting in new[] { "leanAssist.repl.command", "leanAssist.repl.sessions", "leanAssist.repl.requestTimeoutSeconds", "leanAssist.repl.queueLimit", "leanAssist.repl.maxResponseMegabytes" })
        {
            Assert.Contains(result.Failures!, f => f.Contains(setting, StringComparison.Ordinal));
        }

        Assert.True(new ReplOptionsValidation().Validate(null, new ReplOptions()).Succeeded);
    }

    [Theory]
    [InlineData(2, 24L << 30, 1)]
    [InlineData(8, 64L << 30, 7)]
    [InlineData(16, 16L << 30, 3)]
    [InlineData(1, 2L << 30, 1)]
    [InlineData(64, 512L << 30, 8)]
    public void The_default_session_count_follows_cores_and_memory(int cores, long memory, int expected)
    {
        Assert.Equal(expected, ReplOptions.DefaultSessions(cores, memory));
    }

    [Fact]
    public async Task A_caller_that_cancels_stops_waiting_while_the_request_finishes_before_the_next_one()
    {
        using var directory = new TemporaryDirectory();
        var script = directory.WriteFile("s.json", "{\"tacticMs\": 400, \"tactics\": [{\"tactic\": \"rfl\", \"result\": \"completed\"}]}");
        await using var repl = ReplProcess.Start(ReplStandInLauncher.Spec(directory.Path, "scripted", "--script", script), 1 << 20, NullLogger.Instance, "cancel");
        var sorry = await repl.SendAsync(new ReplCommandRequest("theorem t : True := sorry"), TimeSpan.FromSeconds(10));
        var state = ((ReplCommandResponse)sorry.Response).Sorries[0].ProofState!.Value;
        using var cancellation = new CancellationTokenSource(TimeSpan.FromMilliseconds(50));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => repl.SendAsync(new ReplTacticRequest("rfl", state), TimeSpan.FromSeconds(10), cancellation.Token));
        var next = await repl.SendAsync(new ReplTacticRequest("rfl", state), TimeSpan.FromSeconds(10));

        Assert.True(repl.IsUsable);
        Assert.Equal(2, Assert.IsType<ReplTacticResponse>(next.Response).ProofState);
    }

    [Fact]
    public void A_program_that_does_not_exist_fails_to_start_with_its_name()
    {
        var failure = Assert.Throws<ReplFailureException>(() => ReplProcess.Start(
            new ReplLaunchSpec("/nonexistent/lake", ["env", "repl"], Path.GetTempPath(), "lake env repl"), 1024, NullLogger.Instance, "missing"));

        Assert.Equal(ReplFailureKind.StartFailed, failure.Kind);
        Assert.Contains("lake env repl", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Secrets_never_reach_the_REPL_environment()
    {
        Assert.True(ReplProcess.IsSecretVariable("OPENAI_API_KEY"));
        Assert.True(ReplProcess.IsSecretVariable("ANTHROPIC_API_KEY"));
        Assert.True(ReplProcess.IsSecretVariable("GITHUB_TOKEN"));
        Assert.False(ReplProcess.IsSecretVariable("LEAN_PATH"));
        Assert.False(ReplProcess.IsSecretVariable("PATH"));
    }
}
