using System.Diagnostics;
using System.Runtime.CompilerServices;
using LockLab.Contracts;
using LockLab.Contracts.Experiments;
using LockLab.SharedMemory;

namespace LockLab.Worker;

/// <summary>
/// One process of a run's program (<see cref="ExperimentProgram"/>), done for real on the shared segment and reported step
/// by step: every shared integer a word of the segment, every lock a <see cref="CrossProcessLock"/>, every semaphore a
/// <see cref="CrossProcessSemaphore"/>, and around every wait the run's wait-for graph kept up to date for the server's
/// deadlock watch. The classic scenarios are programs too (<see cref="BuiltInPrograms.For"/>); a job without a program
/// runs the lesson's <c>job(v, num, l)</c> its other fields describe:
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
public sealed class JobRunner
{
    private readonly SharedSegment segment;
    private readonly WorkerJob job;
    private readonly IEventSink sink;
    private readonly int pid;
    private readonly ProgramLayout _layout;
    private readonly IReadOnlyList<ProgramStep> _steps;

    /// <summary>The stress fast path this process's program fits, when it reports nothing; null: the general path.</summary>
    private readonly BareShape? _bare;

    /// <summary>Per shared integer, the value this process last read and has not yet written back (a read, then a write).</summary>
    private readonly CounterWord?[] _lastRead;

    /// <summary>Gaps slept between a read and its write since the last sleep (see <see cref="Sleep"/>).</summary>
    private long _gapTicks;

    /// <summary>The process's turn passes on once its first step, an acquire, has got what it asked for.</summary>
    private bool _passTurnAfterAcquire;

    private long _runStart;

    public JobRunner(SharedSegment segment, WorkerJob job, IEventSink sink, int pid)
    {
        (this.segment, this.job, this.sink, this.pid) = (segment, job, sink, pid);
        var program = ProgramOf(job);
        _layout = new ProgramLayout(program);
        _steps = program.Processes[job.Index].Steps;
        _lastRead = new CounterWord?[Math.Max(1, program.Shared.Count)];
        _bare = job.StepEvents || job.Stepped ? null : BareShape.Of(_steps, _layout);
    }

    /// <summary>
    /// The job's program: the one the server sent (validated there), or the classic job its fields describe, built as the
    /// server builds a scenario's (a stress job's without the print, which reports nothing anyway).
    /// </summary>
    public static ExperimentProgram ProgramOf(WorkerJob job)
    {
        if (job.Program is { } text)
        {
            var read = ProgramText.Parse(text, ProgramLimits.Default with { MaxTextChars = int.MaxValue, MaxErrors = 1 });
            if (!read.IsValid || job.Index >= read.Program.Processes.Count)
                throw new InvalidDataException($"The job's program cannot be run: {string.Join("; ", read.Errors)}");
            return read.Program;
        }
        var processes = job.Index + 1;
        var parameters = new RunParameters(processes, job.Iterations, [.. Enumerable.Repeat(job.Amount, processes)],
            job.DelayMs, job.GapMs, job.Lock, job.StartMode);
        return BuiltInPrograms.For(job.StepEvents ? Scenarios.NoLock : Scenarios.Stress, parameters);
    }

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
        var processors = racing && _bare!.Lock == LockScope.None ? Native.KeepThreadOnProcessor(job.Index) : null;
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
    /// the lock at that, which pulls the counter's cache line from whoever holds the lock). Chosen from the program's
    /// shape (<see cref="BareShape"/>): the stress scenario's program, or any program of the same three forms.
    /// </summary>
    private bool Bare => _bare is not null;

    /// <param name="passTurn">Let the next process in start order begin once this one has (every round but a stress
    /// run's later ones, which the server releases all at once).</param>
    private void RunOnce(bool passTurn)
    {
        // Each round keeps its own schedule: the time spent waiting for the round to be released is nobody's delay.
        _sleepDue = 0;
        _gapTicks = 0;
        if (_bare is { } bare)
        {
            RunBare(bare, passTurn);
            return;
        }

        // A process has begun once it holds what its first step asks for (the lesson's lock around the loop: the next one
        // may start and will queue behind it), or, when it does not begin by taking a lock, before its first step.
        _passTurnAfterAcquire = passTurn && _steps is [AcquireStep, ..];
        if (passTurn && !_passTurnAfterAcquire) segment.PassTurn();
        Execute(_steps);
    }

