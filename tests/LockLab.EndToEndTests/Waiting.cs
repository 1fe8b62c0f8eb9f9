using System.Diagnostics;

namespace LockLab.EndToEndTests;

/// <summary>
/// Waits for a condition that another process brings about, checking often, up to a deadline. A last resort, for state that
/// announces no change (a /proc entry, a count in shared memory, a row in a file): where something signals the change
/// (a run's <c>Changed</c>, a hub message, a log line, a process exit), wait on that instead. The deadline only turns a
/// hang into a failure: make it generous, and never the thing a test measures.
/// </summary>
public static class Waiting
{
    public static async Task<T> UntilAsync<T>(Func<Task<T?>> probe, TimeSpan timeout, string what) where T : class
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        while (true)
        {
            if (await probe() is { } result) return result;
            if (Stopwatch.GetTimestamp() > deadline) throw new TimeoutException($"Timed out after {timeout.TotalSeconds} s waiting for {what}.");
            await Task.Delay(20);
        }
    }

    public static async Task<bool> UntilAsync(Func<bool> condition, TimeSpan timeout)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        while (!condition())
        {
            if (Stopwatch.GetTimestamp() > deadline) return false;
            await Task.Delay(20);
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
