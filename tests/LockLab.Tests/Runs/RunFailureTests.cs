using LockLab.Contracts;
using LockLab.Tests.Support;

namespace LockLab.Tests.Runs;

/// <summary>A lab with a one-second run time limit.</summary>
public sealed class ShortLimitLabFactory : LabServerFactory
{
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["LockLab:Limits:RunTimeLimitSeconds"] = "1",
    };
}

/// <summary>
/// Runs that go wrong end cleanly: the workers are gone, the reason is said, the events so far are kept, the server
/// goes on.
/// </summary>
public abstract class RunFailureTestsBase(LabServerFactory lab)
{
    protected LabServerFactory Lab => lab;

    protected async Task<RunInfo> StartAsync(string body)
    {
        var response = await lab.CreatePresenterClient().PostAsync("/api/runs", Json.Body(body));
        response.EnsureSuccessStatusCode();
        return (await Json.ReadAsync<RunInfo>(response))!;
    }

    protected static bool IsAlive(int pid) => LockLab.Server.Runs.RunSegments.IsAlive(pid);
}

/// <summary>With a one-second limit, a run of five one-second sleeps must be cut off.</summary>
public class RunTimeLimitTests(ShortLimitLabFactory lab) : RunFailureTestsBase(lab), IClassFixture<ShortLimitLabFactory>
{
    [Fact]
    public async Task A_run_over_its_time_limit_is_killed_and_marked_failed_with_the_reason()
    {
        var started = await StartAsync("""{"scenario":"lock","room":"fail-limit","iterations":5,"delayMs":1000}""");
        var run = await Lab.WaitForRunAsync(started.Id);

        Assert.Equal(RunStatus.Failed, run.Status);
        Assert.Contains("time limit of 1 s", run.Error);
        var pids = run.RetainedEvents().Select(e => e.Pid).Distinct().ToList();
        Assert.NotEmpty(pids); // the events before the limit are kept
        Assert.All(pids, pid => Assert.False(IsAlive(pid), $"worker {pid} survived its run"));
        Assert.Empty(LockLab.Server.Runs.RunSegments.FilesOf(run.Id));
    }

}

/// <summary>Default limits: nothing but the crash may end this run early.</summary>
public class WorkerCrashTests(LabServerFactory lab) : RunFailureTestsBase(lab), IClassFixture<LabServerFactory>
{
    [Fact]
    public async Task A_worker_killed_mid_run_fails_the_run_and_stops_the_others()
    {
        // A step run cannot end on its own while the test looks: both workers report a step, then p2 is killed as a
        // crash would kill it.
        var started = await StartAsync("""{"scenario":"no-lock","room":"fail-kill","mode":"step"}""");
        await Lab.StepAsync(started.Id, "p1", EventKind.Read);
        await Lab.StepAsync(started.Id, "p2", EventKind.Read);
        var run = Lab.FindRun(started.Id);
        var p2 = run.RetainedEvents().First(e => e.Process == "p2").Pid;
        System.Diagnostics.Process.GetProcessById(p2).Kill();

        await Lab.WaitForRunAsync(run.Id);

        Assert.Equal(RunStatus.Failed, run.Status);
        Assert.Contains($"p2 (pid {p2}) died: it exited with code", run.Error);
        var p1 = run.RetainedEvents().First(e => e.Process == "p1").Pid;
        Assert.False(IsAlive(p1), "p1 should have been stopped when p2 died");

        // The lab goes on: the next run works.
        var next = await Lab.WaitForRunAsync(
            (await StartAsync("""{"scenario":"lock","room":"fail-kill","iterations":1,"delayMs":1}""")).Id);
        Assert.Equal(RunStatus.Completed, next.Status);
    }

    [Fact]
    public async Task A_worker_killed_while_holding_the_lock_is_named_as_its_holder()
    {
        var started = await StartAsync("""{"scenario":"lock","room":"fail-holder","mode":"step","iterations":1}""");
        await Lab.StepAsync(started.Id, "p1", EventKind.LockAcquired);
        await Lab.StepAsync(started.Id, "p2", EventKind.LockWait); // p2 now waits for the lock, for real
        var run = Lab.FindRun(started.Id);
        var p1 = run.RetainedEvents().First(e => e.Process == "p1").Pid;
        System.Diagnostics.Process.GetProcessById(p1).Kill();

        await Lab.WaitForRunAsync(run.Id);

        Assert.Equal(RunStatus.Failed, run.Status);
        Assert.Contains($"p1 (pid {p1}) died while holding the lock", run.Error);
    }
}
