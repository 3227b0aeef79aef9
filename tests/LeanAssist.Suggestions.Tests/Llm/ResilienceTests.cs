using LeanAssist.Suggestions.Candidates;
using LeanAssist.Suggestions.Llm;
using LeanAssist.Suggestions.Llm.Resilience;
using LeanAssist.Suggestions.Llm.Status;
using LeanAssist.Testing.Llm;

namespace LeanAssist.Suggestions.Tests.Llm;

/// <summary>Errors, retries, timeouts, the circuit breaker and cancellation, against the providers' documented error answers.</summary>
public sealed class ResilienceTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    private static ProposalRequest Request(string goal = "⊢ 2 + 2 = 4") => new() { Goal = goal, MaxCandidates = 4 };

    [Theory]
    [InlineData(LlmProviderKind.OpenAI)]
    [InlineData(LlmProviderKind.Anthropic)]
    [InlineData(LlmProviderKind.Gemini)]
    public async Task Unauthorized_IsReportedOnce_NotRetried_AndTheKeyIsNotInTheMessage(LlmProviderKind provider)
    {
        await using var rig = await LlmRig.StartAsync();
        rig.Use(provider);
        rig.Server.ExpectedApiKey = "test-the-right-key-not-real";

        var proposal = await rig.Proposer.ProposeAsync(Request(), CancellationToken.None);

        Assert.NotNull(proposal.Failure);
        // Gemini answers a bad key with 400 API_KEY_INVALID; the others with 401.
        Assert.Equal(provider == LlmProviderKind.Gemini ? ProposalFailureKind.BadRequest : ProposalFailureKind.Unauthorized, proposal.Failure.Kind);
        Assert.Empty(proposal.Candidates);
        Assert.Single(rig.Server.Requests);
        Assert.DoesNotContain(LlmRig.TestKey, proposal.Failure.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("sk-test***", proposal.Failure.Message, StringComparison.Ordinal);
        var status = rig.Status.Current;
        Assert.Equal(LlmState.Failing, status.State);
        Assert.Equal(proposal.Failure.Message, status.Calls.LastError!.Message);
    }

    [Fact]
    public async Task RateLimited_WaitsExactlyTheRetryAfterTheProviderGave_ThenSucceeds()
    {
        await using var rig = await LlmRig.StartAsync(manualTime: true);
        rig.Use(LlmProviderKind.OpenAI);
        rig.Server.Enqueue(LlmReply.Error(429, retryAfter: "7"), LlmReply.Success("```lean\nnorm_num\n```"));

        var proposing = rig.Proposer.ProposeAsync(Request(), CancellationToken.None);
        await rig.Server.WaitForRequestAsync(1, Wait);
        // The retry waits on the clock: its delay is the Retry-After, not the exponential backoff.
        await rig.ManualTime.WaitForTimerAsync(due => due == TimeSpan.FromSeconds(7), Wait);
        Assert.Single(rig.Server.Requests);
        rig.ManualTime.Advance(TimeSpan.FromSeconds(7));

        var proposal = await proposing.WaitAsync(Wait);
        Assert.Null(proposal.Failure);
        Assert.Equal("norm_num", proposal.Candidates[0].Tactic);
        Assert.Equal(2, proposal.Usage.Attempts);
        Assert.Equal(1, rig.Statistics.Totals.Retries);
    }

    [Theory]
    [InlineData(LlmProviderKind.OpenAI, 500)]
    [InlineData(LlmProviderKind.Gemini, 500)]
    [InlineData(LlmProviderKind.Anthropic, 500)]
    [InlineData(LlmProviderKind.Anthropic, 529)]
    [InlineData(LlmProviderKind.OpenAI, 408)]
    [InlineData(LlmProviderKind.OpenAI, 409)]
    public async Task TransientErrors_AreRetriedWithBackoff(LlmProviderKind provider, int status)
    {
        await using var rig = await LlmRig.StartAsync(manualTime: true);
        rig.Use(provider);
        rig.Server.Enqueue(status == 529 ? LlmReply.Overloaded() : LlmReply.Error(status), LlmReply.Success("```lean\ndecide\n```"));

        var proposing = rig.Proposer.ProposeAsync(Request(), CancellationToken.None);
        await rig.Server.WaitForRequestAsync(1, Wait);
        // Exponential backoff from 1 s with jitter: the first delay is within (0, 2] s.
        await rig.ManualTime.WaitForTimerAsync(due => due > TimeSpan.Zero && due <= TimeSpan.FromSeconds(2), Wait);
        rig.ManualTime.AdvanceToNextTimer();

        var proposal = await proposing.WaitAsync(Wait);
        Assert.Null(proposal.Failure);
        Assert.Equal(2, rig.Server.Requests.Count);
        Assert.Equal(2, proposal.Usage.Attempts);
    }

    [Fact]
    public async Task ServerErrorThatPersists_GivesUpAfterTheRetries_WithTheProvidersMessage()
    {
        await using var rig = await LlmRig.StartAsync(manualTime: true);
        // A total timeout longer than any backoff delay, so the only timer that can match below is a retry's.
        rig.Use(LlmProviderKind.Anthropic, o => o.TimeoutMs = 120_000);
        rig.Server.DefaultReply = LlmReply.Overloaded();

        var proposing = rig.Proposer.ProposeAsync(Request(), CancellationToken.None);
        await AdvanceThroughAllRetriesAsync(rig);

        var proposal = await proposing.WaitAsync(Wait);
        Assert.Equal(ProposalFailureKind.ProviderUnavailable, proposal.Failure!.Kind);
        Assert.Equal(529, proposal.Failure.HttpStatus);
        Assert.Contains("overloaded_error", proposal.Failure.Message, StringComparison.Ordinal);
        Assert.Equal(LlmResiliencePipelines.MaxRetries + 1, rig.Server.Requests.Count);
    }

    [Fact]
    public async Task Hang_TimesOutAfterTimeoutMs_AndTheRequestIsAbortedOnTheWire()
    {
        await using var rig = await LlmRig.StartAsync(manualTime: true);
        rig.Use(LlmProviderKind.OpenAI, o => o.TimeoutMs = 5_000);
        rig.Server.DefaultReply = LlmReply.Hang();

        var proposing = rig.Proposer.ProposeAsync(Request(), CancellationToken.None);
        var hanging = await rig.Server.WaitForRequestAsync(1, Wait);
        await rig.ManualTime.WaitForTimerAsync(due => due == TimeSpan.FromSeconds(5), Wait);
        rig.ManualTime.Advance(TimeSpan.FromSeconds(5));

        var proposal = await proposing.WaitAsync(Wait);
        Assert.Equal(ProposalFailureKind.Timeout, proposal.Failure!.Kind);
        Assert.Contains("5000 ms", proposal.Failure.Message, StringComparison.Ordinal);
        await hanging.Aborted.WaitAsync(Wait);
    }

    [Fact]
    public async Task CallerCancellation_FlowsToTheHttpRequest_AndSurfacesAsCancellation()
    {
        await using var rig = await LlmRig.StartAsync();
        rig.Use(LlmProviderKind.Gemini);
        rig.Server.DefaultReply = LlmReply.Hang();
        using var editorRequest = new CancellationTokenSource();

        var proposing = rig.Proposer.ProposeAsync(Request(), editorRequest.Token);
        var hanging = await rig.Server.WaitForRequestAsync(1, Wait);
        await editorRequest.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => proposing.WaitAsync(Wait));
        await hanging.Aborted.WaitAsync(Wait);
        Assert.Null(rig.Statistics.Totals.LastError);
    }

    [Theory]
    [InlineData(LlmProviderKind.OpenAI)]
    [InlineData(LlmProviderKind.Anthropic)]
    [InlineData(LlmProviderKind.Gemini)]
    public async Task MalformedJson_IsAClearFailure_NotRetried_NotCached(LlmProviderKind provider)
    {
        await using var rig = await LlmRig.StartAsync();
        rig.Use(provider);
        rig.Server.Enqueue(LlmReply.MalformedJson());

        var failed = await rig.Proposer.ProposeAsync(Request(), CancellationToken.None);
        var next = await rig.Proposer.ProposeAsync(Request(), CancellationToken.None);

        Assert.Equal(ProposalFailureKind.MalformedResponse, failed.Failure!.Kind);
        Assert.Contains("not its documented format", failed.Failure.Message, StringComparison.Ordinal);
        // The second call went to the server again (nothing was cached) and got the default answer.
        Assert.Null(next.Failure);
        Assert.False(next.Usage.FromCache);
        Assert.Equal(2, rig.Server.Requests.Count);
    }

    [Theory]
    [InlineData(LlmProviderKind.OpenAI, "no choices")]
    [InlineData(LlmProviderKind.Anthropic, "no content blocks")]
    [InlineData(LlmProviderKind.Gemini, "no candidates")]
    public async Task EmptyChoices_IsAnEmptyResponseFailure(LlmProviderKind provider, string why)
    {
        await using var rig = await LlmRig.StartAsync();
        rig.Use(provider);
        rig.Server.Enqueue(LlmReply.EmptyChoices());

        var proposal = await rig.Proposer.ProposeAsync(Request(), CancellationToken.None);

        Assert.Equal(ProposalFailureKind.EmptyResponse, proposal.Failure!.Kind);
        Assert.Contains(why, proposal.Failure.Message, StringComparison.Ordinal);
        Assert.Single(rig.Server.Requests);
    }

    [Fact]
    public async Task AnswerWithOnlyChatter_IsAnEmptyResponseFailure_ButItsCostIsCounted()
    {
        await using var rig = await LlmRig.StartAsync();
        rig.Use(LlmProviderKind.OpenAI);
        rig.Server.Enqueue(LlmReply.Success("I'm sorry, I cannot help with that.", new ScriptedUsage(1000, 50)));

        var proposal = await rig.Proposer.ProposeAsync(Request(), CancellationToken.None);

        Assert.Equal(ProposalFailureKind.EmptyResponse, proposal.Failure!.Kind);
        Assert.True(proposal.Usage.CostUsd > 0);
        Assert.Equal(proposal.Usage.CostUsd, rig.Budget.Status.SpentTodayUsd);
    }

    [Fact]
    public async Task DroppedConnection_IsANetworkFailure_RetriedThenReported()
    {
        await using var rig = await LlmRig.StartAsync(manualTime: true);
        rig.Use(LlmProviderKind.OpenAI);
        rig.Server.Enqueue(LlmReply.Disconnect(), LlmReply.Success("```lean\ntrivial\n```"));

        var proposing = rig.Proposer.ProposeAsync(Request(), CancellationToken.None);
        await rig.Server.WaitForRequestAsync(1, Wait);
        await rig.ManualTime.WaitForTimerAsync(due => due > TimeSpan.Zero && due <= TimeSpan.FromSeconds(2), Wait);
        rig.ManualTime.AdvanceToNextTimer();

        var proposal = await proposing.WaitAsync(Wait);
        Assert.Null(proposal.Failure);
        Assert.Equal("trivial", proposal.Candidates[0].Tactic);
    }

    [Fact]
    public async Task BadRequest_IsNotRetried()
    {
        await using var rig = await LlmRig.StartAsync();
        rig.Use(LlmProviderKind.OpenAI);
        rig.Server.Enqueue(LlmReply.Raw(404, """{"error":{"message":"The model `gpt-9` does not exist or you do not have access to it.","type":"invalid_request_error","param":null,"code":"model_not_found"}}"""));

        var proposal = await rig.Proposer.ProposeAsync(Request(), CancellationToken.None);

        Assert.Equal(ProposalFailureKind.BadRequest, proposal.Failure!.Kind);
        Assert.Contains("does not exist", proposal.Failure.Message, StringComparison.Ordinal);
        Assert.Single(rig.Server.Requests);
    }

    [Fact]
    public async Task RepeatedFailures_OpenTheCircuit_SoTheEndpointIsNotCalled_UntilTheBreakEnds()
    {
        await using var rig = await LlmRig.StartAsync(manualTime: true);
        rig.Use(LlmProviderKind.OpenAI, o => o.TimeoutMs = 120_000);
        rig.Server.DefaultReply = LlmReply.Error(500);

        // One proposal makes 1 + MaxRetries failing attempts: enough (>= MinimumThroughput, 100% failures) to open the circuit.
        var proposing = rig.Proposer.ProposeAsync(Request(), CancellationToken.None);
        await AdvanceThroughAllRetriesAsync(rig);

        // The last attempt's own error is what the first proposal reports; the circuit opened on it.
        var first = await proposing.WaitAsync(Wait);
        Assert.Equal(ProposalFailureKind.ProviderUnavailable, first.Failure!.Kind);
        var calls = rig.Server.Requests.Count;
        Assert.Equal(LlmResiliencePipelines.MinimumThroughput, calls);
        Assert.Equal(LlmState.Paused, rig.Status.Current.State);

        var whileOpen = await rig.Proposer.ProposeAsync(Request("⊢ 3 = 3"), CancellationToken.None);
        Assert.Equal(ProposalFailureKind.CircuitOpen, whileOpen.Failure!.Kind);
        Assert.Equal(calls, rig.Server.Requests.Count);

        // After the break one probe goes through; the endpoint has recovered.
        rig.ManualTime.Advance(LlmResiliencePipelines.BreakDuration);
        rig.Server.DefaultReply = LlmReply.Success("```lean\nrfl\n```");
        var recovered = await rig.Proposer.ProposeAsync(Request("⊢ 4 = 4"), CancellationToken.None);
        Assert.Null(recovered.Failure);
        Assert.Equal(calls + 1, rig.Server.Requests.Count);
        Assert.Equal(LlmState.Ready, rig.Status.Current.State);
    }

    /// <summary>Lets every retry of a failing call happen: waits for each attempt, then moves the clock past its backoff.</summary>
    private static async Task AdvanceThroughAllRetriesAsync(LlmRig rig)
    {
        for (var attempt = 1; attempt <= LlmResiliencePipelines.MaxRetries; attempt++)
        {
            await rig.Server.WaitForRequestAsync(attempt, Wait);
            await rig.ManualTime.WaitForTimerAsync(due => due > TimeSpan.Zero && due <= LlmResiliencePipelines.MaxDelay, Wait);
            rig.ManualTime.AdvanceToNextTimer();
        }
    }
}
