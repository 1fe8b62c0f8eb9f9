using LockLab.Contracts;
using LockLab.Tests.Support;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;

namespace LockLab.Tests.Students;

/// <summary>One run at a time on the lab, and two runs a minute per student: what a test holds in place to look at.</summary>
public sealed class StudentLimitsLabFactory : LabServerFactory
{
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["LockLab:Limits:MaxConcurrentRuns"] = "1",
        ["LockLab:Limits:StudentRunsPerMinute"] = "2",
    };
}

/// <summary>
/// A student's limits (one run queued or running, so many a minute), their stop of their own run, and the presenter's
/// switch: switched off, the students' queued runs are cancelled and their new ones refused, in the page's language.
/// </summary>
public class StudentLimitsTests(StudentLimitsLabFactory lab) : IClassFixture<StudentLimitsLabFactory>
{
    [Fact]
    public async Task A_student_has_one_run_queued_or_running_at_a_time_and_so_many_a_minute()
    {
        await using var room = new Classroom(lab, "stu-limits");
        await room.OpenAsync();
        var student = await room.StudentAsync("dave-0000000004");
        var holder = await room.HoldTheLabAsync();

        var first = await student.StartAsync(ShortRuns.NoLock());
        Assert.Equal((RunStatus.Queued, (int?)1), (first.Status, first.QueuePosition));
        var second = HubErrors.Of(await Assert.ThrowsAsync<HubException>(() => student.StartAsync(ShortRuns.NoLock())));
        Assert.Equal((LabErrorCode.NotNow, "You already have 1 run(s) queued or running; wait for it to end."), (second.Code, second.Message));

        await room.StopAsync(holder);
        Assert.Equal(RunStatus.Completed, (await student.Recorder.CompletedAsync(first.Id)).Status);
        var again = await student.StartAsync(ShortRuns.NoLock()); // the second of the minute: the refusal cost nothing
        Assert.Equal(RunStatus.Completed, (await student.Recorder.CompletedAsync(again.Id)).Status);
        var third = HubErrors.Of(await Assert.ThrowsAsync<HubException>(() => student.StartAsync(ShortRuns.NoLock())));
        Assert.Equal((LabErrorCode.NotNow, "You may start 2 run(s) a minute; wait a moment."), (third.Code, third.Message));
    }

    [Fact]
    public async Task Switched_off_the_students_queued_runs_are_cancelled_and_new_ones_refused_with_a_clear_message()
    {
        await using var room = new Classroom(lab, "stu-off");
        var presenter = await room.OpenAsync();
        var follower = await room.JoinAsync();
        var erin = await room.StudentAsync("erin-0000000005");
        var frank = await room.StudentAsync("frank-000000006", language: "zh-CN,zh;q=0.9");
        var holder = await room.HoldTheLabAsync();
        var erinRun = await erin.StartAsync(ShortRuns.NoLock());
        var frankRun = await frank.StartAsync(ShortRuns.NoLock());
        Assert.Equal((1, 2), (erinRun.QueuePosition, frankRun.QueuePosition));

        await room.AllowAsync(false);

        // Each student is told their run ended, cancelled, and why; the presenter's list says so too.
        foreach (var (page, run) in new[] { (erin, erinRun), (frank, frankRun) })
        {
            var ended = await page.Recorder.CompletedAsync(run.Id);
            Assert.Equal((RunStatus.Cancelled, RunErrors.StudentRunsSwitchedOff), (ended.Status, ended.Error));
            Assert.True(await presenter.ToldAsync(run.Id, r => r.Status == RunStatus.Cancelled));
        }
        Assert.Equal(new RoomSettings(false), await follower.NextSettingsAsync());
        var refused = HubErrors.Of(await Assert.ThrowsAsync<HubException>(() => erin.StartAsync(ShortRuns.NoLock())));
        Assert.Equal((LabErrorCode.StudentRunsOff, "The presenter does not let students run experiments in this room now."),
            (refused.Code, refused.Message));
        var inChinese = HubErrors.Of(await Assert.ThrowsAsync<HubException>(() => frank.StartAsync(ShortRuns.NoLock())));
        Assert.Equal((LabErrorCode.StudentRunsOff, "演示者现在不允许学生在这个课堂里运行实验。"), (inChinese.Code, inChinese.Message));

        // The presenter's run was never the students' to cancel.
        Assert.False(lab.FindRun(holder).IsFinished);
        await room.StopAsync(holder);
    }

