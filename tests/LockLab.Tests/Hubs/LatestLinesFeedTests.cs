using System.Diagnostics;
using LockLab.Contracts;
using LockLab.TestServices;
using LockLab.Tests.Support;
using Microsoft.AspNetCore.SignalR.Client;

namespace LockLab.Tests.Hubs;

/// <summary>
/// Pages that show only a big run's latest lines say so (<see cref="ILabHub.ShowLatestOnly"/>) and are sent only those,
/// ten times a second; every other connection still gets every event, in order.
/// </summary>
public class LatestLinesFeedTests(LabServerFactory lab) : IClassFixture<LabServerFactory>
{
    /// <summary>
    /// 8 processes × 1,000 increments reported as read, write and print: 24,000 events and more, a big run within the
    /// default limits.
    /// </summary>
    private const string BigRun = """{"scenario":"no-lock","processes":8,"iterations":1000,"delayMs":0,"room":"@room"}""";

    private async Task<(HubConnection Hub, RoomRecorder Recorder)> JoinAsync(string room, bool latestOnly)
    {
        var hub = lab.CreateHubConnection();
        var recorder = new RoomRecorder(hub);
        await hub.StartAsync();
        if (latestOnly) Assert.True(await hub.InvokeAsync<bool>(nameof(ILabHub.ShowLatestOnly))); // a single server thins the feed
        lab.OpenRoom(room);
        await hub.InvokeAsync<RoomState>(nameof(ILabHub.JoinRoom), room);
        return (hub, recorder);
    }

    private async Task<RunInfo> StartAsync(string body)
    {
        using var presenter = lab.CreatePresenterClient();
        var response = await presenter.PostAsync("/api/runs", Json.Body(body));
        response.EnsureSuccessStatusCode();
        return (await Json.ReadAsync<RunInfo>(response))!;
    }

    [Fact]
    public async Task A_page_that_shows_the_latest_lines_gets_a_big_runs_latest_events_ten_times_a_second_and_a_viewer_gets_every_event()
    {
        const string room = "latest-feed";
        var (viewerHub, viewer) = await JoinAsync(room, latestOnly: false);
        await using var _ = viewerHub;
        var (pageHub, page) = await JoinAsync(room, latestOnly: true);
        await using var __ = pageHub;

        var clock = Stopwatch.StartNew();
        var run = await StartAsync(BigRun.Replace("@room", room));
        Assert.True(LatestLines.IsBig(run.Parameters));
        var completed = await viewer.CompletedAsync(run.Id);
        var pageCompleted = await page.CompletedAsync(run.Id);
        var elapsed = clock.Elapsed;

        // The viewer that asked for nothing: every event, once, in order.
        var all = viewer.EventsOf(run.Id);
        Assert.Equal(completed.EventCount, all.Length);
        Assert.Equal(Enumerable.Range(1, all.Length).Select(i => (long)i), all.Select(e => e.Seq));

        // The page: at most one message per tenth of a second (one more for the run's last events), each the latest
        // events at the time, in order, ending on the run's last event before RunCompleted.
        var messages = page.Messages.Where(m => m.RunId == run.Id).ToList();
        Assert.Equal(nameof(ILabClient.RunCompleted), messages[^1].Method);
        var batches = messages.Where(m => m.Method == nameof(ILabClient.RunEvents)).ToList();
        Assert.NotEmpty(batches);
        Assert.All(batches, b => Assert.InRange(b.Events.Length, 1, LatestLines.EventsPerMessage));
        Assert.True(batches.Count <= elapsed.TotalMilliseconds / LatestLines.EveryMs + 2,
            $"{batches.Count} messages in {elapsed.TotalMilliseconds:0} ms");
        var seen = page.EventsOf(run.Id);
        Assert.True(seen.Zip(seen.Skip(1)).All(p => p.First.Seq < p.Second.Seq), "the latest events arrived out of order");
        Assert.Equal(completed.EventCount, seen[^1].Seq);
        // How few it was sent follows from the two bounds above (messages by the time the run took, events by message),
        // not from a fraction of the run: a run slowed by a busy machine rightly sends the page more.
        // Its summary: exact counts, short lists (the page shows five lost writes; the rest are a link away).
        Assert.Equal(completed.Summary!.LostUpdates, pageCompleted.Summary!.LostUpdates);
        Assert.Equal(completed.Summary.ActualFinalValue, pageCompleted.Summary.ActualFinalValue);
        Assert.InRange(pageCompleted.Summary.LostWrites.Count, 0, LatestLines.SummaryListLimit);
        Assert.InRange(pageCompleted.Summary.Printed.Count, 0, LatestLines.SummaryListLimit);
        Assert.Equal(completed.Summary.PrintedTotal ?? completed.Summary.Printed.Count, pageCompleted.Summary.PrintedTotal);

        // The last message holds the run's last events as they were, not a sample of them.
        var last = batches[^1].Events;
        Assert.Equal(Enumerable.Range(0, last.Length).Select(i => completed.EventCount - last.Length + 1 + i), last.Select(e => e.Seq));
    }

    [Fact]
    public async Task A_page_that_shows_the_latest_lines_still_gets_every_event_of_a_lesson_run()
    {
        const string room = "latest-lesson";
        var (pageHub, page) = await JoinAsync(room, latestOnly: true);
        await using var _ = pageHub;

        var run = await StartAsync($$"""{"scenario":"no-lock","delayMs":0,"room":"{{room}}"}""");
        Assert.False(LatestLines.IsBig(run.Parameters));
        var completed = await page.CompletedAsync(run.Id);

        var events = page.EventsOf(run.Id);
        Assert.Equal(completed.EventCount, events.Length);
        Assert.Equal(Enumerable.Range(1, events.Length).Select(i => (long)i), events.Select(e => e.Seq));
    }
}
