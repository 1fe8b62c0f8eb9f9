using System.Diagnostics;

namespace LockLab.TestServices;

/// <summary>
/// Waits for a condition that another process brings about, checking often, up to a deadline. A last resort, for state that
/// announces no change (a /proc entry, a count in shared memory, a row in a file): where something signals the change
/// (a run's <c>Changed</c>, a hub message, a log line, a process exit), wait on that instead. The deadline only turns a
/// hang into a failure: make it generous, and never the thing a test measures.
/// </summary>
public static class Waiting
{
    private static readonly TimeSpan DefaultPoll = TimeSpan.FromMilliseconds(20);

    /// <summary>
    /// The probe's first non-null answer; throws <see cref="TimeoutException"/> naming <paramref name="what"/>
    /// at the deadline.
    /// </summary>
    /// <param name="poll">How often to ask: longer for a probe that costs something (one that starts a process).</param>
    public static async Task<T> UntilAsync<T>(Func<Task<T?>> probe, TimeSpan timeout, string what, TimeSpan? poll = null) where T : class
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        while (true)
        {
            if (await probe() is { } result) return result;
            if (Stopwatch.GetTimestamp() > deadline)
                throw new TimeoutException($"Timed out after {timeout.TotalSeconds} s waiting for {what}.");
            await Task.Delay(poll ?? DefaultPoll);
        }
    }

    /// <summary>True once the condition holds; false at the deadline (for the caller's assertion to say what was missing).</summary>
    public static async Task<bool> UntilAsync(Func<bool> condition, TimeSpan timeout)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        while (!condition())
        {
            if (Stopwatch.GetTimestamp() > deadline) return false;
            await Task.Delay(DefaultPoll);
        }
        return true;
    }

    public static bool IsAlive(int pid)
    {
        try
        {
            using var p = Process.GetProcessById(pid);
            return !p.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
