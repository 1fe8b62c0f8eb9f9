using LockLab.Contracts;
using LockLab.Tests.Support;

namespace LockLab.Tests.Worker;

/// <summary>The lock and the shared memory across real OS processes, under full contention (no sleeps, simultaneous start).</summary>
public class CrossProcessLockTests
{
    // Long enough (tens of milliseconds) that the two processes surely overlap on two cores.
    private const int Iterations = 2_000_000;

    private static WorkerJob[] Jobs(string path, LockScope scope) =>
        [new(path, 0, 1, Iterations, 0, 0, scope, StartMode.Simultaneous, StepEvents: false),
         new(path, 1, 3, Iterations, 0, 0, scope, StartMode.Simultaneous, StepEvents: false)];

    [Fact]
    public async Task With_the_lock_two_processes_lose_no_update()
    {
        using var segment = new TestSegment();

        var events = await WorkerGroup.RunAsync(segment, Jobs(segment.Path, LockScope.PerStep));

        Assert.Equal(Iterations * (1L + 3L), segment.Segment.Counter);
        var exits = events.Where(e => e.Kind == EventKind.Exit).ToList();
        Assert.Equal(2, exits.Select(e => e.Pid).Distinct().Count());
        Assert.DoesNotContain(Environment.ProcessId, exits.Select(e => e.Pid));
    }

    [Fact]
    public async Task Without_the_lock_the_same_processes_lose_updates()
    {
        using var segment = new TestSegment();

        await WorkerGroup.RunAsync(segment, Jobs(segment.Path, LockScope.None));

        Assert.True(segment.Segment.Counter < Iterations * (1L + 3L),
            $"expected lost updates without the lock, but the counter reached {segment.Segment.Counter}");
    }
}
