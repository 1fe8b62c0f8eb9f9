using LockLab.Contracts;
using LockLab.TestServices;
using LockLab.Tests.Support;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;

namespace LockLab.Tests.Hubs;

/// <summary>The hub contract over real SignalR connections (WebSockets through the test server).</summary>
public class LabHubTests(LabServerFactory lab) : IClassFixture<LabServerFactory>
{
    private async Task<(HubConnection Hub, RoomRecorder Recorder)> JoinAsync(string room, bool presenter = false)
    {
        var hub = lab.CreateHubConnection(presenter);
        var recorder = new RoomRecorder(hub);
        await hub.StartAsync();
        lab.OpenRoom(room);
        await hub.InvokeAsync<RoomState>(nameof(ILabHub.JoinRoom), room);
        return (hub, recorder);
    }

    private async Task<RunInfo> StartOverHttpAsync(string body)
    {
        using var presenter = lab.CreatePresenterClient();
        var response = await presenter.PostAsync("/api/runs", Json.Body(body));
        response.EnsureSuccessStatusCode();
        return (await Json.ReadAsync<RunInfo>(response))!;
    }

    [Fact]
    public async Task A_viewer_receives_every_event_of_a_run_once_and_in_order()
    {
        var (hub, recorder) = await JoinAsync("hub-live");
        await using var _ = hub;

        var run = await StartOverHttpAsync("""{"scenario":"no-lock","room":"hub-live"}""");
        var completed = await recorder.CompletedAsync(run.Id);

        var messages = recorder.Messages.Where(m => m.RunId == run.Id).ToList();
        Assert.Equal(nameof(ILabClient.RunStarted), messages[0].Method);
        Assert.Equal(nameof(ILabClient.RunCompleted), messages[^1].Method);
        var events = recorder.EventsOf(run.Id);
        Assert.Equal(Enumerable.Range(1, events.Length).Select(i => (long)i), events.Select(e => e.Seq)); // none lost, none reordered
        Assert.Equal(completed.EventCount, events.Length);
        Assert.Equal(10, events.Count(e => e.Kind == EventKind.Print));
    }

