using System.Diagnostics;

namespace LockLab.Tests.Support;

/// <summary>
/// Waits for a condition that other processes bring about, checking often, up to a deadline. A last resort, for state that
/// announces no change (a /proc entry, a count in shared memory, a row in a file): where something signals the change
/// (a run's <c>Changed</c>, a hub message, a log line, a process exit), wait on that instead. The deadline only turns a
/// hang into a failure: make it generous, and never the thing a test measures.
/// </summary>
public static class Eventually
{
    public static async Task<bool> TrueAsync(Func<bool> condition, TimeSpan timeout)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        while (!condition())
        {
            if (Stopwatch.GetTimestamp() > deadline) return false;
            await Task.Delay(20);
        }
        return true;
    }
}
