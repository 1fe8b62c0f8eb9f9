using System.Diagnostics;
using LockLab.Contracts;
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
    public async Task A_process_waiting_for_a_lock_held_for_long_sleeps_instead_of_burning_a_core()
    {
        // The lesson's second experiment, slowed down: p1 holds the lock for about 5 × 150 ms, p2 waits for it.
        using var segment = new TestSegment();
        WorkerJob[] jobs =
        [
            new(segment.Path, 0, 1, 5, DelayMs: 150, 0, LockScope.WholeLoop, StartMode.Ordered),
            new(segment.Path, 1, 3, 5, DelayMs: 150, 0, LockScope.WholeLoop, StartMode.Ordered),
        ];
        TimeSpan waited = default, cpu = default;

        var events = await WorkerGroup.RunAsync(segment, jobs, async workers =>
        {
            // Give p2 time to start waiting (and to spin, briefly), then watch its CPU time while p1 still holds the lock.
            await Task.Delay(150);
            using var p2 = Process.GetProcessById(workers[1].Pid);
            var before = p2.TotalProcessorTime;
            var watch = Stopwatch.StartNew();
            await Task.Delay(450);
            p2.Refresh();
            (waited, cpu) = (watch.Elapsed, p2.TotalProcessorTime - before);
        });

        Assert.Equal([1L, 2, 3, 4, 5, 8, 11, 14, 17, 20], events.Where(e => e.Kind == EventKind.Print).Select(e => e.Value));
        var p1Released = events.Single(e => e is { Process: "p1", Kind: EventKind.LockReleased }).AtMs;
        Assert.True(p1Released > 600, $"p1 released the lock after {p1Released} ms: the observation window was not inside its hold");
        // Spinning through the window would cost about as much CPU time as the window lasts.
        Assert.True(cpu < waited / 4, $"p2 used {cpu.TotalMilliseconds:0} ms of CPU time in {waited.TotalMilliseconds:0} ms of waiting");
    }

    [Fact]
    public async Task Processes_counting_without_the_lock_each_count_on_a_processor_of_their_own()
    {
        var processors = Environment.ProcessorCount;
        if (processors < 2) return; // one processor: nothing to choose
        using var segment = new TestSegment();
        var seen = new Dictionary<int, string>();
        var read = new List<string>();

        await WorkerGroup.RunAsync(segment, Jobs(segment.Path, LockScope.None, iterations: 50_000_000), async workers =>
        {
            // Each worker counts on its main thread; read which processors that thread may use while it counts
            // (often: alone on a core, a worker counts its share in a few tens of milliseconds).
            var deadline = DateTime.UtcNow.AddSeconds(10);
            while (seen.Count < workers.Count && DateTime.UtcNow < deadline && !workers.All(w => w.HasExited))
            {
                foreach (var w in workers)
                {
                    var list = AllowedProcessors(w.Pid);
                    read.Add($"{w.Pid}:{list ?? "gone"}");
                    if (list is not null && !list.Contains(',') && !list.Contains('-')) seen[w.Pid] = list;
                }
                await Task.Delay(1);
            }
        });

        var diagnostics = $"read while counting: {string.Join(" ", read.Distinct().Take(40))}";
        Assert.True(seen.Count == 2, diagnostics);
        Assert.True(seen.Values.Distinct().Count() == 2, diagnostics);
    }

    [Fact]
    public async Task Processes_counting_with_the_lock_are_left_to_the_scheduler()
    {
        using var segment = new TestSegment();
        var ours = AllowedProcessors(Environment.ProcessId);
        var samples = new List<string?>();

        await WorkerGroup.RunAsync(segment, Jobs(segment.Path, LockScope.PerStep, iterations: 5_000_000), async workers =>
        {
            for (var i = 0; i < 10; i++)
            {
                samples.AddRange(workers.Select(w => AllowedProcessors(w.Pid)));
                await Task.Delay(5);
            }
        });

        Assert.All(samples.Where(s => s is not null), s => Assert.Equal(ours, s));
        Assert.Equal(5_000_000 * (1L + 3L), segment.Segment.Counter);
    }

    /// <summary>The processors a process's main thread may run on ("0-1", "3"), from /proc; null once it has exited.</summary>
    private static string? AllowedProcessors(int pid)
    {
        try
        {
            var line = File.ReadLines($"/proc/{pid}/task/{pid}/status").FirstOrDefault(l => l.StartsWith("Cpus_allowed_list:", StringComparison.Ordinal));
            return line?["Cpus_allowed_list:".Length..].Trim();
        }
        catch (IOException)
        {
            return null;
        }
    }
}
