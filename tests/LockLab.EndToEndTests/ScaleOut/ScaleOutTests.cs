using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using LockLab.Contracts;
using LockLab.TestServices;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Npgsql;

namespace LockLab.EndToEndTests.ScaleOut;

/// <summary>
/// Several lab instances behind one deployment, as a school runs them: real server processes on different loopback
/// ports, sharing a real Redis server (rooms' messages, rooms, shared runs) and a real PostgreSQL database (the
/// run history) — no containers, no mocks.
/// </summary>
[Collection(PublishedLab.Collection)]
public class ScaleOutTests(SchoolInfrastructure fixture) : IClassFixture<SchoolInfrastructure>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    /// <summary>How often to ask Redis through <c>redis-cli</c> (a process each time, beside the two labs under test).</summary>
    private static readonly TimeSpan RedisPoll = TimeSpan.FromMilliseconds(250);

    [SkippableFact]
    public async Task A_run_reaches_a_viewer_on_the_other_instance_whole_and_to_its_end_through_a_Redis_stall()
    {
        Prerequisites.Require(SchoolInfrastructure.Programs);
        const string room = "stall";
        // Redis time-outs shorter than the stall, so that sending fails while it lasts (as a longer stall does at the defaults).
        await using var deployment = await TwoInstances.DeployAsync(fixture,
            new() { ["LockLab__Redis"] = $"{fixture.Redis.Configuration},asyncTimeout=500,syncTimeout=500" });
        var (a, b) = deployment;
        await a.OpenRoomAsync(room); // as the presenter does: viewers join open rooms
        await using var viewer = await RoomRecorder.JoinAsync(b.Address, room);
        var run = await a.StartRunAsync(new { scenario = "lock", room, iterations = 15, delayMs = 100 });
        Assert.True(await Waiting.UntilAsync(() => viewer.EventsOf(run.Id).Length >= 3, Patience), "the run did not stream");

        fixture.Redis.Pause();
        try
        {
            // Until lab A has found that Redis does not take its room's messages: they are queued and tried again.
            Assert.True(await Waiting.UntilAsync(() => a.Output.Contains("Redis did not take", StringComparison.Ordinal), Patience),
                "lab A never failed to send while Redis was stalled:\n" + a.Output);
        }
        finally
        {
            fixture.Redis.Resume();
        }

        var completed = await viewer.CompletedAsync(run.Id, Patience);
        Assert.Equal(RunStatus.Completed, completed.Status);
        // Every event, in order, none twice that the page would not drop (a retried send that had reached Redis comes twice).
        var seqs = viewer.EventsOf(run.Id).Select(e => e.Seq).Distinct().ToArray();
        Assert.Equal(Enumerable.Range(1, (int)completed.EventCount).Select(i => (long)i), seqs);
        Assert.Contains("Redis took ", a.Output, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task Idle_rooms_close_across_instances_but_not_one_watched_only_on_the_other_instance()
    {
        Prerequisites.Require(SchoolInfrastructure.Programs);
        // Rooms close after 3 s without viewers or runs (each instance sweeps every second).
        await using var deployment = await TwoInstances.DeployAsync(fixture,
            new() { ["LockLab__RoomIdleHours"] = (3.0 / 3600).ToString(CultureInfo.InvariantCulture) });
        var (a, b) = deployment;
        // Lab B's hub answers a first page before the rooms' three seconds start: a cold start on a busy machine must not
        // let the watched room go idle before its viewer is in.
        await using (await RoomRecorder.JoinAsync(b.Address, RoomNames.Main)) { }
        await a.OpenRoomAsync("watched"); // opened first: the first to be idle, were it not watched
        await a.OpenRoomAsync("unwatched");
        var viewer = await RoomRecorder.JoinAsync(b.Address, "watched");
        await b.WaitForViewersAsync("watched", 1);

        async Task<HttpStatusCode> LookUpAsync(LabProcess lab, string room)
        {
            using var http = lab.CreateClient();
            return (await http.GetAsync($"/api/rooms/{room}")).StatusCode;
        }
        await Waiting.UntilAsync(async () => await LookUpAsync(a, "unwatched") == HttpStatusCode.NotFound ? "" : null,
            Patience, "the unwatched room to close");

        // The sweep that closed it saw the watched room too, idle for longer as far as lab A knows: lab B's viewer kept
        // it open through Redis (B's marks, or the viewer count A asks for before closing).
        Assert.Equal(HttpStatusCode.NotFound, await LookUpAsync(b, "unwatched"));
        Assert.Equal(HttpStatusCode.OK, await LookUpAsync(a, "watched"));

        await viewer.DisposeAsync();
        await Waiting.UntilAsync(async () => await LookUpAsync(a, "watched") == HttpStatusCode.NotFound ? "" : null,
            Patience, "the watched room to close once its viewer left");
        Assert.Contains("Closed room", a.Output + b.Output, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task A_viewer_whose_instance_loses_its_Redis_subscription_mid_run_still_gets_every_event_and_the_end()
    {
        Prerequisites.Require(SchoolInfrastructure.Programs);
        const string room = "resubscribed";
        await using var deployment = await TwoInstances.DeployAsync(fixture);
        var (a, b) = deployment;
        await a.OpenRoomAsync(room); // as the presenter does: viewers join open rooms
        await using var viewer = await RoomRecorder.JoinAsync(b.Address, room);
        await a.WaitForViewersAsync(room, 1);
        // ~2 s of steady news (a message every few milliseconds), so that every drop below falls mid-run.
        var run = await a.StartRunAsync(new { scenario = "no-lock", room, processes = 4, iterations = 1000, delayMs = 2 });

        // Redis closes every subscription connection (as in a fail-over or a network blip) three times while the run
        // streams; each instance connects again, and what was said in between must still reach the viewer.
        for (var drop = 0; drop < 3; drop++)
        {
            var seen = viewer.EventsOf(run.Id).Length;
            Assert.True(await Waiting.UntilAsync(() => viewer.EventsOf(run.Id).Length > seen, Patience), "the run stopped streaming");
            await fixture.Redis.CommandAsync("CLIENT", "KILL", "TYPE", "pubsub");
        }

        var completed = await viewer.CompletedAsync(run.Id, Patience);
        Assert.Equal(RunStatus.Completed, completed.Status);
        var seqs = viewer.EventsOf(run.Id).Select(e => e.Seq).Distinct().ToArray();
        Assert.Equal(Enumerable.Range(1, (int)completed.EventCount).Select(i => (long)i), seqs);
    }

    [SkippableFact]
    public async Task A_stalled_page_on_one_instance_slows_no_other_page_there()
    {
        Prerequisites.Require(SchoolInfrastructure.Programs);
        const string room = "slow-across";
        await using var deployment = await TwoInstances.DeployAsync(fixture);
        var (a, b) = deployment;
        await a.OpenRoomAsync(room); // as the presenter does: viewers join open rooms
        using var stalled = await StalledViewer.JoinAsync(b.Address, room);
        await using var healthy = await RoomRecorder.JoinAsync(b.Address, room);
        await a.WaitForViewersAsync(room, 2);

        // Fast runs of 8 processes × 1000 iterations (~24,000 events, megabytes each) started on lab A, that the stalled
        // page on lab B never takes: the healthy page on lab B gets all of every run, promptly.
        for (var i = 0; i < 2; i++)
        {
            var run = await a.StartRunAsync(new { scenario = "no-lock", room, processes = 8, iterations = 1000, delayMs = 0 });
            var completed = await healthy.CompletedAsync(run.Id, Patience);
            Assert.Equal(RunStatus.Completed, completed.Status);
            Assert.Equal(completed.EventCount, DistinctEvents(healthy, run.Id));
        }
        static long DistinctEvents(RoomRecorder page, string runId) => page.EventsOf(runId).Select(e => e.Seq).Distinct().LongCount();

        // Lab B lets the stalled page go.
        await a.WaitForViewersAsync(room, 1);
    }

    [SkippableFact]
    public async Task A_run_started_on_one_instance_streams_every_event_in_order_to_a_viewer_on_the_other()
    {
        Prerequisites.Require(SchoolInfrastructure.Programs);
        await using var deployment = await TwoInstances.DeployAsync(fixture);
        var (a, b) = deployment;
        await a.OpenRoomAsync("across"); // as the presenter does: viewers join open rooms
        await using var viewer = await RoomRecorder.JoinAsync(b.Address, "across");

        var run = await a.StartRunAsync(new { scenario = "lock", room = "across", iterations = 5, delayMs = 20 });
        var completed = await viewer.CompletedAsync(run.Id, Patience);

        Assert.Equal(RunStatus.Completed, completed.Status);
        var live = viewer.EventsOf(run.Id);
        Assert.Equal(Enumerable.Range(1, (int)completed.EventCount).Select(i => (long)i), live.Select(e => e.Seq)); // all, in order, once
        Assert.Equal([1L, 2, 3, 4, 5, 8, 11, 14, 17, 20], live.Where(e => e.Kind == EventKind.Print).Select(e => e.Value));

        // A page that reconnects to B catches up with the run from B, though A executed it.
        var caughtUp = await viewer.Hub.InvokeAsync<RunEvent[]>(nameof(ILabHub.GetEvents), run.Id, 3L);
        Assert.Equal(live.Skip(3).Select(e => e.Seq), caughtUp.Select(e => e.Seq));
        using var http = b.CreateClient();
        var onB = await http.GetFromJsonAsync($"/api/runs/{run.Id}", ContractsJsonContext.Default.RunInfo);
        Assert.Equal(RunStatus.Completed, onB!.Status);
        var state = await http.GetFromJsonAsync("/api/rooms/across", ContractsJsonContext.Default.RoomState);
        Assert.Equal(run.Id, state!.CurrentRun!.Id);
    }

    [SkippableFact]
    public async Task A_presenter_on_one_instance_moves_followers_on_the_other_and_both_count_as_viewers()
    {
        Prerequisites.Require(SchoolInfrastructure.Programs);
        await using var deployment = await TwoInstances.DeployAsync(fixture);
        var (a, b) = deployment;
        using var presenterHttp = a.CreateClient(presenter: true);
        var created = await presenterHttp.PostAsync("/api/rooms", null);
        created.EnsureSuccessStatusCode();
        var fresh = (await created.Content.ReadFromJsonAsync(ContractsJsonContext.Default.RoomState))!;
        var code = fresh.Room;
        Assert.Equal((null, 1), (fresh.Lesson, fresh.Page)); // as on one server: no lesson chosen yet, page 1

        // The room created on A exists on B: a follower joins it there.
        await using var follower = await RoomRecorder.JoinAsync(b.Address, code);
        await using var presenter = await RoomRecorder.JoinAsync(a.Address, code, ServerProcess.Key);
        await presenter.Hub.InvokeAsync(nameof(ILabHub.SetPage), new PageRequest("process-locks", 2));

        Assert.True(await Waiting.UntilAsync(() => follower.PageChanges.Contains((code, "process-locks", 2)), Patience),
            "the follower on B did not follow");
        var state = await b.CreateClient().GetFromJsonAsync($"/api/rooms/{code}", ContractsJsonContext.Default.RoomState);
        Assert.Equal(("process-locks", 2), (state!.Lesson, state.Page));
        // One page on each instance: the room has two viewers, whichever instance is asked.
        Assert.True(await Waiting.UntilAsync(() => follower.ViewerCounts.LastOrDefault() == 2, Patience),
            $"viewer counts seen on B: {string.Join(",", follower.ViewerCounts)}");
    }

    [SkippableFact]
    public async Task A_lecture_hall_joining_at_once_across_instances_is_answered_and_counted()
    {
        Prerequisites.Require(SchoolInfrastructure.Programs);
        const string room = "hall";
        const int pages = 300;
        await using var deployment = await TwoInstances.DeployAsync(fixture);
        var (a, b) = deployment;
        await a.OpenRoomAsync(room); // as the presenter does: viewers join open rooms
        await using var onA = await RoomRecorder.JoinAsync(a.Address, room);
        var run = await a.StartRunAsync(new { scenario = "lock", room, iterations = 2, delayMs = 1 });
        await onA.CompletedAsync(run.Id, Patience);

        // Every page joins B in the same moment: each join reads the room from Redis, and none may wait on another
        // (a join that blocked a thread on its Redis round trip starved the 2-core lab at a few hundred).
        var joining = Enumerable.Range(0, pages).Select(_ => RoomRecorder.JoinAsync(b.Address, room)).ToArray();
        try
        {
            var hall = await Task.WhenAll(joining).WaitAsync(Patience);
            Assert.All(hall, page => Assert.Equal(run.Id, page.Joined!.CurrentRun!.Id)); // each got the room as it is
            // The page on A hears the whole hall: its own instance's page and B's, counted through Redis.
            Assert.True(await Waiting.UntilAsync(() => onA.ViewerCounts.LastOrDefault() == pages + 1, Patience),
                $"viewer counts seen on A: {string.Join(",", onA.ViewerCounts.TakeLast(5))}");
        }
        finally
        {
            foreach (var page in joining.Where(j => j.IsCompletedSuccessfully)) await (await page).DisposeAsync();
        }
    }

    [SkippableFact]
    public async Task A_rooms_run_limit_holds_across_instances_for_requests_arriving_together()
    {
        Prerequisites.Require(SchoolInfrastructure.Programs);
        const string room = "one-at-a-time";
        await using var deployment = await TwoInstances.DeployAsync(fixture, new() { ["LockLab__Limits__MaxActiveRunsPerRoom"] = "1" });
        var (a, b) = deployment;
        using var toA = a.CreateClient(presenter: true);
        using var toB = b.CreateClient(presenter: true);
        await a.OpenRoomAsync(room); // as the presenter does: viewers join open rooms
        await using var viewer = await RoomRecorder.JoinAsync(b.Address, room);
        var request = new { scenario = "lock", room, iterations = 100, delayMs = 100 };

        // Twenty presses of "Run" at once, half reaching each instance: the room has one slot, so exactly one run starts.
        var presses = Enumerable.Range(0, 20)
            .Select(i => (Instance: i % 2 == 0 ? toA : toB,
                Answer: (i % 2 == 0 ? toA : toB).PostAsJsonAsync("/api/runs", request)))
            .ToArray();
        await Task.WhenAll(presses.Select(p => p.Answer));
        var accepted = presses.Where(p => p.Answer.Result.StatusCode == HttpStatusCode.Accepted).ToArray();
        Assert.Single(accepted);
        Assert.All(presses.Except(accepted), p => Assert.Equal(HttpStatusCode.Conflict, p.Answer.Result.StatusCode));

        // Its end gives the slot back (before the room hears of the end): the next run, on the other instance, is accepted.
        var (owner, answer) = accepted[0];
        var run = (await (await answer).Content.ReadFromJsonAsync(ContractsJsonContext.Default.RunInfo))!;
        (await owner.PostAsync($"/api/runs/{run.Id}/stop", null)).EnsureSuccessStatusCode();
        Assert.Equal(RunStatus.Cancelled, (await viewer.CompletedAsync(run.Id, Patience)).Status);
        var next = await (owner == toA ? toB : toA).PostAsJsonAsync("/api/runs", request with { iterations = 1 });
        Assert.Equal(HttpStatusCode.Accepted, next.StatusCode);
    }

    [SkippableFact]
    public async Task A_run_that_outlasts_its_slots_lease_keeps_the_slot_because_its_instance_renews_it()
    {
        Prerequisites.Require(SchoolInfrastructure.Programs);
        const string room = "lease";
        await using var deployment = await TwoInstances.DeployAsync(fixture, new()
        {
            ["LockLab__Limits__MaxActiveRunsPerRoom"] = "1",
            ["LockLab__RunSlotLeaseSeconds"] = "4",
        });
        var (a, b) = deployment;
        await a.OpenRoomAsync(room); // as the presenter does: viewers join open rooms
        await using var viewer = await RoomRecorder.JoinAsync(b.Address, room);
        // A step run stands still until stepped: it holds the room's one slot for as long as the test needs.
        var run = await a.StartRunAsync(new { scenario = "lock", room, mode = "step" });
        var slots = $"{deployment.Settings["LockLab__RedisChannelPrefix"]}:room-run-slots:{room}";
        var firstLeaseEnds = double.Parse(await fixture.Redis.CommandAsync("ZSCORE", slots, run.Id), CultureInfo.InvariantCulture);

        // Leases are judged by Redis's clock: wait on it until the slot's first lease has run out.
        await Waiting.UntilAsync(async () =>
        {
            var time = (await fixture.Redis.CommandAsync("TIME")).Split('\n');
            return long.Parse(time[0]) * 1000 + long.Parse(time[1]) / 1000 > firstLeaseEnds ? (object)time : null;
        }, Patience, "the slot's first lease to run out", poll: RedisPoll);

        // A renewed it meanwhile: the slot is still the run's, and the room is still full for B.
        var leaseEnds = await fixture.Redis.CommandAsync("ZSCORE", slots, run.Id);
        Assert.True(leaseEnds.Length > 0 && double.Parse(leaseEnds, CultureInfo.InvariantCulture) > firstLeaseEnds,
            $"the lease was not renewed: '{leaseEnds}'");
        using var toB = b.CreateClient(presenter: true);
        Assert.Equal(HttpStatusCode.Conflict, (await toB.PostAsJsonAsync("/api/runs", new { scenario = "lock", room })).StatusCode);

        using var toA = a.CreateClient(presenter: true);
        (await toA.PostAsync($"/api/runs/{run.Id}/stop", null)).EnsureSuccessStatusCode();
        Assert.Equal(RunStatus.Cancelled, (await viewer.CompletedAsync(run.Id, Patience)).Status);
        Assert.Equal(HttpStatusCode.Accepted,
            (await toB.PostAsJsonAsync("/api/runs", new { scenario = "lock", room, iterations = 1 })).StatusCode);
    }

    [SkippableFact]
    public async Task A_presenter_on_one_instance_stops_a_run_that_the_other_executes()
    {
        Prerequisites.Require(SchoolInfrastructure.Programs);
        const string room = "stop-across";
        await using var deployment = await TwoInstances.DeployAsync(fixture);
        var (a, b) = deployment;
        await a.OpenRoomAsync(room); // as the presenter does: viewers join open rooms
        await using var onA = await RoomRecorder.JoinAsync(a.Address, room);
        var run = await a.StartStreamingRunAsync(room, onA, eventsSeen: 2);

        using var presenterOnB = b.CreateClient(presenter: true);
        var stop = await presenterOnB.PostAsync($"/api/runs/{run.Id}/stop", null);

        Assert.Equal(System.Net.HttpStatusCode.Accepted, stop.StatusCode);
        var ended = await onA.CompletedAsync(run.Id, Patience);
        Assert.Equal((RunStatus.Cancelled, "Stopped by the presenter."), (ended.Status, ended.Error));
        var again = await presenterOnB.PostAsync($"/api/runs/{run.Id}/stop", null);
        Assert.Equal(System.Net.HttpStatusCode.Conflict, again.StatusCode); // B knows it has ended
    }

    [SkippableFact]
    public async Task A_student_stops_their_own_run_from_a_page_on_the_other_instance_and_nobody_elses()
    {
        Prerequisites.Require(SchoolInfrastructure.Programs);
        await using var deployment = await TwoInstances.DeployAsync(fixture);
        var (a, b) = deployment;
        var code = await a.CreateClassroomAsync("process-locks", page: 2);
        using (var presenter = a.CreateClient(presenter: true))
        {
            (await presenter.PostAsJsonAsync($"/api/rooms/{code}/settings", new { studentsMayRun = true })).EnsureSuccessStatusCode();
        }
        async Task<RoomRecorder> StudentAsync(LabProcess lab, string studentId)
        {
            var page = await RoomRecorder.JoinAsync(lab.Address, code);
            await page.Hub.InvokeAsync<StudentSeat>(nameof(ILabHub.JoinAsStudent), studentId);
            return page;
        }

        // Kim's phone reached B, which executes her run (ten seconds of it); her laptop reached A.
        await using var phone = await StudentAsync(b, "kim-00000000015");
        await using var laptop = await StudentAsync(a, "kim-00000000015");
        await using var other = await StudentAsync(a, "lee-00000000016");
        var run = await phone.Hub.InvokeAsync<RunInfo>(nameof(ILabHub.StartStudentRun), new RunRequest { Iterations = 50, DelayMs = 100 });
        Assert.True(await Waiting.UntilAsync(() => phone.EventsOf(run.Id).Length >= 2, Patience), "the run did not stream");

        var refused = await Assert.ThrowsAsync<HubException>(() => other.Hub.InvokeAsync(nameof(ILabHub.StopStudentRun), run.Id));
        Assert.Contains($"[{LabError.Name(LabErrorCode.NotFound)}]", refused.Message, StringComparison.Ordinal);
        await laptop.Hub.InvokeAsync(nameof(ILabHub.StopStudentRun), run.Id);

        var ended = await phone.CompletedAsync(run.Id, Patience);
        Assert.Equal((RunStatus.Cancelled, RunErrors.StoppedByStudent), (ended.Status, ended.Error));
        var printed = phone.EventsOf(run.Id).Count(e => e.Kind == EventKind.Print);
        Assert.True(printed < 100, $"{printed} of 100 values printed: the run went on to its end");
    }

    [SkippableFact]
    public async Task Killing_an_instance_mid_run_interrupts_its_run_for_viewers_who_reconnect_to_the_other_and_loses_nothing_finished()
    {
        Prerequisites.Require(SchoolInfrastructure.Programs);
        const string room = "cutoff";
        // One run at a time in the room: the cut run's slot must not stay taken by an instance that is gone.
        await using var deployment = await TwoInstances.DeployAsync(fixture, new() { ["LockLab__Limits__MaxActiveRunsPerRoom"] = "1" });
        var (a, b) = deployment;
        await a.OpenRoomAsync(room); // as the presenter does: viewers join open rooms
        await using var onA = await RoomRecorder.JoinAsync(a.Address, room);

        var finished = await a.StartRunAsync(new { scenario = "no-lock", room, iterations = 5, delayMs = 10 });
        var finishedInfo = await onA.CompletedAsync(finished.Id, Patience);
        var cut = await a.StartStreamingRunAsync(room, onA, eventsSeen: 4);

        a.KillHard();
        await onA.Closed.WaitAsync(Patience);
        var seenBeforeTheKill = onA.EventsOf(cut.Id);

        // The page reconnects, and the load balancer sends it to B.
        await using var onB = await RoomRecorder.JoinAsync(b.Address, room);
        var interrupted = await onB.FinishedAsync(cut.Id, Patience); // B notices A's heartbeat stopped, within seconds
        Assert.Equal(RunStatus.Interrupted, interrupted.Status);
        Assert.Contains("stopped", interrupted.Error);

        // Everything the page saw before the kill is still there, from B; so is the whole of the finished run.
        var kept = await onB.Hub.InvokeAsync<RunEvent[]>(nameof(ILabHub.GetEvents), cut.Id, 0L);
        Assert.Superset(kept.Select(e => e.Seq).ToHashSet(), seenBeforeTheKill.Select(e => e.Seq).ToHashSet());
        using var http = b.CreateClient();
        var finishedEvents = await http.GetFromJsonAsync($"/api/runs/{finished.Id}/events?after=0",
            ContractsJsonContext.Default.RunEventArray);
        Assert.Equal(finishedInfo.EventCount, finishedEvents!.Length);
        var state = await http.GetFromJsonAsync($"/api/rooms/{room}", ContractsJsonContext.Default.RoomState);
        Assert.Equal(RunStatus.Interrupted, state!.RecentRuns.Single(r => r.Id == cut.Id).Status);

        // The shared history (PostgreSQL) says the same on B: the finished run whole, the cut one interrupted.
        var history = (await http.GetFromJsonAsync($"/api/runs?room={room}", ContractsJsonContext.Default.RunInfoArray))!;
        var finishedOnRecord = history.Single(r => r.Id == finished.Id);
        Assert.Equal((RunStatus.Completed, finishedInfo.EventCount), (finishedOnRecord.Status, finishedOnRecord.EventCount));
        Assert.Equal(RunStatus.Interrupted, history.Single(r => r.Id == cut.Id).Status);

        // The room's one slot, held by the cut run, was given back with its interruption: the class can go on at once.
        var next = await b.StartRunAsync(new { scenario = "lock", room, iterations = 1, delayMs = 1 });
        Assert.Equal(RunStatus.Completed, (await onB.CompletedAsync(next.Id, Patience)).Status);
    }

    [SkippableFact]
    public async Task An_instance_asked_to_stop_ends_its_runs_cleanly_and_every_instance_hears_it()
    {
        Prerequisites.Require(SchoolInfrastructure.Programs);
        const string room = "shutdown";
        await using var deployment = await TwoInstances.DeployAsync(fixture);
        var (a, b) = deployment;
        await a.OpenRoomAsync(room); // as the presenter does: viewers join open rooms
        await using var onB = await RoomRecorder.JoinAsync(b.Address, room);
        var run = await a.StartStreamingRunAsync(room, onB, eventsSeen: 2);

        a.StopGracefully();

        // Not left for the heartbeat sweep to call "interrupted": A cancels it itself and says so before it exits.
        var ended = await onB.CompletedAsync(run.Id, Patience);
        Assert.Equal(RunStatus.Cancelled, ended.Status);
        Assert.Contains("shutting down", ended.Error);
        await StoppedCleanlyAsync(a, b, onB, run.Id);
    }

    [SkippableFact]
    public async Task An_instance_whose_runs_wind_down_slowly_stays_alive_to_the_others_until_they_have_ended()
    {
        Prerequisites.Require(SchoolInfrastructure.Programs);
        const string room = "slow-shutdown";
        await using var deployment = await TwoInstances.DeployAsync(fixture);
        var (a, b) = deployment;
        await a.OpenRoomAsync(room); // as the presenter does: viewers join open rooms
        await using var onB = await RoomRecorder.JoinAsync(b.Address, room);
        var run = await a.StartStreamingRunAsync(room, onB, eventsSeen: 2);
        var heartbeat = await deployment.HeartbeatKeyAsync(fixture.Redis, a);
        Assert.NotNull(heartbeat);

        // A slow history database: A cannot store its run's end until the test lets it.
        await using var db = new NpgsqlConnection(deployment.Database);
        await db.OpenAsync();
        await using var hold = await db.BeginTransactionAsync();
        await using (var lockRuns = new NpgsqlCommand("LOCK TABLE runs IN ACCESS EXCLUSIVE MODE", db, hold))
            await lockRuns.ExecuteNonQueryAsync();

        a.StopGracefully();
        var ended = await onB.CompletedAsync(run.Id, Patience);
        Assert.Equal(RunStatus.Cancelled, ended.Status);

        // A has cancelled the run and waits to store it. It must still say it is alive meanwhile: silent for longer than
        // its heartbeat's lifetime (5 s), it would be swept by B, which would call the run "interrupted".
        var cancelledSeen = DateTimeOffset.UtcNow;
        await Waiting.UntilAsync(async () =>
            DateTimeOffset.TryParse(await fixture.Redis.CommandAsync("GET", heartbeat), out var beat) && beat > cancelledSeen
                ? (object)beat
                : null,
            Patience, "a heartbeat of A after its run was cancelled", poll: RedisPoll);

        await hold.RollbackAsync(); // the database is back: A stores the run's end, stops beating and exits
        await StoppedCleanlyAsync(a, b, onB, run.Id);
        Assert.DoesNotContain("was cut off", b.Output); // B's sweep never took A for dead
    }

    /// <summary>
    /// <paramref name="stopped"/> exited normally, and the history, asked on <paramref name="other"/>, has the run it
    /// cancelled on the way out as cancelled, with every event the viewer saw.
    /// </summary>
    private static async Task StoppedCleanlyAsync(LabProcess stopped, LabProcess other, RoomRecorder viewer, string runId)
    {
        var exitCode = await stopped.ExitCodeAsync(Patience);
        Assert.True(exitCode == 0, $"the stopped instance exited with {exitCode}:\n{stopped.Output}");
        using var http = other.CreateClient();
        var onRecord = await http.GetFromJsonAsync($"/api/runs/{runId}", ContractsJsonContext.Default.RunInfo);
        Assert.Equal(RunStatus.Cancelled, onRecord!.Status);
        Assert.Equal(viewer.EventsOf(runId).Length, onRecord.EventCount);
    }

    [SkippableFact]
    public async Task Readiness_reports_Redis_and_fails_while_Redis_is_gone_though_the_instance_stays_alive()
    {
        Prerequisites.Require(Prerequisites.Redis);
        var redis = await RedisServer.StartAsync(); // its own: this test stops it
        await using var server = await ServerProcess.StartAsync(
            settings: new Dictionary<string, string> { ["LockLab__Redis"] = redis.Configuration });
        using var http = server.CreateClient();

        var (code, redisCheck) = await ReadinessAsync(http);
        Assert.Equal((System.Net.HttpStatusCode.OK, "Healthy"), (code, redisCheck));

        await redis.DisposeAsync();

        await Waiting.UntilAsync(async () =>
                await ReadinessAsync(http) is (System.Net.HttpStatusCode.ServiceUnavailable, "Unhealthy") ? "not ready" : null,
            Patience, "/readyz to report Redis gone");
        Assert.Equal(System.Net.HttpStatusCode.OK,
            (await http.GetAsync("/healthz")).StatusCode); // alive: restarting it would not bring Redis back
    }

    private static async Task<(System.Net.HttpStatusCode Code, string RedisStatus)> ReadinessAsync(HttpClient http)
    {
        using var response = await http.GetAsync("/readyz");
        using var json = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return (response.StatusCode, json.RootElement.GetProperty("checks").GetProperty("redis").GetProperty("status").GetString()!);
    }
}
