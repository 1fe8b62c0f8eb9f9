using System.Diagnostics;
using LockLab.Contracts;
using LockLab.Tests.Support;
using LockLab.TestServices;
using LockLab.Worker;

namespace LockLab.Tests.Worker;

/// <summary>The job loop itself, run in this process over a real shared segment.</summary>
public class JobRunnerTests
{
    private static WorkerJob Job(string path, int index, int amount, LockScope scope, int iterations = 5, int delayMs = 0, int gapMs = 0,
        StartMode start = StartMode.Simultaneous, bool stepEvents = true) =>
        new(path, index, amount, iterations, delayMs, gapMs, scope, start, stepEvents);

    [Fact]
    public void Whole_loop_lock_reports_the_lessons_steps_in_ticket_order()
    {
        using var t = new TestSegment();
        var sink = new ListSink();
        t.OpenGate(true, 1);

        var last = new JobRunner(t.Segment, Job(t.Path, 0, 1, LockScope.WholeLoop), sink, pid: 4242).Run();

        var kinds = sink.Events.Select(e => e.Kind).ToList();
        EventKind[] step = [EventKind.Read, EventKind.Write, EventKind.Print];
        EventKind[] expected = [EventKind.LockWait, EventKind.LockAcquired, .. Enumerable.Repeat(step, 5).SelectMany(s => s),
            EventKind.LockReleased, EventKind.Exit];
        Assert.Equal(expected, kinds);
        Assert.Equal(Enumerable.Range(1, expected.Length).Select(i => (long)i), sink.Events.Select(e => e.Seq));
        Assert.Equal([1L, 2, 3, 4, 5], sink.Events.Where(e => e.Kind == EventKind.Print).Select(e => e.Value));
        Assert.Equal([0L, 1, 2, 3, 4], sink.Events.Where(e => e.Kind == EventKind.Read).Select(e => e.Value));
        Assert.All(sink.Events, e => Assert.Equal(("p1", 4242), (e.Process, e.Pid)));
        Assert.Equal(5, last);
        Assert.Equal(5, t.Segment.Counter);
        Assert.Equal(0, t.Segment.Lock.Holder);
    }

    [Fact]
    public void Without_a_lock_no_lock_events_are_reported()
    {
        using var t = new TestSegment();
        var sink = new ListSink();
        t.OpenGate(true, 1);

        new JobRunner(t.Segment, Job(t.Path, 1, 3, LockScope.None, iterations: 2), sink, 7).Run();

        Assert.Equal([EventKind.Read, EventKind.Write, EventKind.Print, EventKind.Read, EventKind.Write, EventKind.Print, EventKind.Exit],
            sink.Events.Select(e => e.Kind));
        Assert.All(sink.Events, e => Assert.Equal("p2", e.Process));
        Assert.Equal(6, t.Segment.Counter);
    }

    [Fact]
    public void Per_step_lock_is_taken_and_released_around_each_increment()
    {
        using var t = new TestSegment();
        var sink = new ListSink();
        t.OpenGate(true, 1);

        new JobRunner(t.Segment, Job(t.Path, 0, 1, LockScope.PerStep, iterations: 3), sink, 1).Run();

        EventKind[] step = [EventKind.LockWait, EventKind.LockAcquired, EventKind.Read, EventKind.Write, EventKind.Print,
            EventKind.LockReleased];
        Assert.Equal([.. Enumerable.Repeat(step, 3).SelectMany(s => s), EventKind.Exit], sink.Events.Select(e => e.Kind));
    }

    [Fact]
    public void A_gap_shows_the_read_before_the_pause_and_the_write_after_it()
    {
        using var t = new TestSegment();
        var sink = new ListSink();
        t.OpenGate(true, 1);

        new JobRunner(t.Segment, Job(t.Path, 0, 1, LockScope.None, iterations: 1, gapMs: 20), sink, 1).Run();

        var read = sink.Events.Single(e => e.Kind == EventKind.Read);
        var write = sink.Events.Single(e => e.Kind == EventKind.Write);
        Assert.True(write.AtMs - read.AtMs >= 19, $"read at {read.AtMs} ms, write at {write.AtMs} ms");
        Assert.True(sink.Flushes >= 1, "the read must be flushed before the pause so a viewer sees it at once");
    }

