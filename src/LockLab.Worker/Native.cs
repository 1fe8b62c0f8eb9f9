using System.Diagnostics;
using System.Runtime.InteropServices;

namespace LockLab.Worker;

/// <summary>The few Linux calls the lab needs that .NET does not wrap.</summary>
internal static unsafe partial class Native
{
    private const int PrSetTimerSlack = 29;

    [LibraryImport("libc", SetLastError = true)]
    private static partial int prctl(int option, nuint arg2, nuint arg3, nuint arg4, nuint arg5);

    [LibraryImport("libc")]
    public static partial int getppid();

    /// <summary>
    /// Ends the process at once with <paramref name="status"/>: no managed shutdown (handlers, other threads), which a
    /// worker has no use for once its output is written, and must not be held up by. Linux only: callers check.
    /// </summary>
    [LibraryImport("libc", EntryPoint = "_exit")]
    public static partial void ExitNow(int status);


    [LibraryImport("libc", SetLastError = true)]
    private static partial int sched_getaffinity(int pid, nuint size, byte* mask);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int sched_setaffinity(int pid, nuint size, byte* mask);

    private const int CpuSetBytes = 128; // glibc's cpu_set_t: 1024 processors

    /// <summary>
    /// Keeps the calling thread on one of the processors it may run on, the <paramref name="index"/>-th (modulo their
    /// number), and returns the set it had, for <see cref="RestoreThreadProcessors"/>. Null where there is no choice
    /// (one processor) or the system does not allow it: the thread then runs wherever the scheduler puts it.
    /// </summary>
    public static byte[]? KeepThreadOnProcessor(int index)
    {
        if (!OperatingSystem.IsLinux()) return null;
        var previous = new byte[CpuSetBytes];
        fixed (byte* p = previous)
        {
            if (sched_getaffinity(0, CpuSetBytes, p) != 0) return null;
        }
        var allowed = Enumerable.Range(0, CpuSetBytes * 8).Where(cpu => (previous[cpu / 8] & (1 << (cpu % 8))) != 0).ToList();
        if (allowed.Count < 2) return null;
        var chosen = allowed[index % allowed.Count];
        var only = new byte[CpuSetBytes];
        only[chosen / 8] = (byte)(1 << (chosen % 8));
        fixed (byte* p = only)
        {
            return sched_setaffinity(0, CpuSetBytes, p) == 0 ? previous : null;
        }
    }

    /// <summary>Gives the calling thread back the processors <see cref="KeepThreadOnProcessor"/> took it from.</summary>
    public static void RestoreThreadProcessors(byte[] previous)
    {
        fixed (byte* p = previous) sched_setaffinity(0, CpuSetBytes, p);
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct Timespec
    {
        public long Seconds;
        public long Nanoseconds;
    }


    private const int ClockMonotonic = 1;
    private const int TimerAbsolute = 1;
    private const int Eintr = 4;

    [LibraryImport("libc")]
    private static partial int clock_nanosleep(int clock, int flags, Timespec* request, Timespec* remain);

    /// <summary>
    /// Sleeps until the <see cref="Stopwatch"/> timestamp <paramref name="due"/> (at once if it has passed). On Linux the
    /// stopwatch is CLOCK_MONOTONIC in nanoseconds, so the kernel is handed the deadline itself: the thread wakes at
    /// it (plus the timer slack and the scheduler's delay), not up to a millisecond after it, as <see cref="Thread.Sleep(int)"/>
    /// in whole milliseconds, rounded up so as never to wake early, would. Elsewhere it sleeps whole milliseconds, rounded up.
    /// </summary>
    public static void SleepUntil(long due)
    {
        if (OperatingSystem.IsLinux() && Stopwatch.Frequency == 1_000_000_000)
        {
            var ts = new Timespec { Seconds = due / 1_000_000_000, Nanoseconds = due % 1_000_000_000 };
            // Interrupted by a signal: sleep on to the same deadline.
            while (clock_nanosleep(ClockMonotonic, TimerAbsolute, &ts, null) == Eintr)
            {
            }
            return;
        }
        var remaining = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), due);
        if (remaining > TimeSpan.Zero) Thread.Sleep((int)Math.Ceiling(remaining.TotalMilliseconds));
    }

    private const int PrioProcess = 0;

    [LibraryImport("libc", SetLastError = true)]
    private static partial int setpriority(int which, int who, int priority);

    /// <summary>A big run's job (<see cref="LockLab.Contracts.WorkerJob.BelowNormal"/>) runs at nice 10.</summary>
    public const int BelowNormal = 10;

    /// <summary>
    /// Lowers the calling thread's scheduling priority to <paramref name="nice"/> (on Linux <c>setpriority</c> with pid 0
    /// applies to the calling thread: the main thread, which runs the job). Where the system refuses, nothing changes.
    /// </summary>
    public static void LowerPriority(int nice)
    {
        if (OperatingSystem.IsLinux()) setpriority(PrioProcess, 0, nice);
    }

    /// <summary>
    /// The kernel may delay a sleeping thread's wake-up by its timer slack (50 µs by default) to batch wake-ups.
    /// Two workers sleeping 100 ms would then wake together and race far more than Python's do; 1 µs keeps
    /// each wake-up at its own deadline.
    /// </summary>
    public static void UsePreciseTimers()
    {
        if (OperatingSystem.IsLinux()) prctl(PrSetTimerSlack, 1000, 0, 0, 0);
    }
}
