using LockLab.Contracts;
using LockLab.Tests.Support;

namespace LockLab.Tests.Runs;

/// <summary>
/// The lesson's two experiments, run by the real server in real worker processes with the
/// lesson's own numbers, and what a student must see.
/// </summary>
public class TruthTableTests(LabServerFactory lab) : IClassFixture<LabServerFactory>
{
    private async Task<(RunInfo Run, RunEvent[] Events)> RunAsync(string body)
    {
        var response = await lab.CreatePresenterClient().PostAsync("/api/runs", Json.Body(body));
        response.EnsureSuccessStatusCode();
        var accepted = await Json.ReadAsync<RunInfo>(response);
        await lab.WaitForRunAsync(accepted!.Id);
        var client = lab.CreateClient();
        var run = await Json.ReadAsync<RunInfo>(await client.GetAsync($"/api/runs/{accepted.Id}"));
        var events = await Json.ReadAsync<RunEvent[]>(await client.GetAsync($"/api/runs/{accepted.Id}/events?after=0"));
        Assert.Equal(RunStatus.Completed, run!.Status);
        return (run, events!);
    }

    [Fact]
    public async Task Without_a_lock_the_prints_of_p1_and_p2_interleave_and_the_last_shows_the_final_value()
    {
        var (run, events) = await RunAsync("""{"scenario":"no-lock","room":"truth"}""");
        var prints = events.Where(e => e.Kind == EventKind.Print).ToList();
        var s = run.Summary!;

        Assert.Equal(10, prints.Count);
        // Interleaved: p2 prints before p1 has printed its last value, and vice versa.
        Assert.True(prints.FindIndex(e => e.Process == "p2") < prints.FindLastIndex(e => e.Process == "p1"));
        Assert.True(prints.FindIndex(e => e.Process == "p1") < prints.FindLastIndex(e => e.Process == "p2"));
        // 20, as in Python, unless the machine was so busy that one process was held up between its read and its write
        // while the other wrote: without a lock nothing rules that out (the exact loss is shown in step mode). Whatever
        // happened, the console's last line is the counter's final value.
        Assert.InRange(s.ActualFinalValue, 1, 20);
        Assert.Equal(s.ActualFinalValue, prints[^1].Value);
    }

    [Fact]
    public async Task With_a_lock_p1_prints_all_five_values_then_p2()
    {
        var (run, events) = await RunAsync("""{"scenario":"lock","room":"truth"}""");

        Assert.Equal([1L, 2, 3, 4, 5, 8, 11, 14, 17, 20], run.Summary!.Printed);
        Assert.Equal(["p1", "p1", "p1", "p1", "p1", "p2", "p2", "p2", "p2", "p2"],
            events.Where(e => e.Kind == EventKind.Print).Select(e => e.Process));
        // While p1 holds the lock, p2 does nothing but wait for it.
        var acquired = events.First(e => e is { Process: "p1", Kind: EventKind.LockAcquired }).Seq;
        var released = events.First(e => e is { Process: "p1", Kind: EventKind.LockReleased }).Seq;
        Assert.All(events.Where(e => e.Process == "p2" && e.Seq > acquired && e.Seq < released),
            e => Assert.Equal(EventKind.LockWait, e.Kind));
        // p2 waited roughly p1's five sleeps for the lock.
        Assert.True(run.Summary.Processes.Single(p => p.Process == "p2").LockWaitMs >= 450);
    }

    [Fact]
    public async Task Events_come_from_two_real_processes_in_ticket_order()
    {
        var (run, events) = await RunAsync("""{"scenario":"lock","room":"truth","iterations":2,"delayMs":5}""");

        Assert.Equal(Enumerable.Range(1, events.Length).Select(i => (long)i), events.Select(e => e.Seq));
        var pids = events.GroupBy(e => e.Process).ToDictionary(g => g.Key, g => g.Select(e => e.Pid).Distinct().Single());
        Assert.Equal(2, pids.Values.Distinct().Count());
        Assert.DoesNotContain(Environment.ProcessId, pids.Values);
        Assert.Equal(pids["p1"], run.Summary!.Processes.Single(p => p.Process == "p1").Pid);
        foreach (var process in events.GroupBy(e => e.Process))
        {
            var times = process.Select(e => e.AtMs).ToList();
            Assert.Equal(times.Order(), times); // each process's own clock only moves forward
        }
    }

    [Fact]
    public async Task Simultaneous_start_still_runs_each_process_to_the_end_under_the_lock()
    {
        var (run, _) = await RunAsync("""{"scenario":"lock","room":"truth","startMode":"simultaneous","delayMs":5}""");

        // Whoever wins the race, the lock keeps each process's five prints together.
        var expected = run.Summary!.Printed[0] == 1
            ? new long[] { 1, 2, 3, 4, 5, 8, 11, 14, 17, 20 }
            : [3, 6, 9, 12, 15, 16, 17, 18, 19, 20];
        Assert.Equal(expected, run.Summary.Printed);
    }

    [Fact]
    public async Task A_finished_run_leaves_no_shared_memory_file_behind()
    {
        var (run, _) = await RunAsync("""{"scenario":"lock","room":"truth","iterations":1,"delayMs":1}""");
        Assert.Empty(LockLab.Server.Runs.RunSegments.FilesOf(run.Id));
    }
}
