using LockLab.Contracts;

namespace LockLab.Tests.Contracts;

public class RunSummaryBuilderTests
{
    private static RunEvent E(long seq, string p, EventKind kind, long value, double at = 0) => new(seq, p, 1, kind, value, at);

    [Fact]
    public void A_write_based_on_a_stale_read_erases_the_write_it_overlooked()
    {
        // p1 and p2 both read 0; p1 writes 1, then p2 writes 3 on top of it: p1's update is lost.
        RunEvent[] events =
        [
            E(1, "p1", EventKind.Read, 0), E(2, "p2", EventKind.Read, 0),
            E(3, "p1", EventKind.Write, 1), E(4, "p2", EventKind.Write, 3),
        ];
        var lost = Assert.Single(RunSummaryBuilder.FindLostWrites(events));
        Assert.Equal((3L, "p1", 4L, "p2"), (lost.Seq, lost.Process, lost.OverwrittenBySeq, lost.OverwrittenBy));
    }

    [Fact]
    public void Interleaved_but_serial_increments_lose_nothing()
    {
        RunEvent[] events =
        [
            E(1, "p1", EventKind.Read, 0), E(2, "p1", EventKind.Write, 1),
            E(3, "p2", EventKind.Read, 1), E(4, "p2", EventKind.Write, 4),
            E(5, "p1", EventKind.Read, 4), E(6, "p1", EventKind.Write, 5),
        ];
        Assert.Empty(RunSummaryBuilder.FindLostWrites(events));
    }

    [Fact]
    public void A_write_erased_by_two_stale_writers_counts_once()
    {
        RunEvent[] events =
        [
            E(1, "p1", EventKind.Read, 0), E(2, "p2", EventKind.Read, 0), E(3, "p3", EventKind.Read, 0),
            E(4, "p1", EventKind.Write, 1), E(5, "p2", EventKind.Write, 3), E(6, "p3", EventKind.Write, 5),
        ];
        Assert.Equal(2, RunSummaryBuilder.FindLostWrites(events).Count); // p1's and p2's writes; p3's stands
    }

    [Fact]
    public void Summary_lists_prints_in_order_and_time_spent_waiting_for_the_lock()
    {
        var parameters = new RunParameters(2, 1, [1, 3], 0, 0, LockScope.WholeLoop, StartMode.Ordered);
        RunEvent[] events =
        [
            E(1, "p1", EventKind.LockWait, 0, 0), E(2, "p1", EventKind.LockAcquired, 0, 0.5),
            E(3, "p2", EventKind.LockWait, 0, 1),
            E(4, "p1", EventKind.Read, 0, 100), E(5, "p1", EventKind.Write, 1, 100), E(6, "p1", EventKind.Print, 1, 100),
            E(7, "p1", EventKind.LockReleased, 1, 101), E(8, "p2", EventKind.LockAcquired, 1, 101),
            E(9, "p2", EventKind.Read, 1, 201), E(10, "p2", EventKind.Write, 4, 201), E(11, "p2", EventKind.Print, 4, 201),
        ];
        var summary = RunSummaryBuilder.Build(parameters, events, 4, 202, new Dictionary<string, (int, int?)> { ["p1"] = (10, 0), ["p2"] = (11, 0) });

        Assert.Equal([1L, 4], summary.Printed);
        Assert.Equal(4, summary.ExpectedFinalValue);
        Assert.Equal(0.5, summary.Processes[0].LockWaitMs);
        Assert.Equal(100, summary.Processes[1].LockWaitMs);
        Assert.Equal([1, 1], summary.Processes.Select(p => p.Writes));
    }
}
