using LockLab.Client.Services;
using LockLab.Contracts;
using LockLab.Tests.Support;
using Microsoft.AspNetCore.SignalR.Client;

namespace LockLab.Tests.Rooms;

/// <summary>
/// A follower whose connection drops during a run (Wi-Fi, a phone going to sleep) comes back with every event,
/// in order, none twice: live events and the catch-up by sequence number meet in the page's own run model
/// (<see cref="LiveRun"/>), whichever arrives first.
/// </summary>
public class ReconnectTests(LabServerFactory lab) : IClassFixture<LabServerFactory>
{
    [Fact]
    public async Task A_follower_that_drops_mid_run_catches_up_with_every_event_once()
    {
        const string room = "reconnect";
        var gate = new object();
        LiveRun? live = null;
        var early = new List<RunEvent>(); // events that arrive before the run's id is known
        var firstBatch = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void Take(IEnumerable<RunEvent> events)
        {
            lock (gate)
            {
                if (live is null) early.AddRange(events);
                else live.Add(events);
                if (live?.Events.Count >= 5) firstBatch.TrySetResult();
            }
        }

        // First connection: joins, then the run starts; it receives some events live, then drops.
        var first = lab.CreateHubConnection();
        first.On<string, RunEvent[]>("RunEvents", (_, events) => Take(events));
        await first.StartAsync();
        await first.InvokeAsync<RoomState>("JoinRoom", room);
        var run = (await Json.ReadAsync<RunInfo>(await lab.CreatePresenterClient().PostAsync("/api/runs",
            Json.Body("""{"scenario":"no-lock","room":"reconnect","iterations":20,"delayMs":25}"""))))!;
        lock (gate)
        {
            live = new LiveRun(run);
            live.Add(early);
        }
        Take([]);
        await firstBatch.Task.WaitAsync(TimeSpan.FromSeconds(20));
        await first.DisposeAsync(); // the drop: events keep happening meanwhile
        int seenBeforeDrop;
        lock (gate) seenBeforeDrop = live!.Events.Count;

        // Reconnect: rejoin, take live events again, and catch up on what was missed by sequence number.
        await using var second = lab.CreateHubConnection();
        var recorder = new RoomRecorder(second);
        second.On<string, RunEvent[]>("RunEvents", (_, events) => Take(events));
        await second.StartAsync();
        var state = await second.InvokeAsync<RoomState>("JoinRoom", room);
        Assert.Equal(run.Id, state.CurrentRun!.Id);
        long last;
        lock (gate) last = live!.LastSeq;
        var missed = await second.InvokeAsync<RunEvent[]>("GetEvents", run.Id, last);
        Take(missed);
        // Joined before or after the end: either the room says it is over, or RunCompleted reaches us.
        var completed = state.CurrentRun.IsFinished ? state.CurrentRun : await recorder.CompletedAsync(run.Id);

        var all = (await lab.WaitForRunAsync(run.Id)).AllEvents();
        Assert.True(seenBeforeDrop < all.Count, "the drop should have happened during the run");
        Assert.Equal(all.Select(e => e.Seq), live.Events.Select(e => e.Seq)); // every event, in order, none twice
        Assert.Equal(completed.EventCount, live.Events.Count);
        Assert.Equal(40, live.Printed.Count);
    }

    [Fact]
    public void A_live_batch_that_overtakes_the_catch_up_still_ends_in_order_without_duplicates()
    {
        var live = new LiveRun(new RunInfo("r", Scenarios.NoLock, "main", RunStatus.Running,
            new RunParameters(2, 5, [1, 3], 0, 0, LockScope.None, StartMode.Ordered), DateTimeOffset.UnixEpoch, null, null, 0, null, null, new RunLinks("", "")));
        RunEvent Print(long seq) => new(seq, seq % 2 == 0 ? "p2" : "p1", 1, EventKind.Print, seq, seq);

        live.Add([Print(1), Print(2)]);
        live.Add([Print(6), Print(7)]);                   // live, after the drop
        live.Add([Print(3), Print(4), Print(5), Print(6)]); // the catch-up, arriving later

        Assert.Equal([1L, 2, 3, 4, 5, 6, 7], live.Events.Select(e => e.Seq));
        Assert.Equal([1L, 2, 3, 4, 5, 6, 7], live.Printed.Select(e => e.Value));
    }
}
