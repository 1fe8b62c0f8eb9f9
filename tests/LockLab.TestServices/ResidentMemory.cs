namespace LockLab.TestServices;

/// <summary>
/// A process's resident memory as Linux counts it (<c>/proc/{pid}/status</c>), and its peak over a stretch of time.
/// The peak is the kernel's own high-water mark (<c>VmHWM</c>), reset at the stretch's start by writing 5 to
/// <c>/proc/{pid}/clear_refs</c>: exact, where sampling <c>VmRSS</c> can miss a spike between two samples.
/// </summary>
public static class ResidentMemory
{
    /// <summary>Resident memory now (<c>VmRSS</c>), in bytes.</summary>
    public static long Bytes(int pid) => Field(pid, "VmRSS:");

    /// <summary>The highest resident memory since the process started or <see cref="ResetPeak"/> (<c>VmHWM</c>), in bytes.</summary>
    public static long PeakBytes(int pid) => Field(pid, "VmHWM:");

    /// <summary>
    /// Starts a new high-water mark at the current resident memory (Linux 4.0 and later; the process must be this
    /// user's). False where that is not possible: the peak then counts from the process's start.
    /// </summary>
    public static bool ResetPeak(int pid)
    {
        try
        {
            File.WriteAllText($"/proc/{pid}/clear_refs", "5");
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static long Field(int pid, string name)
    {
        var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith(name, StringComparison.Ordinal))
            ?? throw new InvalidOperationException($"No {name} in /proc/{pid}/status.");
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) * 1024; // kB
    }
}