    private void Execute(IReadOnlyList<ProgramStep> steps)
    {
        foreach (var step in steps)
        {
            switch (step)
            {
                case SleepStep sleep:
                    Sleep(sleep.Ms);
                    break;
                case AcquireStep acquire:
                    Acquire(_layout.Resource(acquire.Lock));
                    break;
                case ReleaseStep release:
                    Release(_layout.Resource(release.Lock));
                    break;
                case ReadStep read:
                    AwaitStep();
                    ReadAndShow(_layout.Integer(read.Shared));
                    break;
                case WriteStep write:
                    AwaitStep();
                    WriteBack(_layout.Integer(write.Shared), write.Amount, readTicket: 0, default);
                    break;
                case AddStep add:
                    Add(_layout.Integer(add.Shared), add.Amount);
                    break;
                case PrintStep print:
                    AwaitStep();
                    ReportShared(EventKind.Print, _layout.Integer(print.Shared));
                    break;
                case RepeatStep repeat:
                    for (var i = 0; i < repeat.Count; i++) Execute(repeat.Steps);
                    break;
            }
        }
    }

    private void RunBare(BareShape bare, bool passTurn)
    {
        // The same order as the general loop: a whole-loop lock is held before the next process may start.
        if (bare.Lock == LockScope.WholeLoop) segment.Lock.Acquire(job.Index);
        if (passTurn) segment.PassTurn();
        Count(segment, job.Index, bare.Amount, bare.Iterations, lockEachStep: bare.Lock == LockScope.PerStep);
        if (bare.Lock == LockScope.WholeLoop) segment.Lock.Release();
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
    /// A sleep between a read and its write is that gap: the read is shown, and the process pauses from now, holding a
    /// value that may go stale; the next sleep's schedule counts it in. Step mode skips sleeps: the presenter sets the pace.
    /// </summary>
    private void Sleep(int ms)
    {
        if (job.Stepped) return;
        if (HoldsARead)
        {
            Thread.Sleep(ms);
            _gapTicks += Ticks(ms);
            return;
        }
        sink.Flush();
        if (job.StartMode == StartMode.Python)
        {
            // time.sleep(delay) as Python does it: from now, so every late wake-up and every step's own time add up.
            Thread.Sleep(ms);
            return;
        }
        var now = Stopwatch.GetTimestamp();
        var delay = Ticks(ms);
        var stepDue = _sleepDue + _gapTicks;
        var onSchedule = _sleepDue != 0 && !_heldUpByLock && now - stepDue < delay / 2;
        _heldUpByLock = false;
        _gapTicks = 0;
        _sleepDue = (onSchedule ? stepDue : now) + delay;
        // To the deadline itself: never early, and not the up to a millisecond late that whole milliseconds rounded up were.
        Native.SleepUntil(_sleepDue);
    }

    /// <summary>A value read and not yet written back: a sleep now is the gap of a read-modify-write.</summary>
    private bool HoldsARead
    {
        get
        {
            foreach (var read in _lastRead) if (read is not null) return true;
            return false;
        }
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
    /// order the tickets fall in. In step mode the read is shown first and the process pauses, holding a value that may
    /// go stale, until it is allowed the write.
    /// </summary>
    private void Add(int integer, int amount)
    {
        AwaitStep();
        if (!job.StepEvents)
        {
            var value = segment.ReadShared(integer).Value;
            segment.SetShared(integer, value + amount);
            return;
        }
        if (job.Stepped)
        {
            ReadAndShow(integer);
            AwaitStep();
            WriteBack(integer, amount, readTicket: 0, default);
            return;
        }
        var readTicket = segment.NextTicket();
        var readAt = Now();
        _lastRead[integer] = segment.ReadShared(integer);
        WriteBack(integer, amount, readTicket, readAt);
    }

    /// <summary>The first half of <c>v += n</c>, shown at once: the process goes on holding the value it read.</summary>
    private void ReadAndShow(int integer)
    {
        if (!job.StepEvents)
        {
            _lastRead[integer] = segment.ReadShared(integer);
            return;
        }
        var ticket = segment.NextTicket();
        var at = Now();
        var read = segment.ReadShared(integer);
        _lastRead[integer] = read;
        ReportRead(ticket, at, read, integer);
        sink.Flush();
    }

    /// <summary>
    /// The second half: stores the value last read plus <paramref name="amount"/>, whatever the integer holds now.
    /// <paramref name="readTicket"/>, when not 0, is the read's, taken just before the load and reported only now.
    /// </summary>
    private void WriteBack(int integer, int amount, long readTicket, double readAt)
    {
        var read = _lastRead[integer] ?? throw new InvalidOperationException("A write before its read: the program was not validated.");
        _lastRead[integer] = null;
        if (!job.StepEvents)
        {
            segment.SetShared(integer, read.Value + amount);
            return;
        }
        var written = new CounterWord(read.Value + amount, CounterWord.WriteIdFor(job.Index, ++_writes));
        var replaced = segment.ReplaceShared(integer, written);
        var writeTicket = segment.NextTicket();
        var writeAt = Now();
        if (readTicket != 0) ReportRead(readTicket, readAt, read, integer);
        sink.Write(new RunEvent(writeTicket, job.Process, pid, EventKind.Write, written.Value, Math.Round(writeAt, 3),
            WriteId: written.WriteId, ReadFrom: read.WriteId, Replaced: replaced.WriteId, Round: _round,
            Target: _layout.IntegerTarget(integer)));
    }

    private void ReportRead(long ticket, double atMs, CounterWord read, int integer) =>
        sink.Write(new RunEvent(ticket, job.Process, pid, EventKind.Read, read.Value, Math.Round(atMs, 3),
            ReadFrom: read.WriteId, Round: _round, Target: _layout.IntegerTarget(integer)));

    /// <summary>
    /// Takes a lock or a semaphore's permit, blocking in the kernel while none is free, with the wait-for graph written
    /// around the wait: waiting (before it blocks), then holding and no longer waiting (once it has it).
    /// </summary>
    private void Acquire(ProgramLayout.ResourceSlot resource)
    {
        AwaitStep();
        ReportLock(EventKind.LockWait, resource);
        sink.Flush();
        var asked = Stopwatch.GetTimestamp();
        segment.MarkWaiting(job.Index, resource.Index);
        if (resource.IsSemaphore)
        {
            segment.SemaphoreAt(resource.Index).Acquire();
        }
        else
        {
            var l = segment.LockAt(resource.Index);
            l.Acquire(job.Index);
            if (l.DiedHolding is { } dead && !_toldOfDeadHolder)
            {
                // Python's lock would have kept this process waiting forever; say what happened instead (the server reads it).
                _toldOfDeadHolder = true;
                Console.Error.WriteLine($"{job.Process} took over the lock from " +
                    $"{(dead.Holder > 0 ? RunParameters.ProcessName(dead.Holder - 1) : "a process")} " +
                    $"(pid {dead.Pid}), which died holding it.");
            }
        }
        segment.MarkAcquired(job.Index, resource.Index);
        if (Stopwatch.GetElapsedTime(asked) > HeldUp) _heldUpByLock = true;
        ReportLock(EventKind.LockAcquired, resource);
        if (_passTurnAfterAcquire)
        {
            // Holding what it first asked for, this process has "begun": the next one may start and will queue behind it.
            _passTurnAfterAcquire = false;
            segment.PassTurn();
        }
    }

    private void Release(ProgramLayout.ResourceSlot resource)
    {
        AwaitStep();
        // Report before releasing: once released, another process's events may take lower tickets than ours.
        ReportLock(EventKind.LockReleased, resource);
        segment.MarkReleasing(job.Index, resource.Index);
        if (resource.IsSemaphore) segment.SemaphoreAt(resource.Index).Release();
        else segment.LockAt(resource.Index).Release();
    }

    /// <summary>A lock's step: its value is the first shared integer's, as the lesson's lock steps show the counter.</summary>
    private void ReportLock(EventKind kind, ProgramLayout.ResourceSlot resource)
    {
        if (!job.StepEvents) return;
        var seq = segment.NextTicket();
        Report(seq, Now(), kind, segment.Counter, _layout.ResourceTarget(resource));
    }

    /// <summary>
    /// Reports a step whose value is the integer as it is now (<c>print(v.value)</c>): takes its place in the run's order
    /// first, then reads the value. A process that read first and was then held up (a busy machine)
    /// could be ordered after the other's later print, and the console would end on a value older than the counter's
    /// last; read after its ticket, the last print always shows the final value. The price, without a lock and only
    /// when a process is held up between a write and its ticket: a print may be ordered just before the other's write
    /// of the value it shows.
    /// </summary>
    private void ReportShared(EventKind kind, int integer)
    {
        if (!job.StepEvents) return;
        var seq = segment.NextTicket();
        Report(seq, Now(), kind, segment.ReadShared(integer).Value, _layout.IntegerTarget(integer));
    }

    private void Report(EventKind kind, long value)
    {
        if (job.StepEvents || kind == EventKind.Exit) Report(segment.NextTicket(), Now(), kind, value);
    }

    private void Report(long seq, double atMs, EventKind kind, long value, string? target = null)
    {
        if (job.StepEvents || kind == EventKind.Exit)
            sink.Write(new RunEvent(seq, job.Process, pid, kind, value, Math.Round(atMs, 3), Round: _round, Target: target));
    }

    private double Now() => Stopwatch.GetElapsedTime(_runStart).TotalMilliseconds;

    private static long Ticks(int ms) => (long)(ms / 1000.0 * Stopwatch.Frequency);

    private static long Ticks(TimeSpan span) => (long)(span.TotalSeconds * Stopwatch.Frequency);

    /// <summary>
    /// The stress fast path's three forms, each over the counter and at most the first lock, and only when nothing is
    /// reported (a print then does nothing): <c>repeat N { add counter A }</c>; the same with <c>acquire l</c> and
    /// <c>release l</c> around the add (a lock per step); or around the repeat (a lock around the loop).
    /// </summary>
    private sealed record BareShape(LockScope Lock, int Iterations, int Amount)
    {
        public static BareShape? Of(IReadOnlyList<ProgramStep> steps, ProgramLayout layout)
        {
            if (layout.Semaphores > 0 || layout.Locks > 1 || layout.Integers > 1) return null;
            steps = WithoutPrints(steps);
            return steps switch
            {
                [RepeatStep r] => Loop(r, LockScope.None),
                [AcquireStep, RepeatStep r, ReleaseStep] when Loop(r, LockScope.None) is { } loop => loop with { Lock = LockScope.WholeLoop },
                _ => null,
            };
        }

        private static BareShape? Loop(RepeatStep repeat, LockScope scope) => WithoutPrints(repeat.Steps) switch
        {
            [AddStep add] when scope == LockScope.None => new(LockScope.None, repeat.Count, add.Amount),
            [AcquireStep, AddStep add, ReleaseStep] when scope == LockScope.None => new(LockScope.PerStep, repeat.Count, add.Amount),
            _ => null,
        };

        private static IReadOnlyList<ProgramStep> WithoutPrints(IReadOnlyList<ProgramStep> steps) =>
            steps.Any(s => s is PrintStep) ? [.. steps.Where(s => s is not PrintStep)] : steps;
    }
}

/// <summary>
/// Where a program's names live in the shared segment: shared integers in declaration order (the first is the counter),
/// then locks and semaphores together, locks first, each in declaration order (the first lock is the lesson's lock).
/// Events name their integer or lock (<see cref="RunEvent.Target"/>) only when the program has more than one of its kind.
/// </summary>
public sealed class ProgramLayout
{
    private readonly Dictionary<string, int> _integers;
    private readonly Dictionary<string, ResourceSlot> _resources;
    private readonly string[] _integerNames;
    private readonly string[] _resourceNames;

    /// <summary>A lock or semaphore: its place in the segment and its kind.</summary>
    public readonly record struct ResourceSlot(int Index, bool IsSemaphore);

    public ProgramLayout(ExperimentProgram program)
    {
        if (program.Shared.Count > SharedSegment.MaxSharedIntegers || program.Locks.Count + program.Semaphores.Count > SharedSegment.MaxResources)
            throw new InvalidDataException("The program declares more than the shared segment holds.");
        _integerNames = [.. program.Shared.Select(s => s.Name)];
        _integers = _integerNames.Select((name, i) => (name, i)).ToDictionary(x => x.name, x => x.i, StringComparer.Ordinal);
        _resourceNames = [.. program.Locks, .. program.Semaphores.Select(s => s.Name)];
        _resources = _resourceNames.Select((name, i) => (name, i))
            .ToDictionary(x => x.name, x => new ResourceSlot(x.i, x.i >= program.Locks.Count), StringComparer.Ordinal);
        Integers = _integerNames.Length;
        Locks = program.Locks.Count;
        Semaphores = program.Semaphores.Count;
    }

    public int Integers { get; }
    public int Locks { get; }
    public int Semaphores { get; }

    public int Integer(string name) => _integers[name];

    public ResourceSlot Resource(string name) => _resources[name];

    public string? IntegerTarget(int integer) => Integers > 1 ? _integerNames[integer] : null;

    public string? ResourceTarget(ResourceSlot resource) => Locks + Semaphores > 1 ? _resourceNames[resource.Index] : null;
}
