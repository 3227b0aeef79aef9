using System.Text.Json;
using System.Text.Json.Nodes;
using LeanAssist.Lean.Repl;
using LeanAssist.Lean.Text;
using LeanAssist.ReplStandIn;
using LeanAssist.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace LeanAssist.Lean.Tests.Repl;

/// <summary>
/// Conformance with real Lean output: every recorded transcript is replayed by the stand-in process over
/// real pipes. The client sends each recorded request (rebuilt as a typed request, so its serializer is
/// what is checked; path requests, which only recordings use, are the test's own) and must turn each
/// recorded answer into the right typed result.
/// </summary>
public sealed class TranscriptConformanceTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    public static IEnumerable<object[]> Transcripts => ReplStandInLauncher.AllTranscripts();

    [TranscriptTheory]
    [MemberData(nameof(Transcripts))]
    public async Task Client_sends_the_recorded_requests_and_types_every_recorded_answer(string set, string name)
    {
        var transcript = ReplStandInLauncher.TranscriptPath(set, name);
        var recordedRequests = ReplayMode.ReadRequests(await File.ReadAllTextAsync(transcript + ".in"));
        var recordedResponses = ReplayMode.ReadResponses(await File.ReadAllTextAsync(transcript + ".expected.out"));
        Assert.Equal(recordedRequests.Count, recordedResponses.Count);

        using var directory = new TemporaryDirectory();
        var log = new StandInLog(directory.Combine("requests.log"));
        await using var repl = ReplProcess.Start(
            ReplStandInLauncher.Spec(directory.Path, "replay", transcript, "--log", log.Path),
            maxResponseBytes: 64 * 1024 * 1024, NullLogger.Instance, $"replay-{name}");

        for (var i = 0; i < recordedRequests.Count; i++)
        {
            using var requestJson = JsonDocument.Parse(recordedRequests[i]);
            var request = TypedRequest(requestJson.RootElement);
            var exchange = await repl.SendAsync(request, Timeout);

            using var expected = JsonDocument.Parse(recordedResponses[i]);
            var context = $"{set}/{name} request {i + 1}";
            AssertTyped(exchange.Response, expected.RootElement, request.ExpectsProofStateResponse, context);
            AssertPositionsPointIntoTheSentText(exchange.Response, request, set, context);
            Assert.True(exchange.LeanTime > TimeSpan.Zero, context);
        }

        // Every request reached the stand-in and matched its recording.
        var requests = log.Requests;
        Assert.Equal(recordedRequests.Count, requests.Count);
        Assert.NotEmpty(requests);
        Assert.All(requests, r => Assert.Equal("replayed", r.GetProperty("outcome").GetString()));
    }

    [TranscriptFact]
    public async Task A_request_that_differs_from_the_recording_is_answered_with_a_clear_stand_in_error()
    {
        using var directory = new TemporaryDirectory();
        await using var repl = ReplProcess.Start(
            ReplStandInLauncher.Spec(directory.Path, "replay", ReplStandInLauncher.TranscriptPath("core", "tactic_sorry")),
            1024 * 1024, NullLogger.Instance, "replay-mismatch");

        var exchange = await repl.SendAsync(new ReplCommandRequest("def f : Nat := by rfl"), Timeout);

        var error = Assert.IsType<ReplErrorResponse>(exchange.Response);
        Assert.StartsWith("stand-in: unexpected request", error.Message, StringComparison.Ordinal);
    }

    [TranscriptFact]
    public async Task The_stand_in_prints_every_recorded_answer_byte_for_byte_as_Lean_does()
    {
        // The scripted stand-in's answers are only as faithful as its printer: check it on all real output.
        var checkedResponses = 0;
        foreach (var row in ReplStandInLauncher.AllTranscripts())
        {
            var path = ReplStandInLauncher.TranscriptPath((string)row[0], (string)row[1]) + ".expected.out";
            foreach (var recorded in ReplayMode.ReadResponses(await File.ReadAllTextAsync(path)))
            {
                Assert.Equal(recorded, LeanJsonPrinter.Print(JsonNode.Parse(recorded)));
                checkedResponses++;
            }
        }

        Assert.True(checkedResponses > 100, $"only {checkedResponses} responses checked");
    }

    /// <summary>The typed request for a recorded one (every request shape in the transcripts).</summary>
    internal static ReplRequest TypedRequest(JsonElement json)
    {
        string? S(string name) => json.TryGetProperty(name, out var v) ? v.GetString() : null;
        int? I(string name) => json.TryGetProperty(name, out var v) ? v.GetInt32() : null;
        bool? B(string name) => json.TryGetProperty(name, out var v) ? v.GetBoolean() : null;

        if (S("tactic") is { } tactic)
        {
            return new ReplTacticRequest(tactic, I("proofState")!.Value);
        }

        if (S("pickleTo") is { } pickleTo)
        {
            return I("env") is { } env ? new ReplPickleEnvironmentRequest(env, pickleTo) : new ReplPickleProofStateRequest(I("proofState")!.Value, pickleTo);
        }

        if (S("unpickleEnvFrom") is { } envFile)
        {
            return new ReplUnpickleEnvironmentRequest(envFile);
        }

        if (S("unpickleProofStateFrom") is { } stateFile)
        {
            return new ReplUnpickleProofStateRequest(stateFile, I("env"));
        }

        if (S("cmd") is { } cmd)
        {
            return new ReplCommandRequest(cmd, I("env")) { AllTactics = B("allTactics"), InfoTree = S("infotree"), RootGoals = B("rootGoals") };
        }

        return new RecordedFileRequest(S("path")!, I("env"), B("allTactics"), S("infotree"));
    }

    /// <summary>
    /// <c>{"path": ...}</c>: the REPL elaborates a file it reads itself. LeanAssist never sends this (it sends the
    /// text as <c>cmd</c>), but recordings use it, and their answers must still be typed correctly.
    /// </summary>
    private sealed record RecordedFileRequest(string Path, int? Env, bool? AllTactics, string? InfoTree) : ReplRequest(ReplRequestKind.Command, false)
    {
        protected override void WriteFields(Utf8JsonWriter writer)
        {
            WriteText(writer, "path", Path);
            WriteOptional(writer, "env", Env);
            WriteOptional(writer, "allTactics", AllTactics);
            WriteOptional(writer, "infotree", InfoTree);
        }
    }

    private static readonly HashSet<string> CommandFields = ["env", "messages", "sorries", "tactics", "infotree"];
    private static readonly HashSet<string> TacticFields = ["proofState", "goals", "messages", "sorries", "traces", "proofStatus"];

    private static void AssertTyped(ReplResponse typed, JsonElement expected, bool proofStateResponse, string context)
    {
        if (expected.TryGetProperty("message", out var message))
        {
            var error = Assert.IsType<ReplErrorResponse>(typed);
            Assert.Equal(message.GetString(), error.Message);
            return;
        }

        // No field of the real output may be silently dropped.
        var known = proofStateResponse ? TacticFields : CommandFields;
        Assert.All(expected.EnumerateObject(), p => Assert.True(known.Contains(p.Name), $"{context}: field \"{p.Name}\" is not typed"));

        if (proofStateResponse)
        {
            var tactic = Assert.IsType<ReplTacticResponse>(typed);
            Assert.Equal(expected.GetProperty("proofState").GetInt32(), tactic.ProofState);
            Assert.Equal(Strings(expected, "goals"), tactic.Goals);
            Assert.Equal(expected.TryGetProperty("proofStatus", out var status) ? status.GetString() : null, tactic.ProofStatus);
            Assert.Equal(Strings(expected, "traces"), tactic.Traces);
            AssertMessages(expected, tactic.Messages, context);
            AssertSorries(expected, tactic.Sorries, context);
        }
        else
        {
            var command = Assert.IsType<ReplCommandResponse>(typed);
            Assert.Equal(expected.GetProperty("env").GetInt32(), command.Env);
            AssertMessages(expected, command.Messages, context);
            AssertSorries(expected, command.Sorries, context);
            var tactics = Items(expected, "tactics");
            Assert.Equal(tactics.Count, command.Tactics.Count);
            for (var i = 0; i < tactics.Count; i++)
            {
                Assert.Equal(tactics[i].GetProperty("tactic").GetString(), command.Tactics[i].Tactic);
                Assert.Equal(tactics[i].GetProperty("goals").GetString(), command.Tactics[i].Goals);
                Assert.Equal(tactics[i].GetProperty("proofState").GetInt32(), command.Tactics[i].ProofState);
                Assert.Equal(Position(tactics[i], "pos"), command.Tactics[i].Pos);
                Assert.Equal(Position(tactics[i], "endPos"), command.Tactics[i].EndPos);
                Assert.Equal(Strings(tactics[i], "usedConstants"), command.Tactics[i].UsedConstants);
            }

            Assert.Equal(expected.TryGetProperty("infotree", out _), command.InfoTree.HasValue);
        }
    }

    private static void AssertMessages(JsonElement expected, IReadOnlyList<ReplMessage> messages, string context)
    {
        var items = Items(expected, "messages");
        Assert.True(items.Count == messages.Count, $"{context}: {messages.Count} messages, expected {items.Count}");
        for (var i = 0; i < items.Count; i++)
        {
            Assert.Equal(items[i].GetProperty("severity").GetString(), messages[i].Severity.ToString().ToLowerInvariant());
            Assert.Equal(items[i].GetProperty("data").GetString(), messages[i].Data);
            Assert.Equal(Position(items[i], "pos"), messages[i].Pos);
            Assert.Equal(Position(items[i], "endPos"), messages[i].EndPos);
        }
    }

    private static void AssertSorries(JsonElement expected, IReadOnlyList<ReplSorry> sorries, string context)
    {
        var items = Items(expected, "sorries");
        Assert.True(items.Count == sorries.Count, $"{context}: {sorries.Count} sorries, expected {items.Count}");
        for (var i = 0; i < items.Count; i++)
        {
            Assert.Equal(items[i].GetProperty("goal").GetString(), sorries[i].Goal);
            Assert.Equal(items[i].TryGetProperty("proofState", out var state) ? state.GetInt32() : null, sorries[i].ProofState);
            Assert.Equal(Position(items[i], "pos"), sorries[i].Pos);
            Assert.Equal(Position(items[i], "endPos"), sorries[i].EndPos);
        }
    }

    /// <summary>
    /// Sorry positions, converted with <see cref="SourceText"/>, must select the word "sorry" in the text the
    /// request sent (the cmd, or the recorded .lean file of a path request): positions are exact.
    /// </summary>
    private static void AssertPositionsPointIntoTheSentText(ReplResponse response, ReplRequest request, string set, string context)
    {
        string? sent = request switch
        {
            ReplCommandRequest command => command.Cmd,
            RecordedFileRequest file => File.ReadAllText(Path.Combine(RepositoryPaths.TranscriptsDirectory, set, Path.GetFileName(file.Path))),
            _ => null,
        };
        if (sent is null || response is not ReplCommandResponse command2)
        {
            return;
        }

        var text = new SourceText(sent);
        foreach (var sorry in command2.Sorries.Where(s => s.Pos is not null && s.EndPos is not null))
        {
            var start = text.GetOffset(sorry.Pos!.Value);
            var end = text.GetOffset(sorry.EndPos!.Value);
            Assert.True(sent[start..end] == "sorry", $"{context}: sorry at {sorry.Pos}-{sorry.EndPos} selects \"{sent[start..end]}\"");
        }

        foreach (var message in command2.Messages.Where(m => m.HasPosition))
        {
            Assert.True(text.GetOffset(message.Pos) <= text.GetOffset(message.EndPos ?? message.Pos), context);
            Assert.Equal(message.Pos, text.GetLeanPosition(text.GetOffset(message.Pos)));
        }
    }

    private static List<JsonElement> Items(JsonElement parent, string name) =>
        parent.TryGetProperty(name, out var array) ? array.EnumerateArray().ToList() : [];

    private static string[] Strings(JsonElement parent, string name) =>
        parent.TryGetProperty(name, out var array) ? array.EnumerateArray().Select(e => e.GetString()!).ToArray() : [];

    private static LeanPosition? Position(JsonElement parent, string name) =>
        parent.TryGetProperty(name, out var p) ? new LeanPosition(p.GetProperty("line").GetInt32(), p.GetProperty("column").GetInt32()) : null;
}
