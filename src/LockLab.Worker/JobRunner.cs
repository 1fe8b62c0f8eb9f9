using System.Diagnostics;
using System.Runtime.CompilerServices;
using LockLab.Contracts;
using LockLab.SharedMemory;

namespace LockLab.Worker;

/// <summary>
/// The lesson's <c>job(v, num, l)</c>, done for real on the shared segment and reported step by step:
/// <code>
/// l.acquire()                 # LockScope.WholeLoop
/// for _ in range(iterations):
///     time.sleep(delay)
///     with l:                 # LockScope.PerStep
///         v.value += num      # read, (gap), write: the race lives between these two
///         print(v.value)      # reads v again, as Python does
/// l.release()
/// </code>
/// </summary>
public sealed class JobRunner(SharedSegment segment, WorkerJob job, IEventSink sink, int pid)
{
    private long _runStart;

    /// <summary>
    /// In the lesson's schedule each process begins this long after the one before it has begun, as in Python, where
    /// <c>p2.start()</c> runs only after <c>p1.start()</c> has created p1 (milliseconds: process creation). Without it the two
    /// would wake from every sleep in the same microsecond, and the lesson's first experiment would lose updates
    /// that Python's does not. Simultaneous mode has no spacing: that is the true race.
    /// </summary>
    public static readonly TimeSpan OrderedStartSpacing = TimeSpan.FromMilliseconds(5);

    /// <summary>Waiting longer than this for a per-step lock counts as being held up by it (see <see cref="Sleep"/>).</summary>
    private static readonly TimeSpan HeldUp = TimeSpan.FromMilliseconds(2);

    /// <summary>When the last sleep was due to end (a <see cref="Stopwatch"/> timestamp); 0 before the first.</summary>
    private long _sleepDue;

    /// <summary>Since its last sleep, the process waited for the lock longer than <see cref="HeldUp"/>.</summary>
    private bool _heldUpByLock;

    private int _stepsTaken;

    private bool _toldOfDeadHolder;

    /// <summary>Writes this process has made to the shared value: numbers its writes' ids.</summary>
    private int _writes;

    /// <summary>
    /// In Python mode each process begins this long after the one before it has begun: the lesson's script starts p2
    /// once <c>p1.start()</c> has returned, and creating p1 takes milliseconds, so p2's steps come that much after p1's.
    /// The lab's workers are started ahead of time and would otherwise begin microseconds apart. The benchmark measures
    /// the lesson's Python script on the same machine (how far apart its two processes' first prints are) beside this
    /// (docs/benchmarks.md, "Run 100 times"): on the development machine Python's were 1.5–3 ms apart.
    /// </summary>
    public static readonly TimeSpan PythonStartSpacing = TimeSpan.FromMilliseconds(2);

    /// <summary>The round being played, from 1, in a run of several rounds; null in a run of one.</summary>
    private int? _round;

    /// <summary>Runs the job to the end and returns the counter value as this process last saw it.</summary>
    public int Run()
    {
        segment.WaitForTurn(job.Index);
        _runStart = segment.RunStartTimestamp;

        // Stress processes released together race (or contend) from the start line on. Without the lock, each also
        // counts on a processor of its own (p1 on the first, p2 on the second, …), so that they really run at once, as
        // on a machine with nothing else to do: left to the scheduler, a busy machine often puts both on one core, where
        // one counts to the end before the other starts and nothing is lost, which is not the lesson. A locked round is
        // right whatever the placement, so it is left to the scheduler, as Python's processes are: pinned on a machine
        // whose other work shares those processors, a process preempted while it holds the lock would stall the other.
        var racing = Bare && job.StartMode == StartMode.Simultaneous;
        var processors = racing && job.Lock == LockScope.None ? Native.KeepThreadOnProcessor(job.Index) : null;
        try
        {
            for (var round = 0; round < job.Rounds; round++)
            {
                if (round > 0)
                {
                    segment.WaitForRound(round);
                    // A repeated lesson experiment starts each round as the first: one process after the other.
                    if (!Bare) segment.WaitForTurn(job.Index);
                }
                if (job.Rounds > 1 && job.StepEvents) _round = round + 1;
                if (round == 0 || !Bare) KeepStartSpacing();
                if (racing) segment.ArriveAtStartLine(round);
                segment.MarkCounting(job.Index, finished: false);
                RunOnce(passTurn: round == 0 || !Bare);
                segment.MarkCounting(job.Index, finished: true);
                if (job.Rounds > 1)
                {
                    sink.Flush(); // the round's last events reach the page as the round ends, not with the next one's
                    segment.RoundDone();
                }
            }
        }
        finally
        {
            if (processors is not null) Native.RestoreThreadProcessors(processors);
        }

        _round = null;
        var last = segment.Counter;
        Report(EventKind.Exit, last);
        sink.Flush();
        return last;
    }

