using System.Net;
using LockLab.Contracts;
using LockLab.Server.Runs;
using LockLab.Tests.Support;
using Xunit.Abstractions;

namespace LockLab.Tests.Runs;

/// <summary>
/// A lab that lets one test start hundreds of runs in a minute (the classroom limit is 60 per address), with a few more
/// workers waiting in its pool: back-to-back runs then take workers that started during the run before, where with the
/// default two each run would wait for the two just started for it.
/// </summary>
public sealed class ManyRunsLabFactory : LabServerFactory
{
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["LockLab:Limits:RunsPerMinutePerClient"] = "100000",
        ["LockLab:WorkerPoolSize"] = "4",
    };
}

/// <summary>
/// Deadlocks for real: two worker processes each holding one lock and blocked in the kernel on the other's, seen by the
/// lab in the wait-for graph the processes keep in the shared segment, and the cure (lock ordering).
/// </summary>
public class DeadlockTests(ManyRunsLabFactory lab, ITestOutputHelper output) : IClassFixture<ManyRunsLabFactory>
{
    private const string Cycle = "p1 holds a, waits for b; p2 holds b, waits for a";

    private async Task<(Run Run, RunEvent[] Events)> RunAsync(string body)
    {
        using var presenter = lab.CreatePresenterClient();
        var response = await presenter.PostAsync("/api/runs", Json.Body(body));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var id = (await Json.ReadAsync<RunInfo>(response))!.Id;
        var run = await lab.WaitForRunAsync(id);
        return (run, [.. run.RetainedEvents()]);
    }

