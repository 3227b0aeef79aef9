using System.Text.Json.Nodes;
using LeanAssist.Protocol.JsonRpc;
using LeanAssist.Protocol.Lsp;
using Microsoft.Extensions.Logging.Abstractions;

namespace LeanAssist.Protocol.Tests;

public sealed class WorkDoneProgressTests
{
    private static async Task<(ConnectionHarness, LanguageServerEndpoint)> StartAsync(bool clientSupportsProgress)
    {
        var harness = new ConnectionHarness();
        var endpoint = new LanguageServerEndpoint(harness.Connection, NullLogger<LanguageServerEndpoint>.Instance);
        _ = endpoint.RunAsync();
        await harness.Client.InitializeAsync(new JsonObject { ["window"] = new JsonObject { ["workDoneProgress"] = clientSupportsProgress } });
        return (harness, endpoint);
    }

    private static string Kind(JsonObject progress) => progress["params"]!["value"]!["kind"]!.GetValue<string>();

    [Fact]
    public async Task Creates_a_token_then_sends_begin_report_end()
    {
        var (harness, endpoint) = await StartAsync(clientSupportsProgress: true);
        await using var _ = harness;

        await using (var progress = await WorkDoneProgress.BeginAsync(endpoint.Client, endpoint.Progress, null, "Suggesting", cancellable: true, CancellationToken.None))
        {
            await progress.ReportAsync("2 of 8 verified", 25);
            await progress.EndAsync("done");
        }

        var create = await harness.Client.WaitForAsync(m => m["method"]?.GetValue<string>() == LspMethods.WorkDoneProgressCreate);
        var token = create["params"]!["token"]!.GetValue<string>();
        await harness.Client.WaitForNotificationAsync(LspMethods.Progress, m => Kind(m) == "end");
        var progressMessages = harness.Client.Notifications(LspMethods.Progress).ToArray();

        Assert.Equal(["begin", "report", "end"], progressMessages.Select(Kind));
        Assert.All(progressMessages, m => Assert.Equal(token, m["params"]!["token"]!.GetValue<string>()));
        Assert.Equal("Suggesting", progressMessages[0]["params"]!["value"]!["title"]!.GetValue<string>());
        Assert.Equal(25, progressMessages[1]["params"]!["value"]!["percentage"]!.GetValue<int>());
    }

    [Fact]
    public async Task Uses_the_client_token_without_creating_one()
    {
        var (harness, endpoint) = await StartAsync(clientSupportsProgress: true);
        await using var _ = harness;

        var progress = await WorkDoneProgress.BeginAsync(endpoint.Client, endpoint.Progress, MessageId.FromNumber(77), "Work", false, CancellationToken.None);
        await progress.DisposeAsync();

        var end = await harness.Client.WaitForNotificationAsync(LspMethods.Progress, m => Kind(m) == "end");
        Assert.Equal(77, end["params"]!["token"]!.GetValue<int>());
        Assert.DoesNotContain(harness.Client.Received, m => m["method"]?.GetValue<string>() == LspMethods.WorkDoneProgressCreate);
    }

    [Fact]
    public async Task Cancel_from_the_client_cancels_the_token()
    {
        var (harness, endpoint) = await StartAsync(clientSupportsProgress: true);
        await using var _ = harness;

        var progress = await WorkDoneProgress.BeginAsync(endpoint.Client, endpoint.Progress, MessageId.FromString("p1"), "Work", true, CancellationToken.None);
        var cancelled = new TaskCompletionSource();
        progress.CancellationToken.Register(() => cancelled.SetResult());
        await harness.Client.NotifyAsync(LspMethods.WorkDoneProgressCancel, new JsonObject { ["token"] = "p1" });

        await cancelled.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await progress.DisposeAsync();
    }

    [Fact]
    public async Task A_cancel_that_finds_the_progress_just_as_it_ends_is_harmless()
    {
        var (harness, endpoint) = await StartAsync(clientSupportsProgress: true);
        await using var _ = harness;
        var progress = await WorkDoneProgress.BeginAsync(endpoint.Client, endpoint.Progress, MessageId.FromString("late"), "Work", true, CancellationToken.None);

        // The interleaving of a window/workDoneProgress/cancel that looked the progress up before it ended.
        await progress.DisposeAsync();
        progress.Cancel();

        Assert.True(progress.CancellationToken.IsCancellationRequested);
        Assert.False(endpoint.Progress.Cancel(MessageId.FromString("late")));
    }

    [Fact]
    public async Task Ending_a_progress_leaves_a_later_one_with_the_same_client_token_cancellable()
    {
        var (harness, endpoint) = await StartAsync(clientSupportsProgress: true);
        await using var _ = harness;
        var token = MessageId.FromString("shared");
        var first = await WorkDoneProgress.BeginAsync(endpoint.Client, endpoint.Progress, token, "First", true, CancellationToken.None);
        var second = await WorkDoneProgress.BeginAsync(endpoint.Client, endpoint.Progress, token, "Second", true, CancellationToken.None);
        var secondCancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        second.CancellationToken.Register(() => secondCancelled.SetResult());

        await first.DisposeAsync();
        await harness.Client.NotifyAsync(LspMethods.WorkDoneProgressCancel, new JsonObject { ["token"] = "shared" });

        await secondCancelled.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.False(first.CancellationToken.IsCancellationRequested);
        await second.DisposeAsync();
    }

    [Fact]
    public async Task Without_client_support_nothing_is_sent()
    {
        var (harness, endpoint) = await StartAsync(clientSupportsProgress: false);
        await using var _ = harness;

        await using (var progress = await WorkDoneProgress.BeginAsync(endpoint.Client, endpoint.Progress, null, "Work", true, CancellationToken.None))
        {
            await progress.ReportAsync("x");
            Assert.False(progress.IsReported);
        }

        await harness.Client.RequestAsync("unknown/marker");
        Assert.Empty(harness.Client.Notifications(LspMethods.Progress));
    }
}