    [Fact]
    public void Each_step_takes_its_delay_and_then_its_gap_even_when_the_gap_is_the_longer()
    {
        using var t = new TestSegment();
        var sink = new ListSink();
        t.OpenGate(true, 1);

        new JobRunner(t.Segment, Job(t.Path, 0, 1, LockScope.None, iterations: 3, delayMs: 20, gapMs: 30), sink, 1).Run();

        // The OS never wakes a sleeper early: step k reads no sooner than k whole steps (sleep, then gap) and a sleep
        // after the gate. (A gap counted as part of the next sleep would make steps 2 and 3 come 20 ms too soon each.)
        var reads = sink.Events.Where(e => e.Kind == EventKind.Read).Select(e => e.AtMs).ToArray();
        Assert.Equal(3, reads.Length);
        for (var k = 0; k < reads.Length; k++) Assert.True(reads[k] >= 20 + k * 50 - 0.5, $"step {k + 1} read at {reads[k]} ms");
    }

    [Fact]
    public void In_python_mode_each_sleep_starts_from_now_so_every_hold_up_adds_up()
    {
        // Each flush before a sleep blocks 8 ms, as a slow pipe would: less than half a delay, which the lesson's schedule
        // absorbs. Python's time.sleep sleeps from the moment it is called, so the 8 ms add up, step after step.
        using var t = new TestSegment();
        var sink = new ListSink { OnFlush = _ => Thread.Sleep(8) };
        t.OpenGate(true, 1);

        new JobRunner(t.Segment, Job(t.Path, 0, 1, LockScope.None, iterations: 5, delayMs: 20, start: StartMode.Python), sink, 1).Run();

        // The OS never wakes a sleeper early: step k is at least k × (8 + 20) ms in.
        var reads = sink.Events.Where(e => e.Kind == EventKind.Read).Select(e => e.AtMs).ToArray();
        Assert.Equal(5, reads.Length);
        for (var k = 0; k < reads.Length; k++) Assert.True(reads[k] >= (k + 1) * 28 - 0.5, $"step {k + 1} read at {reads[k]} ms");
    }

    [Fact]
    public void A_process_held_up_for_longer_than_half_a_delay_sleeps_a_whole_delay_instead_of_catching_up()
    {
        using var t = new TestSegment();
        var sink = new ListSink();
        t.OpenGate(true, 1);
        var start = t.Segment.RunStartTimestamp;
        double stallEnded = 0;
        // The flush before the second sleep blocks for three delays, as a full pipe to a busy server would.
        sink.OnFlush = n =>
        {
            if (n != 2) return;
            Thread.Sleep(120);
            stallEnded = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        };

        new JobRunner(t.Segment, Job(t.Path, 0, 1, LockScope.None, iterations: 3, delayMs: 40), sink, 1).Run();

        // Catching up on the schedule would have read again the moment the stall ended, then once more at once.
        var reads = sink.Events.Where(e => e.Kind == EventKind.Read).Select(e => e.AtMs).ToArray();
        Assert.True(stallEnded > reads[0],
            $"the stall ({stallEnded} ms) did not fall between the first read ({reads[0]} ms) and the second");
        Assert.True(reads[1] >= stallEnded + 40 - 0.5, $"read at {reads[1]} ms, {stallEnded} ms after the stall ended");
        Assert.True(reads[2] >= stallEnded + 80 - 0.5, $"read at {reads[2]} ms, {stallEnded} ms after the stall ended");
    }