    /// <summary>
    /// <paramref name="count"/> runs of <paramref name="body"/>, two at a time (the lab's limit of runs at once), each
    /// checked by <paramref name="check"/> with its number. Only for properties that hold whatever runs beside them:
    /// nothing here is timed. The first failure stops the rest.
    /// </summary>
    private async Task RunTwoAtATimeAsync(int count, string body, Action<int, Run, RunEvent[]> check)
    {
        var checkedRuns = 0;
        // The factory starts its server on first use, and two first uses at once would start two: started here, once.
        _ = lab.Server;
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = 2 }, async (i, _) =>
        {
            var (run, events) = await RunAsync(body);
            check(i, run, events);
            Interlocked.Increment(ref checkedRuns);
        });
        Assert.Equal(count, checkedRuns);
    }

    [Fact]
    public async Task A_deadlock_is_detected_within_200_ms_in_50_of_50_runs_named_by_its_cycle_and_cleaned_up()
    {
        var latencies = new List<double>();
        var started = System.Diagnostics.Stopwatch.StartNew();
        for (var i = 0; i < 50; i++)
        {
            var (run, events) = await RunAsync("""{"scenario":"deadlock","room":"deadlock"}""");

            Assert.Equal(RunStatus.Deadlocked, run.Status);
            Assert.Equal(RunErrors.Deadlocked, run.Error);
            var deadlock = run.Summary!.Deadlock!;
            Assert.Equal(Cycle, deadlock.Describe());
            var latency = deadlock.DetectedAtMs - deadlock.FormedAtMs;
            latencies.Add(latency);
            output.WriteLine($"run {i + 1}: formed at {deadlock.FormedAtMs:F1} ms, seen {latency:F1} ms later");
            // Each really asked for its second lock and never got it: its last event is that wait.
            Assert.Equal(("b", EventKind.LockWait), (events.Last(e => e.Process == "p1").Target, events.Last(e => e.Process == "p1").Kind));
            Assert.Equal(("a", EventKind.LockWait), (events.Last(e => e.Process == "p2").Target, events.Last(e => e.Process == "p2").Kind));
            Assert.DoesNotContain(events, e => e.Kind is EventKind.Write or EventKind.Print or EventKind.Exit);
            // Ended as any run is: no worker left, no shared memory left.
            Assert.Empty(RunSegments.FilesOf(run.Id));
            foreach (var pid in events.Select(e => e.Pid).Distinct()) Assert.False(IsWorker(pid), $"worker {pid} is still running");
        }
        var sorted = latencies.Order().ToList();
        output.WriteLine($"Detection latency over 50 runs (ms): min {sorted[0]:F1}, median {sorted[25]:F1}, " +
            $"p90 {sorted[44]:F1}, max {sorted[^1]:F1}; 50 runs in {started.Elapsed.TotalSeconds:F1} s");
        Assert.All(latencies, latency => Assert.InRange(latency, 0, 200));
    }

    /// <summary>A live process running the worker (a pid freed and reused by something else does not count).</summary>
    private static bool IsWorker(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/cmdline").Contains("LockLab.Worker", StringComparison.Ordinal)
                && !File.ReadAllText($"/proc/{pid}/stat").Split(' ')[2].Equals("Z", StringComparison.Ordinal);
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }

    [Fact]
    public async Task Taking_the_locks_in_the_same_order_never_deadlocks_in_200_runs()
    {
        // Two runs at a time: each run's processes still race only each other, over their own segment and locks.
        await RunTwoAtATimeAsync(200, """{"scenario":"lock-ordering","room":"ordering","delayMs":5}""", (i, run, events) =>
        {
            Assert.True(run.Status == RunStatus.Completed, $"run {i + 1}: {WireNames.Name(run.Status)} {run.Error}");
            Assert.Null(run.Summary!.Deadlock);
            Assert.Equal(4, run.Summary.ActualFinalValue);
            Assert.Contains(run.Summary.Printed, p => p == 4);
            // Whoever got a first held it until it had b too: the other's a came only after the first released a.
            var first = events.First(e => e is { Kind: EventKind.LockAcquired, Target: "a" }).Process;
            var released = events.First(e => e is { Kind: EventKind.LockReleased, Target: "a" } && e.Process == first).Seq;
            Assert.True(events.Single(e => e is { Kind: EventKind.LockAcquired, Target: "a" } && e.Process != first).Seq > released);
        });
    }

    [Fact]
    public async Task A_stop_before_the_deadlock_forms_is_an_ordinary_cancel()
    {
        using var presenter = lab.CreatePresenterClient();
        var response = await presenter.PostAsync("/api/runs", Json.Body("""{"scenario":"deadlock","room":"stopped","delayMs":2000}"""));
        var id = (await Json.ReadAsync<RunInfo>(response))!.Id;
        // Both hold their first lock and sleep: stopped now, nobody waits for anybody yet.
        await lab.WaitForRunAsync(id, r => r.RetainedEvents().Count(e => e.Kind == EventKind.LockAcquired) == 2);
        Assert.Equal(HttpStatusCode.Accepted, (await presenter.PostAsync($"/api/runs/{id}/stop", null)).StatusCode);
        var run = await lab.WaitForRunAsync(id);

        Assert.Equal(RunStatus.Cancelled, run.Status);
        Assert.Null(run.Summary?.Deadlock);
        Assert.Empty(RunSegments.FilesOf(id));
    }

    [Fact]
    public async Task In_step_mode_the_teacher_drives_two_processes_into_the_deadlock_and_the_run_ends_deadlocked()
    {
        using var presenter = lab.CreatePresenterClient();
        var response = await presenter.PostAsync("/api/runs", Json.Body("""{"scenario":"deadlock","room":"stepped","mode":"step"}"""));
        var id = (await Json.ReadAsync<RunInfo>(response))!.Id;

        await lab.StepAsync(id, "p1", EventKind.LockAcquired); // p1 asks for a and gets it
        await lab.StepAsync(id, "p2", EventKind.LockAcquired); // p2 asks for b and gets it
        await lab.StepAsync(id, "p1", EventKind.LockWait);     // p1 asks for b: blocked
        Assert.Equal(RunStatus.Running, lab.FindRun(id).Status); // p2 can still move: no deadlock yet
        // p2 asks for a: neither can ever move.
        var step = await presenter.PostAsync($"/api/runs/{id}/step", Json.Body("""{"process":"p2"}"""));
        Assert.Equal(HttpStatusCode.Accepted, step.StatusCode);
        var run = await lab.WaitForRunAsync(id);

        Assert.Equal(RunStatus.Deadlocked, run.Status);
        Assert.Equal(Cycle, run.Summary!.Deadlock!.Describe());
        Assert.InRange(run.Summary.Deadlock.DetectedAtMs - run.Summary.Deadlock.FormedAtMs, 0, 200);
        Assert.Empty(RunSegments.FilesOf(id));
    }

    [Theory]
    [InlineData(1, 2)]
    [InlineData(2, 4)]
    [InlineData(3, 8)]
    [InlineData(7, 8)]
    public async Task A_semaphore_never_has_more_holders_than_permits(int permits, int processes)
    {
        await RunTwoAtATimeAsync(5,
            $$"""{"scenario":"semaphore","room":"semaphore","permits":{{permits}},"processes":{{processes}},"delayMs":20}""", (_, run, events) =>
        {
            Assert.Equal(RunStatus.Completed, run.Status);
            Assert.Equal(permits, run.Parameters.Permits);
            // Holders counted from the events, in the order they happened: a permit is held from its lock-acquired to its
            // lock-released (reported before the release, so never counted as free too early).
            var holders = 0;
            var most = 0;
            foreach (var e in events.Where(e => e.Target == "pool"))
            {
                if (e.Kind == EventKind.LockAcquired) most = Math.Max(most, ++holders);
                else if (e.Kind == EventKind.LockReleased) holders--;
            }
            Assert.InRange(most, 1, permits);
            Assert.Equal(0, holders);
            Assert.All(run.Summary!.Printed, inside => Assert.InRange(inside, 1, permits));
            Assert.Equal(0, run.Summary.ActualFinalValue); // everyone counted out again
            Assert.Equal(processes, events.Count(e => e.Kind == EventKind.Exit));
        });
    }
}