    [Fact]
    public async Task A_room_larger_than_one_turn_of_writes_gets_every_event_once_and_in_order()
    {
        // More pages than the server writes to in one turn (Broadcasting/ViewerFeeds.WritesPerTurn): the room is written in
        // several turns, and every page must still get the run whole, in order, between RunStarted and RunCompleted.
        var pages = new List<(HubConnection Hub, RoomRecorder Recorder)>();
        try
        {
            for (var i = 0; i < 2 * LockLab.Server.Broadcasting.ViewerFeeds.WritesPerTurn + 3; i++) pages.Add(await JoinAsync("hub-crowd"));

            var run = await StartOverHttpAsync("""{"scenario":"no-lock","room":"hub-crowd","iterations":3,"delayMs":5}""");
            foreach (var (_, recorder) in pages)
            {
                var completed = await recorder.CompletedAsync(run.Id);
                var messages = recorder.Messages.Where(m => m.RunId == run.Id).ToList();
                Assert.Equal(nameof(ILabClient.RunStarted), messages[0].Method);
                Assert.Equal(nameof(ILabClient.RunCompleted), messages[^1].Method);
                var events = recorder.EventsOf(run.Id);
                Assert.Equal(Enumerable.Range(1, (int)completed.EventCount).Select(i => (long)i), events.Select(e => e.Seq));
                // Announced once the gate had opened: its start is the instant the events' atMs count from.
                Assert.Equal(completed.StartedAt, messages[0].Info!.StartedAt);
            }
        }
        finally
        {
            foreach (var (hub, _) in pages) await hub.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_viewer_receives_each_event_as_it_happens_not_at_the_end()
    {
        var (hub, recorder) = await JoinAsync("hub-step");
        await using var _ = hub;

        // Step mode holds each process until the presenter lets it move. If events reached viewers only in a batch,
        // or only at the end, a step's event would never arrive before the next step is granted.
        var run = await StartOverHttpAsync("""{"scenario":"no-lock","room":"hub-step","mode":"step","iterations":1}""");
        foreach (var (process, kind) in new[]
        {
            ("p1", EventKind.Read), ("p2", EventKind.Read), ("p1", EventKind.Write), ("p2", EventKind.Write), ("p1", EventKind.Print)
        })
        {
            var before = recorder.EventsOf(run.Id).Length;
            await lab.StepAsync(run.Id, process, kind);
            Assert.True(
                await recorder.UntilAsync(
                    () => recorder.EventsOf(run.Id).Skip(before).Any(e => e.Process == process && e.Kind == kind)),
                $"{process}'s {kind} did not reach the viewer while the run waited for the next step");
            Assert.False(recorder.HasCompleted(run.Id));
        }
        await lab.StepAsync(run.Id, "p2", EventKind.Print); // the last step
        Assert.Equal(RunStatus.Completed, (await recorder.CompletedAsync(run.Id)).Status);
    }

    [Fact]
    public async Task The_hub_lists_the_scenarios_with_their_limits()
    {
        await using var hub = lab.CreateHubConnection();
        await hub.StartAsync();

        var scenarios = await hub.InvokeAsync<ScenarioInfo[]>(nameof(ILabHub.GetScenarios));

        Assert.Contains(scenarios, s => s.Name == Scenarios.Stress && s.Limits.Rounds.Max > 1);
    }

    [Fact]
    public async Task Starting_a_run_over_the_hub_needs_the_presenter_key()
    {
        var (hub, _) = await JoinAsync("hub-auth");
        await using var _h = hub;

        var error = await Assert.ThrowsAsync<HubException>(() =>
            hub.InvokeAsync<RunInfo>(nameof(ILabHub.StartRun), new RunRequest { Scenario = "lock" }));
        Assert.Contains("unauthorized", error.Message);
    }

    [Fact]
    public async Task A_presenter_starts_a_run_in_the_room_it_joined()
    {
        var (hub, recorder) = await JoinAsync("hub-presenter", presenter: true);
        await using var _ = hub;

        var run = await hub.InvokeAsync<RunInfo>(nameof(ILabHub.StartRun),
            new RunRequest { Scenario = "lock", Iterations = 2, DelayMs = 1 });
        var completed = await recorder.CompletedAsync(run.Id);

        Assert.Equal("hub-presenter", run.Room);
        Assert.Equal([1L, 2, 5, 8], completed.Summary!.Printed);
    }

    [Fact]
    public async Task Invalid_hub_arguments_get_a_clear_error()
    {
        var (hub, _) = await JoinAsync("hub-invalid", presenter: true);
        await using var _h = hub;

        var badRoom = await Assert.ThrowsAsync<HubException>(() => hub.InvokeAsync<RoomState>(nameof(ILabHub.JoinRoom), "no spaces!"));
        Assert.Contains("Invalid room", badRoom.Message);
        var badRun = await Assert.ThrowsAsync<HubException>(() =>
            hub.InvokeAsync<RunInfo>(nameof(ILabHub.StartRun), new RunRequest { Scenario = "lock", Processes = 50 }));
        Assert.Contains("processes", badRun.Message);
        var badAfter = await Assert.ThrowsAsync<HubException>(() => hub.InvokeAsync<RunEvent[]>(nameof(ILabHub.GetEvents), "x", -1L));
        Assert.Contains("after", badAfter.Message);
    }

    [Fact]
    public async Task A_run_is_seen_only_in_its_own_room()
    {
        var (hubA, roomA) = await JoinAsync("iso-a");
        var (hubB, roomB) = await JoinAsync("iso-b");
        await using var _a = hubA;
        await using var _b = hubB;

        var runA = await StartOverHttpAsync("""{"scenario":"lock","room":"iso-a","iterations":2,"delayMs":1}""");
        await roomA.CompletedAsync(runA.Id);
        var runB = await StartOverHttpAsync("""{"scenario":"lock","room":"iso-b","iterations":2,"delayMs":1}""");
        await roomB.CompletedAsync(runB.Id);

        Assert.All(roomB.Messages, m => Assert.Equal(runB.Id, m.RunId));
        Assert.All(roomA.Messages, m => Assert.Equal(runA.Id, m.RunId));
    }

    [Fact]
    public async Task A_late_viewer_gets_the_rooms_current_run_and_catches_up_by_sequence_number()
    {
        var (early, earlyRecorder) = await JoinAsync("hub-late");
        await using var _e = early;
        var run = await StartOverHttpAsync("""{"scenario":"lock","room":"hub-late","iterations":2,"delayMs":1}""");
        await earlyRecorder.CompletedAsync(run.Id);

        await using var late = lab.CreateHubConnection();
        await late.StartAsync();
        var state = await late.InvokeAsync<RoomState>(nameof(ILabHub.JoinRoom), "hub-late");
        var missed = await late.InvokeAsync<RunEvent[]>(nameof(ILabHub.GetEvents), run.Id, 0L);

        Assert.Equal(run.Id, state.CurrentRun!.Id);
        Assert.Equal(RunStatus.Completed, state.CurrentRun.Status);
        Assert.Equal(earlyRecorder.EventsOf(run.Id), missed);
    }
}
