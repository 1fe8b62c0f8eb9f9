using LockLab.Contracts;
using LockLab.Contracts.Experiments;

namespace LockLab.Client.Components.Live;

/// <summary>
/// Who holds which lock (or semaphore permit) and who waits for which, read off a run's events: the lanes' bands, the
/// step controls' "no process can move" and the drawing of a deadlock's cycle. An event names its lock in
/// <see cref="RunEvent.Target"/>; the classic scenarios, with one lock, leave it out (<see cref="LockOf"/>).
/// </summary>
public sealed class LockState
{
    private readonly Dictionary<string, List<string>> _held = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _waiting = new(StringComparer.Ordinal);
    private readonly HashSet<string> _exited = new(StringComparer.Ordinal);

    /// <summary>The lock an event of the lock kinds is about: its target, or the one lock of a classic scenario.</summary>
    public static string LockOf(RunEvent e) => e.Target ?? BuiltInPrograms.Lock;

    /// <summary>The shared integer a read, write or print is about: its target, or the one counter.</summary>
    public static string IntegerOf(RunEvent e) => e.Target ?? BuiltInPrograms.Counter;

    public static LockState From(IEnumerable<RunEvent> events)
    {
        var state = new LockState();
        foreach (var e in events) state.Apply(e);
        return state;
    }

    /// <summary>The locks <paramref name="process"/> holds now, in the order it took them.</summary>
    public IReadOnlyList<string> Held(string process) => _held.TryGetValue(process, out var locks) ? locks : [];

    /// <summary>The lock <paramref name="process"/> waits for now, if any.</summary>
    public string? WaitsFor(string process) => _waiting.GetValueOrDefault(process);

    /// <summary>The processes holding <paramref name="lockName"/> now.</summary>
    public IEnumerable<string> Holders(string lockName) =>
        _held.Where(h => h.Value.Contains(lockName)).Select(h => h.Key).Order(StringComparer.Ordinal);

    private void Apply(RunEvent e)
    {
        switch (e.Kind)
        {
            case EventKind.LockWait:
                _waiting[e.Process] = LockOf(e);
                break;
            case EventKind.LockAcquired:
                _waiting.Remove(e.Process);
                Own(e.Process).Add(LockOf(e));
                break;
            case EventKind.LockReleased:
                Own(e.Process).Remove(LockOf(e));
                break;
            case EventKind.Exit:
                _exited.Add(e.Process);
                _waiting.Remove(e.Process);
                _held.Remove(e.Process);
                break;
        }
    }

    private List<string> Own(string process) =>
        _held.TryGetValue(process, out var locks) ? locks : _held[process] = [];

    /// <summary>
    /// The processes that can never move again, as a cycle: each waits for a lock that only processes of the cycle hold.
    /// Null when some waiting process still has a holder that can move (or nobody waits). Read off the events, as a step
    /// mode run's last ones show it: the lab's own verdict, when it comes, is the run's <see cref="RunSummary.Deadlock"/>.
    /// </summary>
    public IReadOnlyList<DeadlockLink>? FindDeadlock()
    {
        // Peel off every waiting process whose lock is held by someone who is not stuck too (or by nobody): what is left
        // waits only on itself.
        var stuck = _waiting.Keys.ToHashSet(StringComparer.Ordinal);
        bool changed;
        do
        {
            changed = false;
            foreach (var process in stuck.ToList())
            {
                var holders = Holders(_waiting[process]).ToList();
                if (holders.Count == 0 || holders.Any(h => !stuck.Contains(h)))
                {
                    stuck.Remove(process);
                    changed = true;
                }
            }
        } while (changed);
        if (stuck.Count == 0) return null;

        // Walk the cycle from the first stuck process: each to the holder of the lock it waits for.
        var order = new List<string>();
        var current = stuck.Order(StringComparer.Ordinal).First();
        while (!order.Contains(current))
        {
            order.Add(current);
            current = Holders(_waiting[current]).First(stuck.Contains);
        }
        var cycle = order[order.IndexOf(current)..];
        return [.. cycle.Select(p => new DeadlockLink(p, [.. Held(p)], _waiting[p]))];
    }
}

/// <summary>A deadlock's cycle in the page's words, link by link ("p1 holds a, waits for b; p2 holds b, waits for a").</summary>
public static class DeadlockWords
{
    public static string Describe(Microsoft.Extensions.Localization.IStringLocalizer<Resources.Strings> L, IEnumerable<DeadlockLink> cycle) =>
        string.Join(L["; "], cycle.Select(link => link.Holds.Count == 0
            ? L["{0} holds nothing, waits for {1}", link.Process, link.WaitsFor].Value
            : L["{0} holds {1}, waits for {2}", link.Process, string.Join(L[" and "], link.Holds), link.WaitsFor].Value));
}
