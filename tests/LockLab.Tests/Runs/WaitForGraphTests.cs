using LockLab.Contracts.Experiments;
using LockLab.Server.Runs;
using LockLab.Tests.Support;

namespace LockLab.Tests.Runs;

/// <summary>The deadlock watch's reading of a wait-for graph: a cycle only where no process of it can ever move.</summary>
public class WaitForGraphTests
{
    /// <param name="waiting">Per process: the resource it waits for, or -1.</param>
    /// <param name="holds">Per resource: the processes holding one of it.</param>
    private static WaitForGraph Graph(int[] waiting, int[][] holds, int?[]? free = null) => new(
        [.. waiting.Select((r, p) => r < 0 ? ((int, long)?)null : (r, 1000L + p))],
        [.. holds.Select(holders => Enumerable.Range(0, waiting.Length).Select(p => holders.Count(h => h == p)).ToArray())],
        free ?? new int?[holds.Length]);

    [Fact]
    public void Two_processes_each_waiting_for_the_others_lock_are_a_cycle()
    {
        var graph = Graph([1, 0], [[0], [1]]);
        Assert.Equal([0, 1], graph.Cycle());
        Assert.Equal("p1 holds a, waits for b; p2 holds b, waits for a",
            graph.Report(graph.Cycle()!, ["a", "b"], runStart: 0, detectedAt: 2000).Describe());
    }

    [Fact]
    public void Waiting_for_a_lock_whose_holder_can_move_is_no_deadlock()
    {
        Assert.Null(Graph([1, -1], [[0], [1]]).Cycle()); // p2 holds b but runs: it will release it
        Assert.Null(Graph([0, -1], [[], []]).Cycle());   // a is free (or its holder has not marked it yet)
        Assert.Null(Graph([-1, -1], [[0], [1]]).Cycle());
    }

    [Fact]
    public void A_process_seen_waiting_for_what_it_already_holds_is_a_reading_between_two_of_its_writes_not_a_deadlock()
    {
        // Read while both were taking their first lock: each seems to wait for the lock that the holds, read a moment
        // later, show it already has.
        Assert.Null(Graph([0, 1], [[0], [1]]).Cycle());
    }

    [Fact]
    public void A_third_process_waiting_on_the_cycle_is_stuck_too_but_the_cycle_names_only_the_cycle()
    {
        // p1 waits for b (p2's), p2 for a (p1's), p3 for a as well.
        var cycle = Graph([1, 0, 0], [[0], [1]]).Cycle();
        Assert.Equal([0, 1], cycle);
        // p1 waits for a, held by p2, which waits for b, held by p3, which waits for a: p1 is stuck, the cycle is p2 and p3.
        Assert.Equal([1, 2], Graph([0, 1, 0], [[1], [2]]).Cycle());
    }

    [Fact]
    public void A_semaphore_with_a_permit_free_or_a_holder_that_can_move_lets_its_waiters_on()
    {
        // s (resource 1) has 2 permits, held by p1 and p2; p1 waits for lock a (0) held by p3, which waits for s.
        Assert.Null(Graph([0, -1, 1], [[2], [0, 1]], [null, 0]).Cycle()); // p2 can move: it will give its permit back
        // p2 now waits for a too: s has no permit free and every holder is stuck.
        Assert.Equal([0, 2], Graph([0, 0, 1], [[2], [0, 1]], [null, 0]).Cycle());
        // The same with a permit free: p3 gets it.
        Assert.Null(Graph([0, 0, 1], [[2], [0, 1]], [null, 1]).Cycle());
    }

    [Fact]
    public void The_graph_in_a_real_segment_is_what_the_processes_marked()
    {
        using var t = new TestSegment();
        var program = BuiltInPrograms.Deadlock();
        RunSegments.Prepare(t.Segment, program);
        t.Segment.MarkWaiting(0, 0);
        t.Segment.MarkAcquired(0, 0);
        t.Segment.MarkWaiting(1, 1);
        t.Segment.MarkAcquired(1, 1);
        t.Segment.MarkWaiting(0, 1);
        Assert.Null(WaitForGraph.Read(t.Segment, 2, 2, 0).Cycle());
        t.Segment.MarkWaiting(1, 0);
        var graph = WaitForGraph.Read(t.Segment, 2, 2, 0);
        Assert.Equal([0, 1], graph.Cycle());
        t.Segment.MarkReleasing(1, 1); // p2 lets go of b (as it would before releasing it)
        Assert.Null(WaitForGraph.Read(t.Segment, 2, 2, 0).Cycle());
    }
}
