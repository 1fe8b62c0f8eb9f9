using LockLab.Contracts;

namespace LockLab.Client.Services;

/// <summary>
/// One run as the page shows it: its info and every event received so far, kept in <c>seq</c> order without
/// duplicates however the events arrive (live batch, catch-up after a reconnect, or both).
/// </summary>
public sealed class LiveRun(RunInfo info)
{
    private readonly List<RunEvent> _events = [];
    private readonly List<RunEvent> _printed = [];

    public RunInfo Info { get; private set; } = info;
    public string Id => Info.Id;
    public IReadOnlyList<RunEvent> Events => _events;
    public long LastSeq => _events.Count == 0 ? 0 : _events[^1].Seq;

    /// <summary>The lines the processes printed, in order: the lesson's output.</summary>
    public IReadOnlyList<RunEvent> Printed => _printed;

    /// <summary>Who holds the lock after the events so far (null when nobody does).</summary>
    public string? LockHolder { get; private set; }

    /// <summary>Whether events after <see cref="LastSeq"/> are missing before <paramref name="firstSeq"/>.</summary>
    public bool HasGapBefore(long firstSeq) => firstSeq > LastSeq + 1;

    /// <summary>
    /// Adds the events not seen yet, keeping <c>seq</c> order whatever order they come in (a live batch may arrive
    /// before the catch-up that precedes it); returns how many were new.
    /// </summary>
    public int Add(IEnumerable<RunEvent> events)
    {
        var added = 0;
        var reordered = false;
        foreach (var e in events.OrderBy(e => e.Seq))
        {
            if (e.Seq > LastSeq)
            {
                _events.Add(e);
                Apply(e);
                added++;
                continue;
            }
            var at = _events.BinarySearch(e, BySeq);
            if (at >= 0) continue; // already have it
            _events.Insert(~at, e);
            added++;
            reordered = true;
        }
        if (reordered) Recompute();
        return added;
    }

    private static readonly Comparer<RunEvent> BySeq = Comparer<RunEvent>.Create((a, b) => a.Seq.CompareTo(b.Seq));

    private void Apply(RunEvent e)
    {
        switch (e.Kind)
        {
            case EventKind.LockAcquired: LockHolder = e.Process; break;
            case EventKind.LockReleased when LockHolder == e.Process: LockHolder = null; break;
            case EventKind.Print: _printed.Add(e); break;
        }
    }

    /// <summary>An event landed before others already shown: work the derived state out again, in order.</summary>
    private void Recompute()
    {
        _printed.Clear();
        LockHolder = null;
        foreach (var e in _events) Apply(e);
    }

    public void Update(RunInfo info)
    {
        // Replies and broadcasts can cross: never let an older "queued" snapshot undo a newer status.
        if (info.Status == RunStatus.Queued && Info.Status != RunStatus.Queued) return;
        if (Info.IsFinished && !info.IsFinished) return;
        Info = info;
        if (info.IsFinished) LockHolder = null;
    }
}
