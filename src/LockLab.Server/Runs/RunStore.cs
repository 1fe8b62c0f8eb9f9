using System.Collections.Concurrent;
using LockLab.Contracts;
using LockLab.Server.Configuration;
using Microsoft.Extensions.Options;

namespace LockLab.Server.Runs;

/// <summary>
/// Every run the server knows, in memory, with the events <see cref="RetainedEvents"/> lets it hold. The oldest
/// finished runs are forgotten beyond <see cref="RunLimits.RetainedRuns"/>; a run still queued or running is never
/// dropped.
/// </summary>
public sealed class RunStore(IOptions<LockLabOptions> options)
{
    private readonly ConcurrentDictionary<string, Run> _runs = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<Run> _byAge = new();
    private readonly Lock _pruning = new();

    public void Add(Run run)
    {
        _runs[run.Id] = run;
        _byAge.Enqueue(run);
        Prune();
    }

    public Run? Find(string id) => _runs.GetValueOrDefault(id);

    /// <summary>The ids of the runs held in memory: current and recent, the ones pages show.</summary>
    public IReadOnlySet<string> Ids() => _runs.Keys.ToHashSet(StringComparer.Ordinal);

    /// <summary>The room's runs (those that pass <paramref name="where"/>), newest first.</summary>
    public IReadOnlyList<Run> InRoom(string room, int max, Func<Run, bool>? where = null) =>
        _runs.Values.Where(r => r.Room == room && (where is null || where(r))).OrderByDescending(r => r.CreatedAt).Take(max).ToList();

    /// <summary>
    /// Runs queued or running, on the whole server or in one room. A room's count is of the presenter's runs: students'
    /// runs have a queue and limits of their own (Students/StudentRunQueue), and do not take the room's slots.
    /// </summary>
    public int CountActive(string? room = null) =>
        _runs.Values.Count(r => !r.IsFinished && (room is null || (r.Room == room && r.Owner is null)));

    /// <summary>Rooms with a run queued or running on this server.</summary>
    public IReadOnlySet<string> ActiveRooms() =>
        _runs.Values.Where(r => !r.IsFinished).Select(r => r.Room).ToHashSet(StringComparer.Ordinal);

    /// <summary>Runs waiting in the queue and runs going now, on the whole server.</summary>
    public (int Queued, int Running) CountActiveByStatus()
    {
        int queued = 0, running = 0;
        foreach (var run in _runs.Values)
        {
            if (run.Status == RunStatus.Queued) queued++;
            else if (run.Status == RunStatus.Running) running++;
        }
        return (queued, running);
    }

    private void Prune()
    {
        var keep = options.Value.Limits.RetainedRuns;
        // One pruner at a time: two could peek the same finished run and the second dequeue a live one.
        lock (_pruning)
        {
            while (_runs.Count > keep && _byAge.TryPeek(out var oldest) && oldest.IsFinished && _byAge.TryDequeue(out oldest))
            {
                _runs.TryRemove(oldest.Id, out _);
                oldest.ReleaseEvents();
            }
        }
    }
}
