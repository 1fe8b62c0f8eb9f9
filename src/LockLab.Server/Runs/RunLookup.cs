using LockLab.Contracts;

namespace LockLab.Server.Runs;

/// <summary>
/// Where a run is read from, freshest first: this server's memory (runs it executes or ran lately), then the runs
/// other instances share (<see cref="ISharedRuns"/>), then the history database. Every reader — the REST API, the
/// hub's catch-up, the pages' archive, a room's state — asks here, so all see the same run.
/// </summary>
public sealed class RunLookup(RunStore store, ISharedRuns shared, IStoredRuns history)
{
    public async Task<RunInfo?> InfoAsync(string id) =>
        store.Find(id)?.ToInfo() ?? await shared.FindAsync(id) ?? await history.GetRunAsync(id);

    /// <summary>Events with seq &gt; <paramref name="after"/>, in order; null when there is no such run.</summary>
    public async Task<RunEvent[]?> EventsAfterAsync(string id, long after, int max, CancellationToken ct = default)
    {
        if (store.Find(id) is { } run) return await EventsOfAsync(run, after, max, ct);
        if (await shared.EventsAfterAsync(id, after, max) is { } events) return events;
        return await history.GetRunAsync(id, ct) is null ? null : await history.GetEventsAsync(id, after, max, ct);
    }

    /// <summary>
    /// A run this server holds: from memory while memory has the events asked for; events that left memory (see
    /// <see cref="RetainedEvents"/>) from the history — which stored them before they left — then on from memory.
    /// </summary>
    private async Task<RunEvent[]> EventsOfAsync(Run run, long after, int max, CancellationToken ct)
    {
        if (run.TryEventsAfter(after, max, out var inMemory)) return inMemory;
        if (run.LostEarlyEvents)
        {
            // The history was not keeping this run: what left memory is gone; serve what is still held.
            return run.EventsAfter(after, max);
        }
        var stored = await history.GetEventsAsync(run.Id, after, max, ct);
        if (stored.Length == max) return stored;
        // The history may be a little behind memory: the rest follows from memory, if it still starts where the
        // stored ones end (else the caller asks again from the last event it got).
        var last = stored.Length > 0 ? stored[^1].Seq : after;
        return run.TryEventsAfter(last, max - stored.Length, out var rest) ? [.. stored, .. rest] : stored;
    }

    /// <summary>The last <paramref name="count"/> events of a run (fewer if it has fewer): what a page that shows only
    /// the latest lines of a big run starts from. Null when there is no such run.</summary>
    public async Task<RunEvent[]?> LatestEventsAsync(string id, int count, CancellationToken ct = default)
    {
        if (await InfoAsync(id) is not { } info) return null;
        return await EventsAfterAsync(id, Math.Max(0, info.EventCount - count), count, ct);
    }

    /// <summary>
    /// What the room shows on join: the current (or last) run, and its recent runs, from every instance. Students' runs
    /// are their own until the presenter shows one to the room (then it counts from that moment).
    /// </summary>
    public async Task<RoomState> RoomStateAsync(string room)
    {
        const int recentRuns = 10;
        var local = store.InRoom(room, recentRuns, r => r.IsShownToRoom).Select(r => r.ToInfo());
        // Other instances' lists hold students' runs too: ask for more, so that the room's own still fill the list.
        var others = await shared.InRoomAsync(room, recentRuns * 3);
        var recent = local.Concat(others)
            .DistinctBy(r => r.Id) // this server's own copy first: it is the freshest
            .Where(r => r.IsShownToRoom)
            .OrderByDescending(r => r.BeforeTheRoomAt)
            .Take(recentRuns)
            .ToList();
        var current = recent.FirstOrDefault(r => r.Status == RunStatus.Running)
                      ?? recent.FirstOrDefault(r => r.Status == RunStatus.Queued)
                      ?? recent.FirstOrDefault();
        return new RoomState(room, current, recent);
    }
}
