using LockLab.Contracts;

namespace LockLab.Server.Runs;

/// <summary>
/// The runs the lab has kept, as <see cref="RunLookup"/> reads them once neither memory nor the other instances have
/// them: the run history (<see cref="History.RunHistory"/>).
/// </summary>
public interface IStoredRuns
{
    Task<RunInfo?> GetRunAsync(string id, CancellationToken ct = default);

    /// <summary>Events with seq &gt; <paramref name="after"/>, in order, at most <paramref name="limit"/>.</summary>
    Task<RunEvent[]> GetEventsAsync(string id, long after, int limit, CancellationToken ct = default);
}