    [Fact]
    public void Ordered_start_lets_p2_begin_only_after_p1_holds_the_lock()
    {
        using var t = new TestSegment();
        var sinks = new[] { new ListSink(), new ListSink() };
        var threads = Enumerable.Range(0, 2).Select(i => new Thread(() =>
            new JobRunner(t.Segment, Job(t.Path, i, i == 0 ? 1 : 3, LockScope.WholeLoop, start: StartMode.Lesson,
                delayMs: 1), sinks[i], 100 + i).Run())).ToList();
        // p2 is started first on purpose: the gate, not thread start order, must decide.
        threads[1].Start();
        threads[0].Start();
        t.OpenGate(false, 2);
        threads.ForEach(th => th.Join());

        var all = sinks.SelectMany(s => s.Events).OrderBy(e => e.Seq).ToList();
        Assert.Equal([1L, 2, 3, 4, 5, 8, 11, 14, 17, 20], all.Where(e => e.Kind == EventKind.Print).Select(e => e.Value));
        var p1Acquired = all.First(e => e is { Process: "p1", Kind: EventKind.LockAcquired }).Seq;
        var p2Wait = all.First(e => e is { Process: "p2", Kind: EventKind.LockWait }).Seq;
        Assert.True(p1Acquired < p2Wait);
        Assert.Equal(Enumerable.Range(1, all.Count).Select(i => (long)i), all.Select(e => e.Seq));
    }

    [Theory]
    [InlineData(LockScope.None)]
    [InlineData(LockScope.PerStep)]
    [InlineData(LockScope.WholeLoop)]
    public void A_stress_job_counts_every_increment_and_reports_only_its_exit(LockScope scope)
    {
        using var t = new TestSegment();
        var sink = new ListSink();
        t.OpenGate(true, 1);

        var last = new JobRunner(t.Segment,
            Job(t.Path, 0, 3, scope, iterations: 100_000, stepEvents: false) with { Rounds = 1 }, sink, 1).Run();

        Assert.Equal(300_000, last);
        Assert.Equal(300_000, t.Segment.Counter);
        Assert.Equal([EventKind.Exit], sink.Events.Select(e => e.Kind));
        Assert.Equal(0, t.Segment.Lock.Holder);
    }

    [Fact]
    public void Each_process_notes_when_it_began_and_finished_its_part_so_that_rounds_are_timed_by_their_counting()
    {
        using var t = new TestSegment();
        t.OpenGate(true, 2);
        Assert.Equal(0, t.Segment.CountingSpan(2)); // nothing counted yet

        // p1 counts (3 sleeps of 30 ms, never shorter) and has finished before p2 begins (2 sleeps of 30 ms): one after
        // the other, by construction rather than by timing. The round's counting runs from p1's beginning to p2's end,
        // so it holds p1's part, the time between the two and p2's part (at least 60 ms), and lies within the time
        // measured around both.
        var before = Stopwatch.GetTimestamp();
        new JobRunner(t.Segment, Job(t.Path, 0, 1, LockScope.None, iterations: 3, delayMs: 30, stepEvents: false), new ListSink(), 1).Run();
        var p1 = Milliseconds(t.Segment.CountingSpan(1));
        Assert.Equal(0, t.Segment.CountingSpan(2)); // p2 has noted nothing yet
        new JobRunner(t.Segment, Job(t.Path, 1, 1, LockScope.None, iterations: 2, delayMs: 30, stepEvents: false), new ListSink(), 1).Run();
        var around = Milliseconds(Stopwatch.GetTimestamp() - before);

        Assert.InRange(p1, 90, around);
        Assert.InRange(Milliseconds(t.Segment.CountingSpan(2)), p1 + 60, around);
    }

    private static double Milliseconds(long ticks) => ticks * 1000.0 / Stopwatch.Frequency;

    [SkippableFact]
    public async Task A_stress_job_pins_its_thread_while_it_races_and_gives_back_all_the_processors_it_had()
    {
        // Only a racing stress job (no lock, released together) is pinned to a processor of its own, and only where
        // there is more than one to choose from.
        Skip.If(Environment.ProcessorCount < 2, "This machine has one processor: a stress job pins nothing to it.");
        using var t = new TestSegment();
        t.OpenGate(true, 2);
        string? before = null, after = null;
        var p1Thread = 0;
        var p1 = new Thread(() =>
        {
            p1Thread = ThreadCpu.CurrentThreadId();
            before = ThreadProcessors();
            new JobRunner(t.Segment,
                Job(t.Path, 0, 1, LockScope.None, iterations: 1000, start: StartMode.Simultaneous, stepEvents: false),
                new ListSink(), 1).Run();
            after = ThreadProcessors();
        });
        p1.Start();

        // p1 waits at the start line for p2, pinned: its processor list is one processor until the race is over.
        var pinned = await Waiting.UntilAsync(() => t.Segment.StartLineArrivals == 1 && p1Thread != 0, TimeSpan.FromSeconds(10))
            ? ThreadProcessors(p1Thread) : null;
        var p2 = new Thread(() => new JobRunner(t.Segment,
            Job(t.Path, 1, 1, LockScope.None, iterations: 1000, start: StartMode.Simultaneous, stepEvents: false),
            new ListSink(), 2).Run());
        p2.Start();
        p1.Join();
        p2.Join();

        Assert.NotEqual(before, pinned);
        Assert.Equal(before, after);
    }

