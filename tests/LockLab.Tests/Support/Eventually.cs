using System.Diagnostics;

namespace LockLab.Tests.Support;

/// <summary>Waits for a condition that other processes bring about, checking often, up to a deadline.</summary>
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
