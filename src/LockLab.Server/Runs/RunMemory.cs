namespace LockLab.Server.Runs;

/// <summary>
/// Gives the memory of a big run back to the machine once it has ended. A run that reported more events than the lab
/// keeps in memory (<see cref="RetainedEvents.Budget"/>) grew the heap while it ran — its lost-update ledger holds a
/// record per write until the summary, its events passed through on their way to the room and the history — and the
/// garbage collector keeps a heap it has grown: without this, each big run started from where the last one peaked
/// (docs/benchmarks.md, "Stress streaming"). One compacting collection that returns free memory to the system, once per
/// big run, costs a pause of some tens of milliseconds; lesson runs, far below the budget, never trigger it.
/// </summary>
public sealed class RunMemory(RetainedEvents retained, ILogger<RunMemory> logger)
{
    /// <summary>Big runs after which the heap was compacted and handed back.</summary>
    public int Compactions => _compactions;
    private int _compactions;

    /// <summary>Raised with the run's id once memory was handed back after it.</summary>
    public event Action<string>? HandedBack;

    public void AfterRun(Run run)
    {
        if (run.EventCount <= retained.Budget) return;
        var before = Environment.WorkingSet;
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        TrimNativeHeap();
        Interlocked.Increment(ref _compactions);
        logger.LogInformation("Run {RunId} reported {Events} events: memory handed back after it, {Before} → {After} MiB resident",
            run.Id, run.EventCount, before / 1048576, Environment.WorkingSet / 1048576);
        HandedBack?.Invoke(run.Id);
    }

    /// <summary>
    /// The native heap (SQLite's pages and statements, the runtime's own allocations) keeps what it freed, too: glibc
    /// returns it to the system only when asked (<c>malloc_trim</c>). Elsewhere (musl, macOS, Windows) there is no such
    /// call, and nothing to do.
    /// </summary>
    private void TrimNativeHeap()
    {
        if (!OperatingSystem.IsLinux()) return;
        try
        {
            malloc_trim(0);
        }
        catch (Exception ex) when (ex is EntryPointNotFoundException or DllNotFoundException)
        {
            logger.LogDebug("No malloc_trim in this C library: the native heap keeps its free memory");
        }
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "malloc_trim")]
    private static extern int malloc_trim(nuint pad);
}
