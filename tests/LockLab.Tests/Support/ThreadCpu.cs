namespace LockLab.Tests.Support;

/// <summary>
/// The processor time one thread has had, from Linux's /proc. A test can then wait until a thread has had the
/// processor for a while, instead of for a wall-clock while in which a busy machine may not run it at all, and can
/// tell a thread that sleeps from one that spins.
/// </summary>
public static class ThreadCpu
{
    /// <summary>The calling thread's id in the kernel (its entry under /proc/self/task).</summary>
    public static int CurrentThreadId() => int.Parse(Path.GetFileName(new FileInfo("/proc/thread-self").LinkTarget!));

    /// <summary>
    /// How long thread <paramref name="threadId"/> of process <paramref name="processId"/> has run on a processor
    /// (a process's main thread has the process's id); null once it has exited.
    /// </summary>
    public static TimeSpan? Used(int processId, int threadId)
    {
        try
        {
            // "<nanoseconds on a processor> <nanoseconds waiting to run> <time slices>"
            var ns = long.Parse(File.ReadAllText($"/proc/{processId}/task/{threadId}/schedstat").Split(' ')[0]);
            return TimeSpan.FromTicks(ns / 100);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>As <see cref="Used(int, int)"/>, for a thread of this process.</summary>
    public static TimeSpan? Used(int threadId) => Used(Environment.ProcessId, threadId);
}
