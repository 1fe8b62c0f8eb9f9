using LockLab.Client.Services;
using LockLab.Contracts;
using LockLab.TestServices;
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
        var sawFirstPrint = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void Take(IEnumerable<RunEvent> events)
        {
            lock (gate)
            {
                if (live is null) early.AddRange(events);
                else live.Add(events);
                if (live?.Printed.Count >= 1) sawFirstPrint.TrySetResult();
            }
        }

        // A step run: between steps nothing happens, so the drop falls exactly where the test puts it.
        var first = lab.CreateHubConnection();
        var firstSaw = new System.Collections.Concurrent.ConcurrentQueue<RunEvent>();
        first.On<string, RunEvent[]>(nameof(ILabClient.RunEvents), (_, events) =>
        {
            foreach (var e in events) firstSaw.Enqueue(e);
            Take(events);
        });
        await first.StartAsync();
        lab.OpenRoom(room);
        await first.InvokeAsync<RoomState>(nameof(ILabHub.JoinRoom), room);
        var run = (await Json.ReadAsync<RunInfo>(await lab.CreatePresenterClient().PostAsync("/api/runs",
            Json.Body("""{"scenario":"no-lock","room":"reconnect","mode":"step","iterations":2}"""))))!;
        lock (gate)
        {
            live = new LiveRun(run);
            live.Add(early);
        }

        // Seen live: p1's first increment and print. Then the connection drops.
        await lab.StepAsync(run.Id, "p1", EventKind.Read);
        await lab.StepAsync(run.Id, "p1", EventKind.Write);
        await lab.StepAsync(run.Id, "p1", EventKind.Print);
        await sawFirstPrint.Task.WaitAsync(TimeSpan.FromSeconds(20));
        await first.DisposeAsync();
        int seenBeforeDrop;
        lock (gate) seenBeforeDrop = live.Events.Count;

        // Missed: p2's first increment and print happen while nobody is connected.
        await lab.StepAsync(run.Id, "p2", EventKind.Read);
        await lab.StepAsync(run.Id, "p2", EventKind.Write);
        await lab.StepAsync(run.Id, "p2", EventKind.Print);

        // Reconnect: rejoin and take live events again.
        await using var second = lab.CreateHubConnection();
        var recorder = new RoomRecorder(second);
        second.On<string, RunEvent[]>(nameof(ILabClient.RunEvents), (_, events) => Take(events));
        await second.StartAsync();
        var state = await second.InvokeAsync<RoomState>(nameof(ILabHub.JoinRoom), room);
        Assert.Equal(run.Id, state.CurrentRun!.Id);
        long last;
        lock (gate) last = live.LastSeq;

        // A step taken before the catch-up is asked for: its event may reach the page live before or after the catch-up,
        // which carries it too; either way the page keeps it once.
        await lab.StepAsync(run.Id, "p1", EventKind.Read);
        var missed = await second.InvokeAsync<RunEvent[]>(nameof(ILabHub.GetEvents), run.Id, last);
        Assert.Contains(missed, e => e is { Process: "p2", Kind: EventKind.Print });
        Take(missed);

        foreach (var (process, kind) in new[]
        {
            ("p1", EventKind.Write), ("p1", EventKind.Print), ("p2", EventKind.Read), ("p2", EventKind.Write), ("p2", EventKind.Print)
        })
        {
            await lab.StepAsync(run.Id, process, kind);
        }
        var completed = await recorder.CompletedAsync(run.Id);

        var all = (await lab.WaitForRunAsync(run.Id)).RetainedEvents();
        Assert.True(seenBeforeDrop < all.Count, "the drop should have happened during the run");
        // The drop left a gap: none of p2's steps reached the first connection, yet the page has them all. (The page
        // itself may get p2's print live on the second connection: the broadcaster can still be sending it then.)
        Assert.DoesNotContain(firstSaw, e => e.Process == "p2");
        lock (gate)
        {
            Assert.Equal(all.Select(e => e.Seq), live.Events.Select(e => e.Seq)); // every event, in order, none twice
            Assert.Equal(completed.EventCount, live.Events.Count);
            Assert.Equal([1L, 4, 5, 8], live.Printed.Select(p => p.Value));
        }
    }

    [Fact]
    public void A_live_batch_that_overtakes_the_catch_up_still_ends_in_order_without_duplicates()
    {
        var live = new LiveRun(new RunInfo("r", Scenarios.NoLock, "main", RunStatus.Running,
            new RunParameters(2, 5, [1, 3], 0, 0, LockScope.None, StartMode.Lesson), DateTimeOffset.UnixEpoch,
            null, null, 0, null, null, new RunLinks("", "")));
        RunEvent Print(long seq) => new(seq, seq % 2 == 0 ? "p2" : "p1", 1, EventKind.Print, seq, seq);

        live.Add([Print(1), Print(2)]);
        live.Add([Print(6), Print(7)]);                   // live, after the drop
        live.Add([Print(3), Print(4), Print(5), Print(6)]); // the catch-up, arriving later

        Assert.Equal([1L, 2, 3, 4, 5, 6, 7], live.Events.Select(e => e.Seq));
        Assert.Equal([1L, 2, 3, 4, 5, 6, 7], live.Printed.Select(e => e.Value));
    }
}