    [Fact]
    public async Task A_student_stops_their_own_run_queued_or_running_and_nobody_elses_and_those_behind_move_up()
    {
        await using var room = new Classroom(lab, "stu-stop");
        var presenter = await room.OpenAsync();
        var follower = await room.JoinAsync();
        var gina = await room.StudentAsync("gina-0000000013");
        var hal = await room.StudentAsync("hal-00000000014");
        var holder = await room.HoldTheLabAsync();
        var ginasRun = await gina.StartAsync(ShortRuns.NoLock());
        // Fifty steps 100 ms apart: still going when Hal stops it.
        var halsRun = await hal.StartAsync(ShortRuns.NoLock(iterations: 25) with { DelayMs = 100 });
        Assert.Equal((1, 2), (ginasRun.QueuePosition, halsRun.QueuePosition));

        // Nobody stops a run not theirs: another student is told there is no such run, a page that is no student is told to be one.
        async Task<LabError> RefusedAsync(Classroom.Page page, string runId) => HubErrors.Of(
            await Assert.ThrowsAsync<HubException>(() => page.Hub.InvokeAsync(nameof(ILabHub.StopStudentRun), runId)));
        Assert.Equal(LabErrorCode.NotFound, (await RefusedAsync(hal, ginasRun.Id)).Code);
        Assert.Equal(LabErrorCode.NotFound, (await RefusedAsync(gina, holder)).Code);
        Assert.Equal(LabErrorCode.NotNow, (await RefusedAsync(follower, ginasRun.Id)).Code);
        Assert.False(lab.FindRun(ginasRun.Id).IsFinished);

        // Gina takes hers back while it waits: it ends, cancelled, saying who stopped it; Hal moves up at once.
        await gina.Hub.InvokeAsync(nameof(ILabHub.StopStudentRun), ginasRun.Id);
        var ginasEnd = await gina.Recorder.CompletedAsync(ginasRun.Id);
        Assert.Equal((RunStatus.Cancelled, RunErrors.StoppedByStudent), (ginasEnd.Status, ginasEnd.Error));
        Assert.True(await hal.ToldAsync(halsRun.Id, r => r.QueuePosition == 1));
        Assert.True(await presenter.ToldAsync(ginasRun.Id, r => r.Status == RunStatus.Cancelled));
        Assert.Equal(LabErrorCode.NotNow, (await RefusedAsync(gina, ginasRun.Id)).Code); // ended already

        // Hal stops his while it runs: its workers are ended and it is cancelled, long before its five seconds.
        await room.StopAsync(holder);
        Assert.True(await hal.Recorder.UntilAsync(() => hal.Recorder.EventsOf(halsRun.Id).Length > 0));
        await hal.Hub.InvokeAsync(nameof(ILabHub.StopStudentRun), halsRun.Id);
        var halsEnd = await hal.Recorder.CompletedAsync(halsRun.Id);
        Assert.Equal((RunStatus.Cancelled, RunErrors.StoppedByStudent), (halsEnd.Status, halsEnd.Error));
        var printed = hal.Recorder.EventsOf(halsRun.Id).Count(e => e.Kind == EventKind.Print);
        Assert.True(printed < 50, $"{printed} of 50 values printed: the run went on to its end");
    }

    [Fact]
    public async Task A_run_shown_to_the_class_is_the_presenters_to_stop_not_its_students()
    {
        await using var room = new Classroom(lab, "stu-shown");
        var presenter = await room.OpenAsync();
        var jo = await room.StudentAsync("jo-000000000017");
        var run = await jo.StartAsync(ShortRuns.NoLock(iterations: 50) with { DelayMs = 100 });
        Assert.True(await jo.Recorder.UntilAsync(() => jo.Recorder.EventsOf(run.Id).Length > 0));
        await presenter.Hub.InvokeAsync<RunInfo>(nameof(ILabHub.ShowRunToRoom), run.Id);

        var refused = HubErrors.Of(await Assert.ThrowsAsync<HubException>(() => jo.Hub.InvokeAsync(nameof(ILabHub.StopStudentRun), run.Id)));
        Assert.Equal((LabErrorCode.NotNow, "The presenter is showing this run to the class; only the presenter can stop it now."),
            (refused.Code, refused.Message));
        Assert.False(lab.FindRun(run.Id).IsFinished);
        // A run id that is no run id at all is a mistake, said as such (and not echoed back).
        var bad = HubErrors.Of(await Assert.ThrowsAsync<HubException>(() => jo.Hub.InvokeAsync(nameof(ILabHub.StopStudentRun), new string('x', 500))));
        Assert.Equal((LabErrorCode.InvalidRequest, "A run id is at most 64 letters, digits, '-' or '_'."), (bad.Code, bad.Message));

        await room.StopAsync(run.Id);
        var ended = await jo.Recorder.CompletedAsync(run.Id);
        Assert.Equal((RunStatus.Cancelled, RunErrors.StoppedByPresenter), (ended.Status, ended.Error));
    }
}
