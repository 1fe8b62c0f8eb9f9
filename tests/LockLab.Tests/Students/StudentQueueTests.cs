using LockLab.Contracts;
using LockLab.Tests.Support;
using Microsoft.AspNetCore.SignalR.Client;

namespace LockLab.Tests.Students;

/// <summary>
/// One run at a time, so that the order runs start in is the order the lab chose; three runs at once per student, so
/// that a student can have several waiting; and allowances no test here reaches.
/// </summary>
public sealed class StudentQueueLabFactory : LabServerFactory
{
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["LockLab:Limits:MaxConcurrentRuns"] = "1",
        ["LockLab:Limits:ActiveRunsPerStudent"] = "3",
        ["LockLab:Limits:StudentRunsPerMinute"] = "10",
        ["LockLab:Limits:RunsPerMinutePerClient"] = "1000",
    };
}

/// <summary>
/// The students' queue: a class pressing Run together gets every run done, one after another in a fair order (round-robin
/// by student), with the presenter's runs first and each student told their place.
/// </summary>
public class StudentQueueTests(StudentQueueLabFactory lab) : IClassFixture<StudentQueueLabFactory>
{
    /// <summary>When each run's workers began, on the lab's one consumer: the order the runs were carried out in.</summary>
    private DateTimeOffset StartOf(string runId) => lab.FindRun(runId).StartedAt!.Value;

    [Fact]
    public async Task Thirty_students_pressing_Run_together_all_get_their_run_done_in_order_after_the_presenters()
    {
        await using var room = new Classroom(lab, "stu-thirty");
        var presenter = await room.OpenAsync();
        var students = new List<Classroom.Page>();
        for (var i = 0; i < 30; i++) students.Add(await room.StudentAsync($"student-{i:D8}"));
        var holder = await room.HoldTheLabAsync();

        var runs = await Task.WhenAll(students.Select(s => s.StartAsync(ShortRuns.NoLock())));
        var presenters = await presenter.Hub.InvokeAsync<RunInfo>(nameof(ILabHub.StartRun), ShortRuns.NoLock());
        await room.StopAsync(holder);

        // Every run done, each student hearing theirs live.
        Assert.Equal(Enumerable.Range(1, 30), runs.Select(r => r.QueuePosition!.Value).Order());
        var done = await Task.WhenAll(students.Zip(runs, (s, r) => s.Recorder.CompletedAsync(r.Id)));
        Assert.All(done, d => Assert.Equal(RunStatus.Completed, d.Status));
        Assert.Equal(RunStatus.Completed, (await presenter.Recorder.CompletedAsync(presenters.Id)).Status);
        // The presenter's run went first, although 30 students' runs were waiting before it; theirs went in their order.
        Assert.All(runs, r => Assert.True(StartOf(presenters.Id) < StartOf(r.Id)));
        var byPlace = runs.OrderBy(r => r.QueuePosition).Select(r => r.Id).ToList();
        Assert.Equal(byPlace, runs.Select(r => r.Id).OrderBy(StartOf).ToList());
        // The last in line was told as they moved up, down to first.
        var last = students[Array.FindIndex(runs, r => r.QueuePosition == 30)];
        var last30 = runs.Single(r => r.QueuePosition == 30).Id;
        Assert.True(await last.ToldAsync(last30, r => r.QueuePosition == 1));
        Assert.Contains(last.StudentNews, r => r.Id == last30 && r.Status == RunStatus.Running);
    }

    [Fact]
    public async Task Students_take_turns_so_that_one_with_several_runs_waiting_does_not_starve_the_others()
    {
        await using var room = new Classroom(lab, "stu-turns");
        await room.OpenAsync();
        var (ann, ben, cat) = (await room.StudentAsync("ann-00000000007"), await room.StudentAsync("ben-00000000008"),
            await room.StudentAsync("cat-00000000009"));
        var holder = await room.HoldTheLabAsync();

        // Ann asks three times before the others ask at all.
        var order = new List<(string Who, RunInfo Run)>();
        foreach (var (who, page) in new[] { ("ann", ann), ("ann", ann), ("ann", ann), ("ben", ben), ("ben", ben), ("cat", cat) })
        {
            order.Add((who, await page.StartAsync(ShortRuns.NoLock())));
        }
        // Their places, as the queue has them now: one run of each student's in turn.
        var places = order.Select(o => (o.Who, lab.FindRun(o.Run.Id).QueuePosition)).OrderBy(p => p.QueuePosition).Select(p => p.Who);
        Assert.Equal(["ann", "ben", "cat", "ann", "ben", "ann"], places);
        await room.StopAsync(holder);

        foreach (var (who, run) in order)
        {
            var page = who switch { "ann" => ann, "ben" => ben, _ => cat };
            Assert.Equal(RunStatus.Completed, (await page.Recorder.CompletedAsync(run.Id)).Status);
        }
        var started = order.OrderBy(o => StartOf(o.Run.Id)).Select(o => o.Who);
        Assert.Equal(["ann", "ben", "cat", "ann", "ben", "ann"], started);
    }
}