    /// <summary>
    /// The gap a process keeps after the one before it has begun, in the start modes that start them in turn. In the
    /// lesson's schedule it counts from the moment the one before passed its turn on, to that moment plus the spacing:
    /// counted from when this process was woken for its turn, the wake-up's own delay (up to milliseconds on a busy
    /// machine) and the sleep's rounding would be added to the spacing, and every step of this process would come that much
    /// later. Python mode sleeps the spacing from now, as Python's <c>p2.start()</c> comes after whatever <c>p1.start()</c> took.
    /// </summary>
    private void KeepStartSpacing()
    {
        if (job.Index == 0 || job.Stepped) return;
        if (job.StartMode == StartMode.Lesson) Native.SleepUntil(segment.TurnPassedAt + Ticks(OrderedStartSpacing));
        else if (job.StartMode == StartMode.Python) Thread.Sleep(PythonStartSpacing);
    }

    /// <summary>
    /// A stress job: no events, no sleeps, no gap, no presenter to wait for. Its loop is then nothing but the lock and
    /// <c>v += num</c>, so that increments per second measure the lock and the shared memory, not bookkeeping whose
    /// results nobody reads (the general loop still reads the counter for reports it does not write, and before taking
    /// the lock at that, which pulls the counter's cache line from whoever holds the lock).
    /// </summary>
    private bool Bare => !job.StepEvents && !job.Stepped && job.DelayMs == 0 && job.GapMs == 0;

    /// <param name="passTurn">Let the next process in start order begin once this one has (every round but a stress
    /// run's later ones, which the server releases all at once).</param>
    private void RunOnce(bool passTurn)
    {
        // Each round keeps its own schedule: the time spent waiting for the round to be released is nobody's delay.
        _sleepDue = 0;
        if (Bare)
        {
            RunBare(passTurn);
            return;
        }

        if (job.Lock == LockScope.WholeLoop)
        {
            AcquireLock();
            // Holding the lock, this process has "begun": the next one may start and will queue behind it.
            if (passTurn) segment.PassTurn();
        }
        else if (passTurn)
        {
            segment.PassTurn();
        }

        for (var i = 0; i < job.Iterations; i++)
        {
            if (job.DelayMs > 0 && !job.Stepped)
            {
                sink.Flush();
                Sleep();
            }

            if (job.Lock == LockScope.PerStep) AcquireLock();
            Increment();
            AwaitStep();
            ReportCounter(EventKind.Print);
            if (job.Lock == LockScope.PerStep) ReleaseLock();
        }

        if (job.Lock == LockScope.WholeLoop) ReleaseLock();
    }

    private void RunBare(bool passTurn)
    {
        // The same order as the general loop: a whole-loop lock is held before the next process may start.
        if (job.Lock == LockScope.WholeLoop) segment.Lock.Acquire(job.Index);
        if (passTurn) segment.PassTurn();
        Count(segment, job.Index, job.Amount, job.Iterations, lockEachStep: job.Lock == LockScope.PerStep);
        if (job.Lock == LockScope.WholeLoop) segment.Lock.Release();
    }

    /// <summary>
    /// <c>v += num</c>, <paramref name="iterations"/> times, as a read and a write of the shared counter (so that without
    /// the lock updates are lost, as in Python), inside the lock when <paramref name="lockEachStep"/>.
    /// Fully optimized from its first call: a stress round calls it once, so tiered compilation would start every round
    /// in unoptimized code and compile the loop again, on the run's clock, to switch mid-loop. <see cref="WarmUp"/>
    /// calls it once, so that the one compilation happens while the worker waits for a job.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Count(SharedSegment segment, int index, int amount, int iterations, bool lockEachStep)
    {
        var l = segment.Lock;
        if (lockEachStep)
        {
            for (var i = 0; i < iterations; i++)
            {
                l.Acquire(index);
                segment.Counter += amount;
                l.Release();
            }
        }
        else
        {
            for (var i = 0; i < iterations; i++) segment.Counter += amount;
        }
    }

    /// <summary>
    /// <c>time.sleep(delay)</c>, without the drift (the lesson's schedule and simultaneous starts; Python mode sleeps as
    /// Python does): each step is due <c>delay</c> after the previous one was due to end
    /// (its sleep, then the gap it takes on purpose between read and write), so a wake-up late (the OS never wakes a
    /// sleeper early; a busy machine wakes it milliseconds late) is not added to every later step, five steps take five
    /// delays, and the processes keep the spacing they started with. Were every late wake-up to move a process's
    /// schedule, a busy machine would slide the lesson's p1 and p2 (<see cref="OrderedStartSpacing"/> apart) onto the
    /// same instant, and its first experiment would lose updates that Python's does not. A process held up for longer
    /// than half a delay (a stalled machine), or by waiting for a per-step lock, sleeps the whole delay from now, as
    /// Python's does: catching up would run its next steps back to back.
    /// </summary>
    private void Sleep()
    {
        if (job.StartMode == StartMode.Python)
        {
            // time.sleep(delay) as Python does it: from now, so every late wake-up and every step's own time add up.
            Thread.Sleep(job.DelayMs);
            return;
        }
        var now = Stopwatch.GetTimestamp();
        var delay = Ticks(job.DelayMs);
        var stepDue = _sleepDue + Ticks(job.GapMs);
        var onSchedule = _sleepDue != 0 && !_heldUpByLock && now - stepDue < delay / 2;
        _heldUpByLock = false;
        _sleepDue = (onSchedule ? stepDue : now) + delay;
        // To the deadline itself: never early, and not the up to a millisecond late that whole milliseconds rounded up were.
        Native.SleepUntil(_sleepDue);
    }

