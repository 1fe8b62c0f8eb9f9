using System.Diagnostics;
using System.IO.MemoryMappedFiles;

namespace LockLab.SharedMemory;

/// <summary>
/// The memory every process of a run shares: the counter (Python's <c>mp.Value('i', 0)</c>, with the id of the write
/// that produced it: <see cref="CounterWord"/>), the event ticket,
/// the lock word and the start gate. A memory-mapped file under <c>/dev/shm</c> (Linux has no named maps in
/// .NET), accessed through a raw pointer so that reads, writes and atomics hit the shared page directly.
/// The server creates it; each worker opens it.
/// </summary>
public sealed unsafe class SharedSegment : IDisposable
{
    public const int Size = 4096;
    private const int Magic = 0x4B4C4B4C; // "LKLK"

    // Offsets: the ticket, the lock and the gates each on their own cache line, so that one does not slow another.
    // The counter shares the lock's line, as the data a lock protects should: the process that takes the lock then
    // owns the counter too, and a hand-over moves one cache line between cores instead of two.
    private const int MagicOffset = 0;
    private const int RunStartOffset = 8;
    private const int TicketOffset = 64;
    private const int LockWordOffset = 128;
    private const int LockHolderOffset = 132;
    private const int CounterOffset = 136;
    private const int StartTurnOffset = 256;
    private const int ReadyCountOffset = 260;
    private const int ProcessesOffset = 264;
    private const int GateArmedForOffset = 268;
    private const int TurnPassedAtOffset = 272;
    private const int GateSimultaneousOffset = 280;
    private const int RoundOffset = 320;
    private const int RoundsDoneOffset = 324;
    private const int StartLineOffset = 328;
    private const int PermitsOffset = 384; // one int per process: steps the presenter has allowed it (step mode)
    private const int CountingTimesOffset = 448; // two longs per process: when it began and finished its part of the round
    public const int MaxProcesses = 16;

    // The program area (experiments as programs): shared integers beyond the counter, locks and semaphores beyond the
    // lesson's lock, and the wait-for graph the server watches for deadlocks. Integer 0 is the counter and a program's
    // first lock is the lesson's lock, so the classic experiments use the segment exactly as before.
    private const int ProgramIntegersOffset = 1024; // one CounterWord per integer; slot 0 unused (integer 0 is the counter)
    private const int ResourcesOffset = 1088;       // one cache line per lock or semaphore: its word, then a lock's holder
    private const int ResourceStride = 64;
    private const int WaitingForOffset = 1600;      // one int per process: the resource it waits for, plus 1; 0 for none
    private const int WaitingSinceOffset = 1664;    // one long per process: when it began to wait (Stopwatch timestamp)
    private const int HoldsOffset = 1792;           // one int per resource and process: how many of it the process holds

    /// <summary>Shared integers a run's program may have (each a <see cref="CounterWord"/>).</summary>
    public const int MaxSharedIntegers = 8;

    /// <summary>Locks and semaphores together a run's program may have.</summary>
    public const int MaxResources = 8;

    /// <summary>How long a process waits at the start line without giving up its core (see <see cref="ArriveAtStartLine"/>).</summary>
    private const int StartLineSpinMicroseconds = 2000;

    private readonly MemoryMappedFile _file;
    private readonly MemoryMappedViewAccessor _view;
    private readonly byte* _base;

    private SharedSegment(MemoryMappedFile file)
    {
        _file = file;
        _view = file.CreateViewAccessor(0, Size, MemoryMappedFileAccess.ReadWrite);
        byte* p = null;
        _view.SafeMemoryMappedViewHandle.AcquirePointer(ref p);
        _base = p + _view.PointerOffset;
        Lock = new CrossProcessLock((int*)(_base + LockWordOffset), (int*)(_base + LockHolderOffset));
        _locks = new CrossProcessLock[MaxResources];
        _semaphores = new CrossProcessSemaphore[MaxResources];
        _locks[0] = Lock;
        for (var r = 0; r < MaxResources; r++)
        {
            var slot = _base + ResourcesOffset + r * ResourceStride;
            if (r > 0) _locks[r] = new CrossProcessLock((int*)slot, (int*)(slot + 4));
            _semaphores[r] = new CrossProcessSemaphore((int*)slot);
        }
    }

    private readonly CrossProcessLock[] _locks;
    private readonly CrossProcessSemaphore[] _semaphores;

