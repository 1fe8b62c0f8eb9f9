using LockLab.Contracts;

namespace LockLab.Server.Runs;

/// <summary>
/// Workers report through separate pipes, so events reach the server out of order. Every event carries the
/// ticket it took from the shared segment; this buffer releases events strictly in ticket order, holding back
/// any that arrive before a lower ticket. Each worker writes its tickets in increasing order, so a gap closes
/// as soon as the worker holding the missing ticket is read.
/// </summary>
public sealed class EventSequencer
{
    private readonly Lock _gate = new();
    private readonly SortedDictionary<long, RunEvent> _early = [];
    private long _next = 1;

    /// <summary>
    /// Adds events from one worker and hands those now releasable, in order, to <paramref name="release"/> — while
    /// still holding the lock: two readers releasing outside it could append [7] before [5, 6] and tear the order.
    /// </summary>
    public void Add(IEnumerable<RunEvent> events, Action<List<RunEvent>> release)
    {
        lock (_gate)
        {
            var ready = AddLocked(events);
            if (ready.Count > 0) release(ready);
        }
    }

    private List<RunEvent> AddLocked(IEnumerable<RunEvent> events)
    {
        var ready = new List<RunEvent>();
        {
            foreach (var e in events)
            {
                if (e.Seq < _next || !_early.TryAdd(e.Seq, e))
                {
                    throw new InvalidDataException(TextTemplates.Fill(RunErrors.TicketTwice, e.Seq));
                }
            }
            while (_early.Remove(_next, out var e))
            {
                ready.Add(e);
                _next++;
            }
        }
        return ready;
    }

    /// <summary>When every worker has exited: whatever is still held (a gap left by a crashed worker), in order.</summary>
    public void Drain(Action<List<RunEvent>> release)
    {
        lock (_gate)
        {
            var rest = _early.Values.ToList();
            _early.Clear();
            if (rest.Count == 0) return;
            _next = rest[^1].Seq + 1;
            release(rest);
        }
    }
}
