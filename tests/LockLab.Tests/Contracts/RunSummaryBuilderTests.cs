using LockLab.Contracts;

namespace LockLab.Tests.Contracts;

/// <summary>
/// Lost updates from what the writes observed (which write each read saw, which write each store replaced), whatever
/// order the events' tickets fall in. Ids: p1's writes 0x01000001…, p2's 0x02000001…, p3's 0x03000001….
/// </summary>
public class RunSummaryBuilderTests
{
    private const int A = 0x01000001, B = 0x02000001, C = 0x03000001;

    private static RunEvent Read(long seq, string p, long value, int from) => new(seq, p, 1, EventKind.Read, value, 0, ReadFrom: from);

    private static RunEvent Write(long seq, string p, long value, int id, int from, int replaced) =>
        new(seq, p, 1, EventKind.Write, value, 0, WriteId: id, ReadFrom: from, Replaced: replaced);

    private static RunSummary Summarize(RunParameters parameters, long finalValue, params RunEvent[] events) =>
        RunSummaryBuilder.Build(parameters, events, finalValue, 1,
            Enumerable.Range(0, parameters.Processes).ToDictionary(i => RunParameters.ProcessName(i), i => (100 + i, (int?)0)));

    private static readonly RunParameters OneEach = new(2, 1, [1, 3], 0, 0, LockScope.None, StartMode.Simultaneous);

    [Fact]
    public void A_write_computed_from_a_value_read_before_another_write_landed_erases_it()
    {
        // Both read 0; p1 writes 1, then p2 writes 3 over it.
        var s = Summarize(OneEach, 3,
            Read(1, "p1", 0, 0), Read(2, "p2", 0, 0), Write(3, "p1", 1, A, 0, 0), Write(4, "p2", 3, B, 0, A));

        var lost = Assert.Single(s.LostWrites);
        Assert.Equal(("p1", 1L, 1L, "p2", 3L, 4L),
            (lost.Process, lost.Value, lost.Amount, lost.OverwrittenBy, lost.OverwrittenWith, lost.OverwrittenBySeq));
        Assert.Null(s.Discrepancy);
    }

    [Fact]
    public void A_write_reported_after_the_read_that_saw_it_is_not_lost()
    {
        // The false loss of ticket order: p1 writes 1 and is preempted before its ticket; p2 reads 1 and writes 4.
        // The tickets say R1 R2 W2 W1, yet p2's read names p1's write: nothing is lost.
        var s = Summarize(OneEach, 4,
            Read(1, "p1", 0, 0), Read(2, "p2", 1, A), Write(3, "p2", 4, B, A, A), Write(4, "p1", 1, A, 0, 0));

        Assert.Empty(s.LostWrites);
        Assert.Equal(4, s.ActualFinalValue);
        Assert.Null(s.Discrepancy);
    }

    [Fact]
    public void A_read_reported_after_the_write_it_overlooked_still_loses_that_write()
    {
        // The missed loss of ticket order: p1 reads 0 and is preempted before its read's ticket; p2 reads 0 and writes 3;
        // p1 writes 1 over it. The tickets put p1's read after p2's write, yet p1's read names the initial value.
        var s = Summarize(OneEach, 1,
            Read(1, "p2", 0, 0), Write(2, "p2", 3, B, 0, 0), Read(3, "p1", 0, 0), Write(4, "p1", 1, A, 0, B));

        var lost = Assert.Single(s.LostWrites);
        Assert.Equal(("p2", 3L, "p1"), (lost.Process, lost.Amount, lost.OverwrittenBy));
        Assert.Null(s.Discrepancy);
    }

    [Fact]
    public void A_write_overwritten_and_then_restored_is_not_lost()
    {
        // p1 writes 1 (A). p2 reads A. p3, which read 0 before A landed, writes 5 over A (B). p2 writes 1+3 = 4 over B (C):
        // A's update reaches the final value through p2's read, B's does not.
        var parameters = new RunParameters(3, 1, [1, 3, 5], 0, 0, LockScope.None, StartMode.Simultaneous);
        var s = Summarize(parameters, 4,
            Read(1, "p3", 0, 0), Read(2, "p1", 0, 0), Write(3, "p1", 1, A, 0, 0), Read(4, "p2", 1, A),
            Write(5, "p3", 5, C, 0, A), Write(6, "p2", 4, B, A, C));

        var lost = Assert.Single(s.LostWrites);
        Assert.Equal(("p3", 5L, "p2", 4L), (lost.Process, lost.Amount, lost.OverwrittenBy, lost.OverwrittenWith));
        Assert.Equal(parameters.ExpectedFinalValue - s.ActualFinalValue, s.LostWrites.Sum(l => l.Amount));
        Assert.Null(s.Discrepancy);
    }

