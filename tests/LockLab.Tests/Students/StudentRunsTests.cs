using System.Net;
using System.Net.Http.Json;
using LockLab.Contracts;
using LockLab.Tests.Support;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;

namespace LockLab.Tests.Students;

/// <summary>
/// Students running the page's experiment themselves, over real SignalR connections to a real lab: a student's run is
/// theirs alone until the presenter shows it to the room, and the room's setting says whether they may.
/// </summary>
public class StudentRunsTests(LabServerFactory lab) : IClassFixture<LabServerFactory>
{
    [Fact]
    public async Task Each_student_sees_only_their_own_run_the_presenter_sees_both_and_shows_one_to_the_whole_room()
    {
        await using var room = new Classroom(lab, "stu-two");
        var presenter = await room.OpenAsync();
        var follower = await room.JoinAsync();
        var alice = await room.StudentAsync("alice-0000000001");
        var bob = await room.StudentAsync("bob-00000000002");
        Assert.Equal(("Student 1", "Student 2"), (alice.Seat!.Label, bob.Seat!.Label));

        var aliceRun = await alice.StartAsync(ShortRuns.NoLock());
        var bobRun = await bob.StartAsync(ShortRuns.NoLock(iterations: 2));
        var aliceDone = await alice.Recorder.CompletedAsync(aliceRun.Id);
        var bobDone = await bob.Recorder.CompletedAsync(bobRun.Id);

        // Each student had their own run live, event by event, from RunStarted to RunCompleted.
        Assert.Equal((RunStatus.Completed, "Student 1"), (aliceDone.Status, aliceDone.Student));
        Assert.Equal((RunStatus.Completed, "Student 2"), (bobDone.Status, bobDone.Student));
        Assert.Equal(aliceDone.EventCount, alice.Recorder.EventsOf(aliceRun.Id).Length);
        Assert.Equal(bobDone.EventCount, bob.Recorder.EventsOf(bobRun.Id).Length);
        // The presenter's list has both (its news said so as they ended); nobody else heard of either.
        Assert.True(await presenter.ToldAsync(aliceRun.Id, r => r.IsFinished));
        Assert.True(await presenter.ToldAsync(bobRun.Id, r => r.IsFinished));
        var listed = await presenter.Hub.InvokeAsync<RunInfo[]>(nameof(ILabHub.GetStudentRuns));
        Assert.Equal([(bobRun.Id, "Student 2"), (aliceRun.Id, "Student 1")], listed.Select(r => (r.Id, r.Student!)));
        Assert.False(alice.HeardOf(bobRun.Id));
        Assert.False(bob.HeardOf(aliceRun.Id));
        Assert.False(follower.HeardOf(aliceRun.Id) || follower.HeardOf(bobRun.Id));
        Assert.False(presenter.Recorder.EventsOf(aliceRun.Id).Length > 0, "the presenter's page does not stream students' runs");
        var late = await room.JoinAsync();
        Assert.Null(late.Recorder.Joined?.CurrentRun); // a page joining now is not shown a student's run either

        // One call, and the room has Alice's run: the other student and the follower hear of it and catch up with it.
        var shown = await presenter.Hub.InvokeAsync<RunInfo>(nameof(ILabHub.ShowRunToRoom), aliceRun.Id);
        Assert.NotNull(shown.ShownAt);
        foreach (var page in new[] { bob, follower, presenter })
        {
            var heard = await page.Recorder.CompletedAsync(aliceRun.Id);
            Assert.Equal((RunStatus.Completed, "Student 1"), (heard.Status, heard.Student));
            var events = await page.Hub.InvokeAsync<RunEvent[]>(nameof(ILabHub.GetEvents), aliceRun.Id, 0L);
            Assert.Equal(aliceDone.EventCount, events.Length);
        }
        var joining = await room.JoinAsync();
        var state = joining.Recorder.Joined ?? await joining.Hub.InvokeAsync<RoomState>(nameof(ILabHub.JoinRoom), room.Room);
        Assert.Equal(aliceRun.Id, state.CurrentRun?.Id);
        Assert.DoesNotContain(state.RecentRuns, r => r.Id == bobRun.Id);
    }

    [Fact]
    public async Task The_setting_is_the_rooms_state_its_pages_are_told_of_and_its_endpoint_checks_its_input()
    {
        await using var room = new Classroom(lab, "stu-setting");
        await room.OpenAsync(studentsMayRun: false);
        var follower = await room.JoinAsync();
        Assert.False(follower.Recorder.Joined?.StudentsMayRun ?? (await follower.Hub.InvokeAsync<RoomState>(nameof(ILabHub.JoinRoom), room.Room)).StudentsMayRun);

        Assert.True((await room.AllowAsync(true)).StudentsMayRun);
        Assert.Equal(new RoomSettings(true), await follower.NextSettingsAsync());
        var state = await follower.Hub.InvokeAsync<RoomState>(nameof(ILabHub.JoinRoom), room.Room);
        Assert.True(state.StudentsMayRun);

        using var anonymous = lab.CreateClient();
        Assert.Equal(HttpStatusCode.Unauthorized,
            (await anonymous.PostAsync($"/api/rooms/{room.Room}/settings", Json.Body("""{"studentsMayRun":false}"""))).StatusCode);
        using var presenter = lab.CreatePresenterClient();
        var missing = await presenter.PostAsync($"/api/rooms/{room.Room}/settings", Json.Body("{}"));
        Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);
        Assert.Equal("application/problem+json", missing.Content.Headers.ContentType?.MediaType);
        Assert.Contains("studentsMayRun", (await missing.Content.ReadFromJsonAsync<HttpValidationProblemDetails>())!.Errors.Keys);
        var noRoom = await presenter.PostAsync("/api/rooms/NOPE/settings", Json.Body("""{"studentsMayRun":true}"""));
        Assert.Equal(HttpStatusCode.NotFound, noRoom.StatusCode);
        Assert.Equal("application/problem+json", noRoom.Content.Headers.ContentType?.MediaType);

