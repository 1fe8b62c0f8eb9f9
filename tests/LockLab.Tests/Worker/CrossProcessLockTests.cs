using System.Diagnostics;
using LockLab.Contracts;
using LockLab.TestServices;
using LockLab.Tests.Support;

namespace LockLab.Tests.Worker;

/// <summary>The lock and the shared memory across real OS processes, under full contention (no sleeps, simultaneous start).</summary>
public class CrossProcessLockTests
{
    // Long enough (milliseconds even when the lock lets one process run many increments in a row) that the two
    // processes surely overlap on two cores.
    private const int Iterations = 2_000_000;

    private static WorkerJob[] Jobs(string path, LockScope scope, int processes = 2, int iterations = Iterations) =>
        Enumerable.Range(0, processes)
            .Select(i => new WorkerJob(path, i, i % 2 == 0 ? 1 : 3, iterations, 0, 0, scope, StartMode.Simultaneous, StepEvents: false))
            .ToArray();

    [Fact]
    public async Task With_the_lock_two_processes_lose_no_update()
    {
        using var segment = new TestSegment();

        var events = await WorkerGroup.RunAsync(segment, Jobs(segment.Path, LockScope.PerStep));

        Assert.Equal(Iterations * (1L + 3L), segment.Segment.Counter);
        var exits = events.Where(e => e.Kind == EventKind.Exit).ToList();
        Assert.Equal(2, exits.Select(e => e.Pid).Distinct().Count());
        Assert.DoesNotContain(Environment.ProcessId, exits.Select(e => e.Pid));
        Assert.Equal(0, segment.Segment.Lock.Holder);
        Assert.False(segment.Segment.Lock.HasSleepers);
    }

    [Fact]
    public async Task With_the_lock_four_processes_on_two_cores_lose_no_update()
    {
        // More processes than cores: waiters run out of spinning, sleep in the kernel, and must each be woken.
        using var segment = new TestSegment();
        const int iterations = 500_000;

        await WorkerGroup.RunAsync(segment, Jobs(segment.Path, LockScope.PerStep, processes: 4, iterations));

        Assert.Equal(iterations * (1L + 3L + 1L + 3L), segment.Segment.Counter);
        Assert.False(segment.Segment.Lock.HasSleepers);
    }

    [Fact]
    public async Task Without_the_lock_the_same_processes_lose_updates()
    {
        // Both processes are released together, but they race only while the machine runs both at once. Without the
        // lock a process counts a million times in a millisecond or two, so it counts longer here (tens of milliseconds
        // alone) to overlap the other even on a busy machine; on one so busy that they still did not, nothing was lost:
        // run it again (at most 3 times).
        const int iterations = 20_000_000;
        long counter = 0;
        for (var attempt = 0; attempt < 3; attempt++)
        {
            using var segment = new TestSegment();
            await WorkerGroup.RunAsync(segment, Jobs(segment.Path, LockScope.None, iterations: iterations));
            counter = segment.Segment.Counter;
            if (counter < iterations * (1L + 3L)) return;
        }
        Assert.Fail($"expected lost updates without the lock, but three runs in a row reached {counter}");
    }

