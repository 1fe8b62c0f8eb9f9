using System.Runtime.InteropServices;

namespace LockLab.SharedMemory;

/// <summary>The Linux calls the shared segment and its lock need: futex waits and wake-ups, and whether a process exists.</summary>
internal static unsafe partial class Kernel
{
    private const int FutexWait = 0;  // shared (not FUTEX_PRIVATE): the word lives in a mapping other processes see
    private const int FutexWake = 1;
    private const int Etimedout = 110;
    private const int Esrch = 3;

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
    private static partial int kill(int pid, int signal);

    /// <summary>
    /// Whether process <paramref name="pid"/> still exists (signal 0 checks without sending anything). A process the lab
    /// may not signal exists too. A zombie (exited, not yet reaped by its parent) still exists: the server reaps its
    /// workers at once, so that lasts no longer than the server takes to notice the exit.
    /// </summary>
    public static bool ProcessExists(int pid) => !OperatingSystem.IsLinux() || kill(pid, 0) == 0 || Marshal.GetLastPInvokeError() != Esrch;

    [StructLayout(LayoutKind.Sequential)]
    private struct Timespec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    /// <summary>
    /// Sleeps while <c>*address == expected</c>; returns false on time-out. Spurious wake-ups are allowed:
    /// callers re-check.
    /// </summary>
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
}
