using LockLab.Contracts;
using LockLab.Server.History;

namespace LockLab.Server.Runs;

/// <summary>
/// Where a run is read from, freshest first: this server's memory (runs it executes or ran lately), then the runs
/// other instances share (<see cref="ISharedRuns"/>), then the history database. Every reader — the REST API, the
/// hub's catch-up, the pages' archive, a room's state — asks here, so all see the same run.
/// </summary>
public sealed class RunLookup(RunStore store, ISharedRuns shared, RunHistory history)
{
    public async Task<RunInfo?> InfoAsync(string id) => store.Find(id)?.ToInfo() ?? await shared.FindAsync(id) ?? await history.GetRunAsync(id);

    /// <summary>Events with seq &gt; <paramref name="after"/>; null when there is no such run.</summary>
    public async Task<RunEvent[]?> EventsAfterAsync(string id, long after, int max)
    {
        if (store.Find(id) is { } run) return run.EventsAfter(after, max);
        if (await shared.EventsAfterAsync(id, after, max) is { } events) return events;
        return await history.GetRunAsync(id) is null ? null : await history.GetEventsAsync(id, after, max);
    }

    /// <summary>What the room shows on join: the current (or last) run, and its recent runs, from every instance.</summary>
    public async Task<RoomState> RoomStateAsync(string room)
    {
        const int recentRuns = 10;
        var local = store.InRoom(room, recentRuns).Select(r => r.ToInfo());
        var recent = local.Concat(await shared.InRoomAsync(room, recentRuns))
            .DistinctBy(r => r.Id) // this server's own copy first: it is the freshest
            .OrderByDescending(r => r.CreatedAt)
            .Take(recentRuns)
            .ToList();
        var current = recent.FirstOrDefault(r => r.Status == RunStatus.Running)
                      ?? recent.FirstOrDefault(r => r.Status == RunStatus.Queued)
                      ?? recent.FirstOrDefault();
        return new RoomState(room, current, recent);
    }
}
