using LockLab.Contracts;
using LockLab.Contracts.Experiments;
using LockLab.Tests.Support;
using LockLab.Worker;

namespace LockLab.Tests.Worker;

/// <summary>Programs other than the lesson's job, run by the same runner over a real segment.</summary>
public class ProgramRunnerTests
{
    private static WorkerJob Job(TestSegment t, int index, string program, bool stepEvents = true) =>
        new(t.Path, index, 0, 1, 0, 0, LockScope.None, StartMode.Simultaneous, stepEvents, Program: program);

    [Fact]
    public void A_program_runs_over_its_own_integers_and_semaphore_and_names_them_in_its_events()
    {
        const string text = """
            shared a = 5
            shared b
            lock l
            semaphore s permits 1
            process p1:
              acquire s
              read a
              sleep 10
              write a 2
              add b -3
              print a
              release s
            """;
        using var t = new TestSegment();
        var program = ProgramReader.Read(text, ProgramLimits.Default).Program!;
        LockLab.Server.Runs.RunSegments.Prepare(t.Segment, program);
        var sink = new ListSink();
        t.OpenGate(true, 1);

        new JobRunner(t.Segment, Job(t, 0, ProgramText.Format(program)), sink, 1).Run();

        Assert.Equal(
            [(EventKind.LockWait, "s", 5L), (EventKind.LockAcquired, "s", 5), (EventKind.Read, "a", 5), (EventKind.Write, "a", 7),
                (EventKind.Read, "b", 0), (EventKind.Write, "b", -3), (EventKind.Print, "a", 7), (EventKind.LockReleased, "s", 7),
                (EventKind.Exit, null!, 7)],
            sink.Events.Select(e => (e.Kind, e.Target, e.Value)));
        var read = sink.Events.Single(e => e is { Kind: EventKind.Read, Target: "a" });
        var write = sink.Events.Single(e => e is { Kind: EventKind.Write, Target: "a" });
        Assert.True(write.AtMs - read.AtMs >= 9.5, "the sleep between read and write is the gap");
        Assert.Equal((7, -3), (t.Segment.ReadShared(0).Value, t.Segment.ReadShared(1).Value));
        Assert.Equal(1, t.Segment.SemaphoreAt(1).Free); // given back
        Assert.Null(t.Segment.WaitingFor(0));
        Assert.Equal(0, t.Segment.Holds(1, 0));
        // Each event in the order the sequential reading of the program gives.
        Assert.Equal(SequentialRun.Of(program).Events.Select(e => e.Kind), sink.Events.Select(e => e.Kind));
    }

    [Fact]
    public void The_classic_job_and_its_program_sent_as_text_report_the_same_steps()
    {
        using var t1 = new TestSegment();
        using var t2 = new TestSegment();
        var classic = new WorkerJob(t1.Path, 0, 3, 4, 0, 2, LockScope.PerStep, StartMode.Simultaneous);
        var sent = classic with { SegmentPath = t2.Path, Program = ProgramText.Format(JobRunner.ProgramOf(classic)) };
        var (s1, s2) = (new ListSink(), new ListSink());
        t1.OpenGate(true, 1);
        t2.OpenGate(true, 1);

        new JobRunner(t1.Segment, classic, s1, 1).Run();
        new JobRunner(t2.Segment, sent, s2, 1).Run();

        Assert.Equal(s1.Events.Select(e => (e.Seq, e.Kind, e.Value, e.Target)), s2.Events.Select(e => (e.Seq, e.Kind, e.Value, e.Target)));
        Assert.Equal(12, t2.Segment.Counter);
    }

    [Fact]
    public void Two_threads_taking_two_locks_in_opposite_orders_block_for_real_and_the_graph_shows_the_cycle()
    {
        // Not disposed: the threads stay blocked on the segment for the life of the test host, and unmapping it under them
        // would crash it. Its file is deleted at the end (the mapping outlives it).
        var t = new TestSegment();
        Leak(t);
        File.Delete(t.Path); // the mapping outlives the file
        var program = BuiltInPrograms.Deadlock(holdMs: 50);
        var text = ProgramText.Format(program);
        RunSegmentsPrepare(t, program);
        var threads = Enumerable.Range(0, 2).Select(i => new Thread(() =>
            new JobRunner(t.Segment, Job(t, i, text), new ListSink(), 1).Run()) { IsBackground = true }).ToList();
        threads.ForEach(th => th.Start());
        t.OpenGate(true, 2);

        LockLab.Server.Runs.WaitForGraph? graph = null;
        IReadOnlyList<int>? cycle = null;
        Assert.True(SpinWait.SpinUntil(() => (cycle = (graph = LockLab.Server.Runs.WaitForGraph.Read(t.Segment, 2, 2, 0)).Cycle()) is not null,
            TimeSpan.FromSeconds(10)), "no cycle in the graph");
        Assert.Equal("p1 holds a, waits for b; p2 holds b, waits for a",
            graph!.Report(cycle!, ["a", "b"], t.Segment.RunStartTimestamp, System.Diagnostics.Stopwatch.GetTimestamp()).Describe());
        // Really blocked: still there a while later (each lock's waiter wakes only to check its holder is alive), and the
        // graph says the same.
        Assert.False(threads[0].Join(300));
        Assert.False(threads[1].Join(0));
        Assert.Equal(cycle, LockLab.Server.Runs.WaitForGraph.Read(t.Segment, 2, 2, 0).Cycle());
    }

    private static void RunSegmentsPrepare(TestSegment t, ExperimentProgram program) => LockLab.Server.Runs.RunSegments.Prepare(t.Segment, program);

    /// <summary>A segment with threads blocked on it forever is never unmapped (unmapping it would crash them).</summary>
    private static readonly List<TestSegment> Leaked = [];
    private static void Leak(TestSegment t)
    {
        lock (Leaked) Leaked.Add(t);
    }
}