    [Fact]
    public void A_write_that_erases_a_chain_is_named_as_the_eraser_of_each_write_in_it()
    {
        // p1 writes 1 (A), p2 reads it and writes 4 (B), p3 read 0 before both and writes 5 over B: A and B are lost, and
        // both were erased by p3's write, the first that does not build on them.
        var parameters = new RunParameters(3, 1, [1, 3, 5], 0, 0, LockScope.None, StartMode.Simultaneous);
        var s = Summarize(parameters, 5,
            Read(1, "p3", 0, 0), Read(2, "p1", 0, 0), Write(3, "p1", 1, A, 0, 0), Read(4, "p2", 1, A),
            Write(5, "p2", 4, B, A, A), Write(6, "p3", 5, C, 0, B));

        Assert.Equal([("p1", "p3"), ("p2", "p3")], s.LostWrites.Select(l => (l.Process, l.OverwrittenBy)));
        Assert.Equal(4, s.LostWrites.Sum(l => l.Amount));
        Assert.Null(s.Discrepancy);
    }

    [Fact]
    public void Events_that_do_not_account_for_the_final_value_are_reported_as_a_discrepancy()
    {
        // p2's write is missing: the events cannot explain how the value came to be 4.
        var s = Summarize(OneEach, 4, Read(1, "p1", 0, 0), Write(2, "p1", 1, A, 0, 0), Read(3, "p2", 1, A));

        Assert.NotNull(s.Discrepancy);
        Assert.Contains("1 writes were reported; the run makes 2", s.Discrepancy);
        Assert.Contains("the shared value is 4", s.Discrepancy);
    }

    [Fact]
    public void A_read_that_names_a_write_of_another_value_is_a_discrepancy()
    {
        var s = Summarize(OneEach, 4,
            Read(1, "p1", 0, 0), Write(2, "p1", 1, A, 0, 0), Read(3, "p2", 2, A), Write(4, "p2", 4, B, A, A));

        Assert.Contains("p2's read (seq 3) saw 2, but the write it names produced 1", s.Discrepancy);
    }

    [Fact]
    public void Summary_lists_prints_in_order_and_time_spent_waiting_for_the_lock()
    {
        var parameters = new RunParameters(2, 1, [1, 3], 0, 0, LockScope.WholeLoop, StartMode.Lesson);
        RunEvent At(RunEvent e, double at) => e with { AtMs = at };
        RunEvent[] events =
        [
            new(1, "p1", 1, EventKind.LockWait, 0, 0), new(2, "p1", 1, EventKind.LockAcquired, 0, 0.5),
            new(3, "p2", 1, EventKind.LockWait, 0, 1),
            At(Read(4, "p1", 0, 0), 100), At(Write(5, "p1", 1, A, 0, 0), 100), new(6, "p1", 1, EventKind.Print, 1, 100),
            new(7, "p1", 1, EventKind.LockReleased, 1, 101), new(8, "p2", 1, EventKind.LockAcquired, 1, 101),
            At(Read(9, "p2", 1, A), 201), At(Write(10, "p2", 4, B, A, A), 201), new(11, "p2", 1, EventKind.Print, 4, 201),
        ];
        var summary = RunSummaryBuilder.Build(parameters, events, 4, 202,
            new Dictionary<string, (int, int?)> { ["p1"] = (10, 0), ["p2"] = (11, 0) });

        Assert.Equal([1L, 4], summary.Printed);
        Assert.Equal(4, summary.ExpectedFinalValue);
        Assert.Equal(0.5, summary.Processes[0].LockWaitMs);
        Assert.Equal(100, summary.Processes[1].LockWaitMs);
        Assert.Equal([1, 1], summary.Processes.Select(p => p.Writes));
        Assert.Null(summary.Discrepancy);
    }
}