    private static string ThreadProcessors(int threadId) =>
        File.ReadLines($"/proc/self/task/{threadId}/status").First(l => l.StartsWith("Cpus_allowed_list:", StringComparison.Ordinal));

    private static string ThreadProcessors() =>
        File.ReadLines("/proc/thread-self/status").First(l => l.StartsWith("Cpus_allowed_list:", StringComparison.Ordinal));

    [Fact]
    public async Task Stress_processes_start_counting_only_once_all_of_them_have_arrived()
    {
        using var t = new TestSegment();
        var p1Thread = 0;
        var threads = Enumerable.Range(0, 2).Select(i => new Thread(() =>
        {
            if (i == 0) Volatile.Write(ref p1Thread, ThreadCpu.CurrentThreadId());
            new JobRunner(t.Segment, Job(t.Path, i, 1, LockScope.None, iterations: 1000, stepEvents: false), new ListSink(), 1).Run();
        })).ToList();
        t.OpenGate(true, 2);

        // p1 is released alone: it must wait at the start line rather than count on its own. Once it is there, it is
        // watched until it has had the processor for 200 ms (it spins at the line, so it keeps asking for it): counting
        // its 1,000 increments would take microseconds of that, and a line that gave up waiting within that time would
        // be seen too. Processor time, not a wall-clock while, in which a busy machine might not run p1 at all and a p1
        // that did not wait would go unseen.
        threads[0].Start();
        bool arrived, watched;
        long countedAlone;
        bool finishedAlone;
        try
        {
            arrived = await Waiting.UntilAsync(() => t.Segment.StartLineArrivals == 1, TimeSpan.FromSeconds(10));
            var p1 = Volatile.Read(ref p1Thread);
            var atLine = ThreadCpu.Used(p1); // null: p1 has already finished
            watched = arrived && await Waiting.UntilAsync(
                () => t.Segment.Counter != 0 || !threads[0].IsAlive || ThreadCpu.Used(p1) - atLine >= TimeSpan.FromMilliseconds(200),
                TimeSpan.FromSeconds(30));
            (countedAlone, finishedAlone) = (t.Segment.Counter, !threads[0].IsAlive);
        }
        finally
        {
            // p2 arrives whatever was seen, before any assertion: a failing check must not leave p1 spinning at the
            // line while the segment under it is unmapped (that crashes the test host instead of failing the test).
            threads[1].Start();
        }
        threads.ForEach(th => Assert.True(th.Join(TimeSpan.FromSeconds(10))));
        Assert.True(arrived, "p1 did not reach the start line");
        Assert.True(watched, "p1 was not given the processor at the start line");
        Assert.True(countedAlone == 0, $"p1 counted to {countedAlone} before p2 arrived");
        Assert.False(finishedAlone, "p1 finished before p2 arrived");
        Assert.InRange(t.Segment.Counter, 1, 2000);
    }

    [Fact]
    public void Two_threads_with_a_per_step_lock_lose_nothing()
    {
        using var t = new TestSegment();
        const int iterations = 50_000;
        var threads = Enumerable.Range(0, 2).Select(i => new Thread(() =>
            new JobRunner(t.Segment, Job(t.Path, i, i == 0 ? 1 : 3, LockScope.PerStep, iterations, stepEvents: false),
                new ListSink(), 1).Run())).ToList();
        threads.ForEach(th => th.Start());
        t.OpenGate(true, 2);
        threads.ForEach(th => th.Join());

        Assert.Equal(iterations * 4L, t.Segment.Counter);
    }
}
