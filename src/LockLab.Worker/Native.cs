using System.Runtime.InteropServices;

namespace LockLab.Worker;

/// <summary>The few Linux calls the lab needs that .NET does not wrap.</summary>
internal static unsafe partial class Native
{
    private const int FutexWait = 0;  // shared (not FUTEX_PRIVATE): the word lives in a mapping other processes see
    private const int FutexWake = 1;
    private const int PrSetTimerSlack = 29;
    private const int Etimedout = 110;

    private static readonly long FutexSyscall = RuntimeInformation.ProcessArchitecture switch
    {
        Architecture.X64 => 202,
        Architecture.Arm64 => 98,
        _ => -1,
    };

    /// <summary>True where waiting can park in the kernel; elsewhere the lock falls back to spinning with yields.</summary>
    public static bool HasFutex { get; } = OperatingSystem.IsLinux() && FutexSyscall > 0;

    [LibraryImport("libc", SetLastError = true)]
    private static partial long syscall(long number, int* address, int op, int value, Timespec* timeout, int* address2, int value3);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int prctl(int option, nuint arg2, nuint arg3, nuint arg4, nuint arg5);

    [LibraryImport("libc")]
    public static partial int getppid();

    [StructLayout(LayoutKind.Sequential)]
    private struct Timespec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    /// <summary>Sleeps while <c>*address == expected</c>; returns false on time-out. Spurious wake-ups are allowed: callers re-check.</summary>
    public static bool Wait(int* address, int expected, TimeSpan? timeout = null)
    {
        if (!HasFutex)
        {
            Thread.Yield();
            return true;
        }
        if (timeout is { } t)
        {
            var ts = new Timespec { Seconds = (long)t.TotalSeconds, Nanoseconds = (long)(t.Ticks % TimeSpan.TicksPerSecond) * 100 };
            var rc = syscall(FutexSyscall, address, FutexWait, expected, &ts, null, 0);
            return rc == 0 || Marshal.GetLastPInvokeError() != Etimedout;
        }
        syscall(FutexSyscall, address, FutexWait, expected, null, null, 0);
        return true;
    }

    public static void Wake(int* address, int count)
    {
        if (HasFutex) syscall(FutexSyscall, address, FutexWake, count, null, null, 0);
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