/// <summary>A summary travels with its run to every page: a big run's lists are capped, its counts stay exact.</summary>
public class BigRunSummaryTests
{
    [Fact]
    public void A_big_runs_summary_lists_the_first_prints_and_lost_writes_and_counts_them_all()
    {
        // 12,000 increments each: both read the same value, p1 writes, p2 writes over it from the same read. Every p1 write is lost.
        const int N = 12_000;
        var parameters = new RunParameters(2, N, [1, 3], 0, 0, LockScope.None, StartMode.Simultaneous);
        var collector = new RunSummaryCollector(parameters);
        long seq = 0, value = 0;
        var from = 0;
        for (var i = 1; i <= N; i++)
        {
            int a = 0x01000000 | i, b = 0x02000000 | i;
            collector.Add(new RunEvent(++seq, "p1", 1, EventKind.Read, value, 0, ReadFrom: from));
            collector.Add(new RunEvent(++seq, "p2", 2, EventKind.Read, value, 0, ReadFrom: from));
            collector.Add(new RunEvent(++seq, "p1", 1, EventKind.Write, value + 1, 0, WriteId: a, ReadFrom: from, Replaced: from));
            collector.Add(new RunEvent(++seq, "p2", 2, EventKind.Write, value + 3, 0, WriteId: b, ReadFrom: from, Replaced: a));
            value += 3;
            from = b;
            collector.Add(new RunEvent(++seq, "p1", 1, EventKind.Print, value, 0));
            collector.Add(new RunEvent(++seq, "p2", 2, EventKind.Print, value, 0));
        }

        var summary = collector.Build(value, 1, new Dictionary<string, (int, int?)> { ["p1"] = (1, 0), ["p2"] = (2, 0) });

        Assert.Null(summary.Discrepancy);
        Assert.Equal(N, summary.LostUpdates);
        Assert.Equal(RunSummary.LostWritesListLimit, summary.LostWrites.Count);
        Assert.All(summary.LostWrites, l => Assert.Equal(("p1", "p2", 1L), (l.Process, l.OverwrittenBy, l.Amount)));
        Assert.Equal(RunSummary.ListLimit, summary.Printed.Count);
        Assert.Equal(2 * N, summary.PrintedTotal);
        Assert.Equal([N, N], summary.Processes.Select(p => p.Writes));

        // What the hub sends to pages: the first entries only, the counts exact.
        var forViewers = summary.ForViewers();
        Assert.Equal(RunSummary.ViewerListLimit, forViewers.LostWrites.Count);
        Assert.Equal(summary.LostWrites.Take(RunSummary.ViewerListLimit), forViewers.LostWrites);
        Assert.Equal(RunSummary.ViewerListLimit, forViewers.Printed.Count);
        Assert.Equal(2 * N, forViewers.PrintedTotal);
        Assert.Equal(N, forViewers.LostUpdates);
    }

    [Fact]
    public void A_lesson_run_a_hundred_times_goes_to_pages_whole()
    {
        var printed = Enumerable.Range(1, 1000).Select(i => (long)i).ToArray();
        var summary = new RunSummary(20, 20, 0, 1, printed, [], []);

        Assert.Same(summary, summary.ForViewers());
        var info = new RunInfo("r", "no-lock", "main", RunStatus.Completed,
            new RunParameters(2, 5, [1, 3], 100, 0, LockScope.None, StartMode.Simultaneous),
            DateTimeOffset.UnixEpoch, null, null, 0, summary, null, new RunLinks("", ""));
        Assert.Same(info, info.ForViewers());
    }

    [Fact]
    public void A_write_outside_the_32_bit_shared_value_is_a_discrepancy_not_a_crash()
    {
        var events = new List<RunEvent>
        {
            new(1, "p1", 1, EventKind.Read, 0, 0, ReadFrom: 0),
            new(2, "p1", 1, EventKind.Write, 1L + int.MaxValue, 0, WriteId: 0x01000001, ReadFrom: 0, Replaced: 0),
        };
        var summary = RunSummaryBuilder.Build(new RunParameters(1, 1, [1], 0, 0, LockScope.None, StartMode.Simultaneous), events, 1, 1,
            new Dictionary<string, (int, int?)> { ["p1"] = (1, 0) });

        Assert.Contains("outside the 32-bit shared value", summary.Discrepancy);
    }

    [Fact]
    public void A_lesson_sized_runs_summary_lists_everything()
    {
        var events = new List<RunEvent>
        {
            new(1, "p1", 1, EventKind.Read, 0, 0, ReadFrom: 0),
            new(2, "p1", 1, EventKind.Write, 1, 0, WriteId: 0x01000001, ReadFrom: 0, Replaced: 0),
            new(3, "p1", 1, EventKind.Print, 1, 0),
        };
        var summary = RunSummaryBuilder.Build(new RunParameters(1, 1, [1], 0, 0, LockScope.None, StartMode.Simultaneous), events, 1, 1,
            new Dictionary<string, (int, int?)> { ["p1"] = (1, 0) });

        Assert.Equal([1L], summary.Printed);
        Assert.Null(summary.PrintedTotal);
        Assert.Null(summary.Discrepancy);
    }
}
