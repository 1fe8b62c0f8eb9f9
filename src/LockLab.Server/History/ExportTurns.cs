namespace LockLab.Server.History;

/// <summary>
/// Exports take turns at the cores. An export page (5,000 events read from the history, then written as CSV or JSON)
/// is tens of milliseconds of CPU with nothing to wait for — Microsoft.Data.Sqlite's "async" reads run synchronously —
/// and everything on a live run's path (reading the workers' output, sending the room its events) is a small work item
/// of the same thread pool, queued behind whatever is there. Fifty exports at once queued fifty pages ahead of every
/// live event: on two cores a live room's events arrived half a second to a second late (docs/benchmarks.md, "Exports").
/// So at most one page per two cores is being read and written at a time; the other exports wait for a turn without
/// queueing any work, and no export holds a turn while its client reads what it wrote.
/// </summary>
public sealed class ExportTurns
{
    /// <summary>Pages read and written at the same time, over all exports: half the cores, at least one.</summary>
    public static int Concurrent { get; } = Math.Max(1, Environment.ProcessorCount / 2);

    private readonly SemaphoreSlim _turns = new(Concurrent, Concurrent);

    /// <summary>Waits for a turn; disposing what it returns ends the turn.</summary>
    public async ValueTask<Turn> TakeAsync(CancellationToken ct)
    {
        await _turns.WaitAsync(ct);
        return new Turn(_turns);
    }

    public readonly struct Turn(SemaphoreSlim turns) : IDisposable
    {
        public void Dispose() => turns.Release();
    }
}