    /// <summary>Step mode: the process stands still until it is allowed its next step. Live runs go straight on.</summary>
    private void AwaitStep()
    {
        if (!job.Stepped) return;
        sink.Flush();
        segment.WaitForStep(job.Index, ++_stepsTaken);
    }

    /// <summary>
    /// <c>v.value += num</c> as the two memory operations it really is: one load of the shared word, one store. Between
    /// them runs nothing but the addition: the read's ticket and clock are taken before the load and the write's after
    /// the store, so reporting does not widen the race window. The read learns which write produced the value it saw
    /// and the write learns which write it replaced (<see cref="CounterWord"/>), so a lost update is observed, whatever
    /// order the tickets fall in. With a gap (or in step mode) the read is shown first and the process pauses, holding
    /// a value that may go stale.
    /// </summary>
    private void Increment()
    {
        AwaitStep();
        if (!job.StepEvents)
        {
            segment.Counter = segment.Counter + job.Amount;
            return;
        }
        var readTicket = segment.NextTicket();
        var readAt = Now();
        var read = segment.ReadCounter();
        if (job.GapMs > 0 || job.Stepped)
        {
            ReportRead(readTicket, readAt, read);
            sink.Flush();
            if (job.Stepped) AwaitStep();
            else Thread.Sleep(job.GapMs);
            readTicket = 0;
        }
        var written = new CounterWord(read.Value + job.Amount, CounterWord.WriteIdFor(job.Index, ++_writes));
        var replaced = segment.ReplaceCounter(written);
        var writeTicket = segment.NextTicket();
        var writeAt = Now();
        if (readTicket != 0) ReportRead(readTicket, readAt, read);
        sink.Write(new RunEvent(writeTicket, job.Process, pid, EventKind.Write, written.Value, Math.Round(writeAt, 3),
            WriteId: written.WriteId, ReadFrom: read.WriteId, Replaced: replaced.WriteId, Round: _round));
    }

    private void ReportRead(long ticket, double atMs, CounterWord read) =>
        sink.Write(new RunEvent(ticket, job.Process, pid, EventKind.Read, read.Value, Math.Round(atMs, 3),
            ReadFrom: read.WriteId, Round: _round));

    private void AcquireLock()
    {
        AwaitStep();
        ReportCounter(EventKind.LockWait);
        sink.Flush();
        var asked = Stopwatch.GetTimestamp();
        segment.Lock.Acquire(job.Index);
        if (Stopwatch.GetElapsedTime(asked) > HeldUp) _heldUpByLock = true;
        if (segment.Lock.DiedHolding is { } dead && !_toldOfDeadHolder)
        {
            // Python's lock would have kept this process waiting forever; say what happened instead (the server reads it).
            _toldOfDeadHolder = true;
            Console.Error.WriteLine($"{job.Process} took over the lock from " +
                $"{(dead.Holder > 0 ? RunParameters.ProcessName(dead.Holder - 1) : "a process")} " +
                $"(pid {dead.Pid}), which died holding it.");
        }
        ReportCounter(EventKind.LockAcquired);
    }

    private void ReleaseLock()
    {
        AwaitStep();
        // Report before releasing: once released, another process's events may take lower tickets than ours.
        ReportCounter(EventKind.LockReleased);
        segment.Lock.Release();
    }

    /// <summary>
    /// Reports a step whose value is the counter as it is now (<c>print(v.value)</c>, the lock's steps): takes its place
    /// in the run's order first, then reads the value. A process that read first and was then held up (a busy machine)
    /// could be ordered after the other's later print, and the console would end on a value older than the counter's
    /// last; read after its ticket, the last print always shows the final value. The price, without a lock and only
    /// when a process is held up between a write and its ticket: a print may be ordered just before the other's write
    /// of the value it shows.
    /// </summary>
    private void ReportCounter(EventKind kind)
    {
        if (!job.StepEvents) return;
        var seq = segment.NextTicket();
        Report(seq, Now(), kind, segment.Counter);
    }

    private void Report(EventKind kind, long value)
    {
        if (job.StepEvents || kind == EventKind.Exit) Report(segment.NextTicket(), Now(), kind, value);
    }

    private void Report(long seq, double atMs, EventKind kind, long value)
    {
        if (job.StepEvents || kind == EventKind.Exit)
            sink.Write(new RunEvent(seq, job.Process, pid, kind, value, Math.Round(atMs, 3), Round: _round));
    }

    private double Now() => Stopwatch.GetElapsedTime(_runStart).TotalMilliseconds;

    private static long Ticks(int ms) => (long)(ms / 1000.0 * Stopwatch.Frequency);

    private static long Ticks(TimeSpan span) => (long)(span.TotalSeconds * Stopwatch.Frequency);
}
