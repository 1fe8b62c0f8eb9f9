using System.Collections.Concurrent;
using LockLab.Server.Configuration;
using Microsoft.Extensions.Options;

namespace LockLab.Server.Runs;

/// <summary>
/// The lab's budget of events held in memory, over all runs (<see cref="RunLimits.RetainedEventBudget"/>). Runs report
/// what they add and let go; when the total is over budget, settled events (sent to the room and stored in the history)
/// leave memory, oldest first: finished runs' events before running runs', each run's oldest before its newest, so
/// what a late viewer of a live run catches up with — its latest events — stays at hand. Everything that left is read
/// back from the history (<see cref="RunLookup"/>).
/// </summary>
public sealed class RetainedEvents(IOptions<LockLabOptions> options)
{
    private readonly ConcurrentDictionary<Run, int> _holders = new();
    private readonly Lock _reclaiming = new();
    private long _count;

    public int Budget => Math.Max(1, options.Value.Limits.RetainedEventBudget);

    /// <summary>Events held in memory now, over all runs.</summary>
    public long Count => Interlocked.Read(ref _count);

    /// <summary>Runs holding events now.</summary>
    public int Holders => _holders.Count;

    internal void Added(Run run, int count)
    {
        _holders.TryAdd(run, 0);
        if (Interlocked.Add(ref _count, count) > Budget) Reclaim();
    }

    internal void Removed(Run run, int count)
    {
        Interlocked.Add(ref _count, -count);
        if (run.RetainedCount == 0) _holders.TryRemove(run, out _);
    }

    /// <summary>Lets settled events go until the total is within budget (or nothing more is settled).</summary>
    public void Reclaim()
    {
        if (Count <= Budget) return;
        // One reclaimer at a time; whoever comes meanwhile finds the work done or being done.
        if (!_reclaiming.TryEnter()) return;
        try
        {
            // A little below the budget, so that a run appending a few events at a time does not shift its window
            // (a copy of the whole window) on every append.
            var excess = Count - Budget + Budget / 16;
            foreach (var run in _holders.Keys.OrderByDescending(r => r.IsFinished).ThenBy(r => r.CreatedAt).ToList())
            {
                excess -= run.DropSettled(excess);
                if (excess <= 0) break;
            }
        }
        finally
        {
            _reclaiming.Exit();
        }
    }
}