    /// <summary>Where run segments live: RAM-backed <c>/dev/shm</c> when the OS has it, else the temp folder.</summary>
    public static string DefaultDirectory { get; } = Directory.Exists("/dev/shm") ? "/dev/shm" : Path.GetTempPath();

    /// <summary>
    /// Creates a zeroed segment with the start gate closed, readable and writable by its owner only (the workers run as
    /// the same user): no other user on the machine can read the run or write its counter. Only the server calls this.
    /// </summary>
    public static SharedSegment Create(string path)
    {
        var create = new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.ReadWrite,
            Share = FileShare.ReadWrite | FileShare.Delete,
        };
        if (!OperatingSystem.IsWindows()) create.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using (var stream = new FileStream(path, create))
        {
            stream.SetLength(Size);
        }
        var segment = Open(path, validate: false);
        *(int*)(segment._base + StartTurnOffset) = -1;
        Volatile.Write(ref *(int*)(segment._base + MagicOffset), Magic);
        return segment;
    }

    public static SharedSegment Open(string path) => Open(path, validate: true);

    private static SharedSegment Open(string path, bool validate)
    {
        // FileShare.Delete lets the server unlink the file at run end while a slow worker still has it open.
        using var stream = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
        var file = MemoryMappedFile.CreateFromFile(
            stream, mapName: null, Size, MemoryMappedFileAccess.ReadWrite, HandleInheritability.None, leaveOpen: false);
        var segment = new SharedSegment(file);
        if (validate && Volatile.Read(ref *(int*)(segment._base + MagicOffset)) != Magic)
        {
            segment.Dispose();
            throw new InvalidDataException($"'{path}' is not a LockLab run segment.");
        }
        return segment;
    }

    public CrossProcessLock Lock { get; }

    private long* CounterPointer => (long*)(_base + CounterOffset);

    /// <summary>
    /// The shared value <c>v</c>: plain (non-atomic) loads and stores, as <c>v.value</c> and <c>v.value = …</c> are.
    /// Setting it marks the value as written by nobody in particular (write id 0): for runs that report no steps and
    /// for the reset between stress rounds.
    /// </summary>
    public int Counter
    {
        get => (int)Volatile.Read(ref *CounterPointer);
        set => Volatile.Write(ref *CounterPointer, new CounterWord(value, 0).Pack());
    }

    /// <summary>The value and the id of the write that produced it, in one plain load.</summary>
    public CounterWord ReadCounter() => CounterWord.Unpack(Volatile.Read(ref *CounterPointer));

    /// <summary>
    /// Writes the value and its write's id in one store that also returns what it replaced. The store is an exchange
    /// only so that each write observes which write it overwrote (the order of writes in memory, not of their
    /// reports); what it writes does not depend on what it replaces, so a stale read still erases an update.
    /// </summary>
    public CounterWord ReplaceCounter(CounterWord word) => CounterWord.Unpack(Interlocked.Exchange(ref *CounterPointer, word.Pack()));

    /// <summary>Takes the next event ticket: the run-wide order of everything any process did.</summary>
    public long NextTicket() => Interlocked.Increment(ref *(long*)(_base + TicketOffset));

    /// <summary>
    /// The monotonic timestamp all <c>atMs</c> values count from; written by whoever opens the gate (0 while it
    /// is closed).
    /// </summary>
    public long RunStartTimestamp => Volatile.Read(ref *(long*)(_base + RunStartOffset));

    private int* StartTurn => (int*)(_base + StartTurnOffset);
    private int* ReadyCount => (int*)(_base + ReadyCountOffset);

    private int* GateArmedFor => (int*)(_base + GateArmedForOffset);

    /// <summary>
    /// The server arms the gate, before it hands out the jobs: the last of <paramref name="processes"/> workers to stand
    /// at it opens it (<see cref="SignalReady"/>). Opened by the server, the gate cost a run two wake-ups in a row (the
    /// server's, to see the last worker ready, then the first worker's, to see the gate open), up to a millisecond or
    /// more each on a busy machine; opened by the last worker, that worker goes straight on, and only those already
    /// waiting are woken.
    /// </summary>
    public void ArmGate(bool simultaneous, int processes)
    {
        Volatile.Write(ref *(int*)(_base + GateSimultaneousOffset), simultaneous ? 1 : 0);
        Volatile.Write(ref *GateArmedFor, processes);
    }

    /// <summary>
    /// A worker says it has mapped the segment and is waiting at the gate. The last one of an armed gate
    /// (<see cref="ArmGate"/>) opens it, from now.
    /// </summary>
    public void SignalReady()
    {
        var ready = Interlocked.Increment(ref *ReadyCount);
        var armedFor = Volatile.Read(ref *GateArmedFor);
        if (armedFor > 0 && ready == armedFor)
        {
            OpenGate(Volatile.Read(ref *(int*)(_base + GateSimultaneousOffset)) == 1, armedFor, Stopwatch.GetTimestamp());
        }
        Kernel.Wake(ReadyCount, int.MaxValue);
    }

    /// <summary>The server waits until the last worker has opened the armed gate (<see cref="ArmGate"/>); false on time-out.</summary>
    public bool WaitUntilGateOpened(TimeSpan timeout)
    {
        var deadline = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        while (true)
        {
            // The opener wakes the ready count's waiters after it has opened the gate.
            var ready = Volatile.Read(ref *ReadyCount);
            if (RunStartTimestamp != 0) return true;
            var left = deadline - Environment.TickCount64;
            if (left <= 0) return false;
            Kernel.Wait(ReadyCount, ready, TimeSpan.FromMilliseconds(Math.Min(left, 50)));
        }
    }

    /// <summary>
    /// Opens the gate. Ordered: only p1 may start, and each process lets the next one in once it has begun.
    /// Simultaneous: every process may start at once.
    /// </summary>
    private void OpenGate(bool simultaneous, int processes, long runStartTimestamp)
    {
        Volatile.Write(ref *(long*)(_base + RunStartOffset), runStartTimestamp);
        Volatile.Write(ref *(int*)(_base + ProcessesOffset), processes);
        Volatile.Write(ref *StartTurn, simultaneous ? processes : 0);
        Kernel.Wake(StartTurn, int.MaxValue);
    }

    /// <summary>A worker blocks here until it is its turn to start.</summary>
    public void WaitForTurn(int index)
    {
        while (true)
        {
            var turn = Volatile.Read(ref *StartTurn);
            if (turn >= index) return;
            Kernel.Wait(StartTurn, turn, TimeSpan.FromMilliseconds(100));
        }
    }

    /// <summary>When the last process to begin passed its turn on (a <see cref="Stopwatch"/> timestamp): the next one
    /// keeps its start spacing from this moment, not from when it happened to be woken.</summary>
    public long TurnPassedAt => Volatile.Read(ref *(long*)(_base + TurnPassedAtOffset));

    /// <summary>A worker has begun its job: the next one in start order may go.</summary>
    public void PassTurn()
    {
        Volatile.Write(ref *(long*)(_base + TurnPassedAtOffset), Stopwatch.GetTimestamp());
        Interlocked.Increment(ref *StartTurn);
        Kernel.Wake(StartTurn, int.MaxValue);
    }

    // Rounds (stress runs): the server releases round r by setting Round = r; each worker counts itself done.
    private int* Round => (int*)(_base + RoundOffset);
    private int* RoundsDone => (int*)(_base + RoundsDoneOffset);

    /// <summary>A worker blocks here until the server releases round <paramref name="round"/>.</summary>
    public void WaitForRound(int round)
    {
        while (true)
        {
            var current = Volatile.Read(ref *Round);
            if (current >= round) return;
            Kernel.Wait(Round, current, TimeSpan.FromMilliseconds(100));
        }
    }

    /// <summary>
    /// A stress worker waits here, each round, until every process of the run has arrived, so that all of them start
    /// counting in the same microsecond. Being woken (from the gate or a round's start) takes each process a different
    /// tens of microseconds, up to milliseconds on a busy machine, while a round without the lock takes about as long:
    /// without this line the processes would take turns instead of racing, no update would be lost, and a locked round
    /// would measure an uncontended lock. It spins rather than sleeps (a sleeper would be woken late again), and without
    /// yielding for the first two milliseconds: on a busy machine a process that yields its core may not have it back
    /// when the last one arrives, and would then start after the other has finished. After that it yields, in case there
    /// are more processes than cores and the last one to arrive needs this one's. No barrier can make processes run at
    /// once on a machine whose other work leaves them one core: there, short rounds without the lock may lose nothing,
    /// because one process counts to the end before the other runs.
    /// </summary>
    public void ArriveAtStartLine(int round)
    {
        var processes = Volatile.Read(ref *(int*)(_base + ProcessesOffset));
        var line = (int*)(_base + StartLineOffset);
        var everyone = processes * (round + 1);
        Interlocked.Increment(ref *line);
        var yieldAfter = Stopwatch.GetTimestamp() + Stopwatch.Frequency * StartLineSpinMicroseconds / 1_000_000;
        while (Volatile.Read(ref *line) < everyone)
        {
            if (Stopwatch.GetTimestamp() < yieldAfter) Thread.SpinWait(4);
            else Thread.Yield();
        }
    }

    /// <summary>Arrivals at the start line so far, over every round (informational: shows who is waiting there).</summary>
    public int StartLineArrivals => Volatile.Read(ref *(int*)(_base + StartLineOffset));

    /// <summary>A worker notes when it begins (or finishes) its part of the current round: monotonic timestamps, which
    /// compare across processes.</summary>
    public void MarkCounting(int index, bool finished) =>
        Volatile.Write(ref *(CountingTimes(index) + (finished ? 1 : 0)), Stopwatch.GetTimestamp());

    /// <summary>
    /// From the first process beginning its part of the round to the last one finishing it, in timestamp ticks; 0 if
    /// some process noted nothing. Read by the server once every process has counted the round done.
    /// </summary>
    public long CountingSpan(int processes)
    {
        long first = long.MaxValue, last = 0;
        for (var i = 0; i < processes; i++)
        {
            var began = Volatile.Read(ref *CountingTimes(i));
            var finished = Volatile.Read(ref *(CountingTimes(i) + 1));
            if (began == 0 || finished < began) return 0;
            first = Math.Min(first, began);
            last = Math.Max(last, finished);
        }
        return processes > 0 ? last - first : 0;
    }

    private long* CountingTimes(int index) =>
        index is >= 0 and < MaxProcesses
            ? (long*)(_base + CountingTimesOffset) + 2 * index
            : throw new ArgumentOutOfRangeException(nameof(index));

    /// <summary>A worker has finished its part of the current round.</summary>
    public void RoundDone()
    {
        Interlocked.Increment(ref *RoundsDone);
        Kernel.Wake(RoundsDone, int.MaxValue);
    }

    /// <summary>The server waits until <paramref name="count"/> round completions have been counted in total.</summary>
    public bool WaitForRoundsDone(int count, TimeSpan timeout, CancellationToken ct)
    {
        var deadline = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        while (true)
        {
            var done = Volatile.Read(ref *RoundsDone);
            if (done >= count) return true;
            ct.ThrowIfCancellationRequested();
            var left = deadline - Environment.TickCount64;
            if (left <= 0) return false;
            Kernel.Wait(RoundsDone, done, TimeSpan.FromMilliseconds(Math.Min(left, 50)));
        }
    }

    /// <summary>
    /// The server resets the counter and releases the next round. The start turn goes back to the gate's (p1 first,
    /// or everyone at once when <paramref name="simultaneous"/>): a repeated lesson experiment starts each round as it
    /// started the first. Every process has passed its turn in the round before, so none still needs the old one.
    /// </summary>
    public void StartRound(int round, bool simultaneous)
    {
        Counter = 0;
        Volatile.Write(ref *StartTurn, simultaneous ? Volatile.Read(ref *(int*)(_base + ProcessesOffset)) : 0);
        Volatile.Write(ref *Round, round);
        Kernel.Wake(Round, int.MaxValue);
    }

    private long* SharedPointer(int integer) =>
        integer == 0 ? CounterPointer
        : integer is > 0 and < MaxSharedIntegers ? (long*)(_base + ProgramIntegersOffset) + integer
        : throw new ArgumentOutOfRangeException(nameof(integer));

    /// <summary>Shared integer <paramref name="integer"/> of a program (0: the counter), with the id of the write that
    /// produced it, in one plain load.</summary>
    public CounterWord ReadShared(int integer) => CounterWord.Unpack(Volatile.Read(ref *SharedPointer(integer)));

    /// <summary>As <see cref="ReplaceCounter"/>, for shared integer <paramref name="integer"/>.</summary>
    public CounterWord ReplaceShared(int integer, CounterWord word) =>
        CounterWord.Unpack(Interlocked.Exchange(ref *SharedPointer(integer), word.Pack()));

    /// <summary>Sets a shared integer's value as written by nobody (its initial value: the server, before the gate opens).</summary>
    public void SetShared(int integer, int value) => Volatile.Write(ref *SharedPointer(integer), new CounterWord(value, 0).Pack());

    /// <summary>The program's lock number <paramref name="resource"/> (its place among the locks and semaphores; the first is
    /// <see cref="Lock"/>).</summary>
    public CrossProcessLock LockAt(int resource) => _locks[CheckResource(resource)];

    /// <summary>The program's semaphore number <paramref name="resource"/> (its place among the locks and semaphores).</summary>
    public CrossProcessSemaphore SemaphoreAt(int resource) => _semaphores[CheckResource(resource)];

    /// <summary>Gives a semaphore its permits: the server, before the gate opens.</summary>
    public void InitializeSemaphore(int resource, int permits) => SemaphoreAt(resource).Initialize(permits);

    private static int CheckResource(int resource) =>
        resource is >= 0 and < MaxResources ? resource : throw new ArgumentOutOfRangeException(nameof(resource));

    // The wait-for graph. A process writes it around every real blocking call: it marks what it waits for, blocks in the
    // kernel, then marks what it holds and clears its wait; it unmarks a hold before it releases. So a hold seen here is
    // always real, and the server, which only reads, sees a cycle only where processes really wait for one another.
    private int* WaitingForPointer(int process) => (int*)(_base + WaitingForOffset) + CheckProcess(process);
    private long* WaitingSincePointer(int process) => (long*)(_base + WaitingSinceOffset) + CheckProcess(process);
    private int* HoldsPointer(int resource, int process) =>
        (int*)(_base + HoldsOffset) + CheckResource(resource) * MaxProcesses + CheckProcess(process);

    private static int CheckProcess(int process) =>
        process is >= 0 and < MaxProcesses ? process : throw new ArgumentOutOfRangeException(nameof(process));

    /// <summary>Process <paramref name="process"/> is about to block for <paramref name="resource"/>.</summary>
    public void MarkWaiting(int process, int resource)
    {
        Volatile.Write(ref *WaitingSincePointer(process), Stopwatch.GetTimestamp());
        Volatile.Write(ref *WaitingForPointer(process), CheckResource(resource) + 1);
    }

    /// <summary>Process <paramref name="process"/> got <paramref name="resource"/>: it holds one more of it and waits no more.</summary>
    public void MarkAcquired(int process, int resource)
    {
        Interlocked.Increment(ref *HoldsPointer(resource, process));
        Volatile.Write(ref *WaitingForPointer(process), 0);
    }

    /// <summary>Process <paramref name="process"/> is about to give back one of <paramref name="resource"/>.</summary>
    public void MarkReleasing(int process, int resource) => Interlocked.Decrement(ref *HoldsPointer(resource, process));

    /// <summary>What process <paramref name="process"/> waits for now (null: nothing), and since when (a <see cref="Stopwatch"/>
    /// timestamp, comparable across processes).</summary>
    public (int Resource, long Since)? WaitingFor(int process)
    {
        var waiting = Volatile.Read(ref *WaitingForPointer(process));
        if (waiting == 0) return null;
        return (waiting - 1, Volatile.Read(ref *WaitingSincePointer(process)));
    }

    /// <summary>How many of <paramref name="resource"/> process <paramref name="process"/> holds (a lock: 0 or 1).</summary>
    public int Holds(int resource, int process) => Volatile.Read(ref *HoldsPointer(resource, process));

    private int* Permits(int index) =>
        index is >= 0 and < MaxProcesses ? (int*)(_base + PermitsOffset) + index : throw new ArgumentOutOfRangeException(nameof(index));

    /// <summary>Step mode: lets process <paramref name="index"/> take one more step.</summary>
    public void GrantStep(int index)
    {
        Interlocked.Increment(ref *Permits(index));
        Kernel.Wake(Permits(index), int.MaxValue);
    }

    /// <summary>Step mode: a worker blocks here until it has been granted at least <paramref name="steps"/> steps.</summary>
    public void WaitForStep(int index, int steps)
    {
        var permits = Permits(index);
        while (true)
        {
            var granted = Volatile.Read(ref *permits);
            if (granted >= steps) return;
            Kernel.Wait(permits, granted, TimeSpan.FromMilliseconds(250));
        }
    }

    public void Dispose()
    {
        _view.SafeMemoryMappedViewHandle.ReleasePointer();
        _view.Dispose();
        _file.Dispose();
    }
}