        // The presenter's page switches it too; a follower's may not.
        var presenterPage = await room.JoinAsync(presenter: true);
        var off = await presenterPage.Hub.InvokeAsync<RoomState>(nameof(ILabHub.SetRoomSettings), new RoomSettings(false));
        Assert.False(off.StudentsMayRun);
        Assert.Equal(new RoomSettings(false), await follower.NextSettingsAsync());
        var refused = await Assert.ThrowsAsync<HubException>(() =>
            follower.Hub.InvokeAsync<RoomState>(nameof(ILabHub.SetRoomSettings), new RoomSettings(true)));
        Assert.Contains("unauthorized", refused.Message);
    }

    [Fact]
    public async Task A_students_request_is_validated_as_any_run_request_and_kept_to_the_pages_experiments()
    {
        await using var room = new Classroom(lab, "stu-valid");
        await room.OpenAsync();
        var student = await room.StudentAsync("carol-000000003");
        var follower = await room.JoinAsync();

        async Task<LabError> RefusedAsync(Classroom.Page page, RunRequest request) =>
            HubErrors.Of(await Assert.ThrowsAsync<HubException>(() => page.StartAsync(request)));

        var tooMany = await RefusedAsync(student, ShortRuns.NoLock() with { Processes = 50 });
        Assert.Equal(LabErrorCode.InvalidRequest, tooMany.Code);
        Assert.Contains("processes", tooMany.Message);
        var otherLesson = await RefusedAsync(student, new RunRequest { Scenario = Scenarios.Deadlock });
        Assert.Contains("scenario", otherLesson.Message);
        var stepping = await RefusedAsync(student, ShortRuns.NoLock() with { Mode = RunMode.Step });
        Assert.Contains("mode", stepping.Message);
        var elsewhere = await RefusedAsync(student, ShortRuns.NoLock() with { Room = "main" });
        Assert.Contains("room", elsewhere.Message);
        Assert.Equal(LabErrorCode.NotNow, (await RefusedAsync(follower, ShortRuns.NoLock())).Code); // not a student yet

        // Nothing named: the page's own experiment, with the student's parameters.
        var own = await student.StartAsync(new RunRequest { Iterations = 1, DelayMs = 0 });
        Assert.Equal(Scenarios.NoLock, own.Scenario);
        Assert.Equal(RunStatus.Completed, (await student.Recorder.CompletedAsync(own.Id)).Status);
    }

    [Fact]
    public async Task A_run_shown_while_it_goes_streams_on_to_the_room_which_catches_up_with_what_came_before()
    {
        await using var room = new Classroom(lab, "stu-live");
        var presenter = await room.OpenAsync();
        var follower = await room.JoinAsync();
        var ivy = await room.StudentAsync("ivy-00000000012");

        // Ten steps 100 ms apart: it is still going when the presenter shows it, a moment after it starts.
        var run = await ivy.StartAsync(ShortRuns.NoLock(iterations: 5) with { DelayMs = 100 });
        Assert.True(await ivy.Recorder.UntilAsync(() => ivy.Recorder.EventsOf(run.Id).Length > 0));
        await presenter.Hub.InvokeAsync<RunInfo>(nameof(ILabHub.ShowRunToRoom), run.Id);

        var done = await follower.Recorder.CompletedAsync(run.Id);
        var messages = follower.Recorder.Messages.Where(m => m.RunId == run.Id).ToList();
        Assert.Equal(nameof(ILabClient.RunStarted), messages[0].Method); // told of the run before any of its events
        Assert.Equal(nameof(ILabClient.RunCompleted), messages[^1].Method);
        // What it missed before the show, it reads by sequence number; together with what it was sent, the whole run.
        var caughtUp = await follower.Hub.InvokeAsync<RunEvent[]>(nameof(ILabHub.GetEvents), run.Id, 0L);
        var live = follower.Recorder.EventsOf(run.Id);
        Assert.Equal(done.EventCount, caughtUp.Length);
        Assert.All(live, e => Assert.Contains(caughtUp, c => c.Seq == e.Seq));
        Assert.Equal(live.Select(e => e.Seq).Order(), live.Select(e => e.Seq));
        // The student had it all live, once each, in order, before and after the show.
        Assert.Equal(done.EventCount, (await ivy.Recorder.CompletedAsync(run.Id)).EventCount);
        Assert.Equal(Enumerable.Range(1, (int)done.EventCount).Select(i => (long)i), ivy.Recorder.EventsOf(run.Id).Select(e => e.Seq));
    }
}