    [Fact]
    public async Task A_process_waiting_for_the_lock_takes_it_over_when_its_holder_dies_holding_it()
    {
        // Python's lock would leave p2 asleep forever. Here p2 notices that the process named in the lock word is gone,
        // takes the lock over, says so, and finishes its loop.
        using var segment = new TestSegment();
        var executable = new LockLab.Server.Runs.WorkerExecutable(
            Microsoft.Extensions.Options.Options.Create(new LockLab.Server.Configuration.LockLabOptions()));
        WorkerJob[] jobs =
        [
            new(segment.Path, 0, 1, 5, DelayMs: 0, 0, LockScope.WholeLoop, StartMode.Lesson, Stepped: true),
            new(segment.Path, 1, 3, 5, DelayMs: 0, 0, LockScope.WholeLoop, StartMode.Lesson),
        ];
        segment.Segment.ArmGate(simultaneous: false, 2);
        var workers = jobs.Select(j => WorkerGroup.Start(executable, j)).ToList();
        try
        {
            var events = new List<RunEvent>();
            var reads = workers.Select(w => w.ReadEventsAsync(
                batch => { lock (events) events.AddRange(batch); }, CancellationToken.None)).ToList();
            Assert.True(segment.Segment.WaitUntilGateOpened(TimeSpan.FromSeconds(20)), "workers did not reach the gate");
            var l = segment.Segment.Lock;
            segment.Segment.GrantStep(0); // p1 takes the lock and stands still, holding it
            Assert.True(await Waiting.UntilAsync(() => l.Holder == 1 && l.HasSleepers, TimeSpan.FromSeconds(20)),
                "p2 did not go to sleep waiting for p1's lock");

            workers[0].Kill();
            await workers[1].WaitForExitAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
            await reads[1].WaitAsync(TimeSpan.FromSeconds(30));

            Assert.Equal(0, workers[1].ExitCode);
            Assert.Contains($"p2 took over the lock from p1 (pid {workers[0].Pid}), which died holding it.", workers[1].StandardError);
            Assert.Equal([3L, 6, 9, 12, 15],
                events.Where(e => e is { Process: "p2", Kind: EventKind.Print }).OrderBy(e => e.Seq).Select(e => e.Value));
        }
        finally
        {
            foreach (var w in workers) await w.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_process_waiting_for_a_lock_held_for_long_sleeps_instead_of_burning_a_core()
    {
        // The lesson's second experiment in step mode, where p1 holds the lock for as long as the presenter withholds
        // its next step: here, until p2 has been watched waiting for it. The hold ends when the test says so, not when
        // a clock runs out.
        using var segment = new TestSegment();
        WorkerJob[] jobs =
        [
            new(segment.Path, 0, 1, 5, DelayMs: 0, 0, LockScope.WholeLoop, StartMode.Lesson, Stepped: true),
            new(segment.Path, 1, 3, 5, DelayMs: 0, 0, LockScope.WholeLoop, StartMode.Lesson, Stepped: true),
        ];
        var l = segment.Segment.Lock;
        TimeSpan watched = default, cpu = default;

        var events = await WorkerGroup.RunAsync(segment, jobs, async workers =>
        {
            segment.Segment.GrantStep(0); // p1 asks for the lock, takes it and stops at its next step
            Assert.True(await Waiting.UntilAsync(() => l.Holder == 1, TimeSpan.FromSeconds(20)), "p1 did not take the lock");
            segment.Segment.GrantStep(1); // p2 asks for it: it spins briefly, marks the word and sleeps
            Assert.True(await Waiting.UntilAsync(() => l.HasSleepers, TimeSpan.FromSeconds(20)), "p2 did not go to sleep");

            // Sleeping is the absence of work, so it is watched for a while: the thread that waits (the worker's main
            // thread) should get next to no processor time in it, where spinning would cost about as much as the while
            // lasts. A busy machine can only lengthen the while or give a spinner less, never charge a sleeper more.
            var pid = workers[1].Pid;
            var before = ThreadCpu.Used(pid, pid)!.Value;
            var watch = Stopwatch.StartNew();
            await Task.Delay(300);
            (watched, cpu) = (watch.Elapsed, ThreadCpu.Used(pid, pid)!.Value - before);
            Assert.Equal(1, l.Holder); // p1 held the lock throughout

            for (var step = 0; step < 20; step++) // more than either needs
            {
                segment.Segment.GrantStep(0);
                segment.Segment.GrantStep(1);
            }
        });

        Assert.Equal([1L, 2, 3, 4, 5, 8, 11, 14, 17, 20], events.Where(e => e.Kind == EventKind.Print).Select(e => e.Value));
        Assert.True(cpu < watched / 4,
            $"p2 used {cpu.TotalMilliseconds:0.0} ms of processor time in {watched.TotalMilliseconds:0} ms of waiting");
    }

    [SkippableFact]
    public async Task Processes_counting_without_the_lock_each_count_on_a_processor_of_their_own()
    {
        Skip.If(Environment.ProcessorCount < 2, "This machine has one processor: there is no other for the second process to count on.");
        using var segment = new TestSegment();
        var seen = await ProcessorsAtTheStartLineAsync(segment, LockScope.None);

        var diagnostics = $"processors of the workers at the start line: {string.Join(" ", seen)}";
        Assert.All(seen, list => Assert.True(list is not null && !list.Contains(',') && !list.Contains('-'), diagnostics));
        Assert.True(seen.Distinct().Count() == 2, diagnostics);
    }

    [Fact]
    public async Task Processes_counting_with_the_lock_are_left_to_the_scheduler()
    {
        using var segment = new TestSegment();
        var ours = AllowedProcessors(Environment.ProcessId);
        var seen = await ProcessorsAtTheStartLineAsync(segment, LockScope.PerStep);

        Assert.Equal([ours, ours], seen);
        Assert.Equal(1_000_000 * (1L + 3L), segment.Segment.Counter);
    }

    /// <summary>
    /// Which processors each of two counting workers may run on. The run counts three processes and the test plays the
    /// third: the workers pass the point where they would take a processor each and wait at the start line, where they
    /// stay, so what they count on is read at leisure rather than caught in passing. Then the test lets them count.
    /// </summary>
    private static async Task<List<string?>> ProcessorsAtTheStartLineAsync(TestSegment segment, LockScope scope)
    {
        var seen = new List<string?>();
        await WorkerGroup.RunAsync(segment, Jobs(segment.Path, scope, iterations: 1_000_000), async workers =>
        {
            // Only once both are there: the test's arrival waits for all three, for ever. Should they not come, the
            // assertion fails and the group kills them.
            Assert.True(await Waiting.UntilAsync(() => segment.Segment.StartLineArrivals == 2, TimeSpan.FromSeconds(20)),
                "the workers did not reach the start line");
            try
            {
                seen.AddRange(workers.Select(w => AllowedProcessors(w.Pid)));
            }
            finally
            {
                segment.Segment.ArriveAtStartLine(0);
            }
        }, gateProcesses: 3);
        return seen;
    }

    /// <summary>The processors a process's main thread may run on ("0-1", "3"), from /proc; null once it has exited.</summary>
    private static string? AllowedProcessors(int pid)
    {
        try
        {
            var line = File.ReadLines($"/proc/{pid}/task/{pid}/status")
                .FirstOrDefault(l => l.StartsWith("Cpus_allowed_list:", StringComparison.Ordinal));
            return line?["Cpus_allowed_list:".Length..].Trim();
        }
        catch (IOException)
        {
            return null;
        }
    }
}
