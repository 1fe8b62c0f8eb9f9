using LockLab.Contracts;

namespace LockLab.Client.Services;

/// <summary>
/// One run as the page shows it: its info and the events received so far, kept in <c>seq</c> order without
/// duplicates however the events arrive (live batch, catch-up after a reconnect, or both).
/// <para>
/// A big run (more events than <see cref="KeepAllUpTo"/>: a million increments reported at a few hundred thousand events
/// a second) is more than anyone can read and more than the page can hold or draw: for it the page keeps only its
/// latest events and lines (<see cref="ShowsLatestOnly"/>) and live figures worked out as the events pass (counter,
/// rate); the full log is the run's record on the server, one link away. A lesson's runs (a few dozen events, a few
/// thousand when run a hundred times) are kept whole, as always.
/// </para>
/// </summary>
public sealed class LiveRun
{
    /// <summary>Runs expected to report more events than this show only their latest lines (<see cref="LatestLines"/>).</summary>
    public const int KeepAllUpTo = LatestLines.KeepAllUpTo;

    /// <summary>Events and printed lines a big run keeps: what its console and figures show.</summary>
    public const int LatestKept = 300;

    private readonly List<RunEvent> _events = [];
    private readonly List<RunEvent> _printed = [];
    private long _lastSeq;
    private (long Seq, double AtMs)? _firstSeen;
    private (long Seq, double AtMs)? _lastSeen;
    private long _linesTakenAt = long.MinValue;

    /// <summary>How often a big run's latest lines are read from its batches: as often as the page redraws it.</summary>
    public const int LinesEveryMs = LatestLines.EveryMs;

    public LiveRun(RunInfo info)
    {
        Info = info;
        ShowsLatestOnly = LatestLines.IsBig(info.Parameters);
    }

    public RunInfo Info { get; private set; }

    /// <summary>
    /// Whether the page learned of the run as it started (not from a room's state at a join, mid-run or after): then
    /// everything it prints is news to whoever watches, even what arrived before the page first drew it.
    /// </summary>
    public bool MetAtStart { get; init; }
    public string Id => Info.Id;

    /// <summary>The events kept: all of them, or for a big run the latest <see cref="LatestKept"/>.</summary>
    public IReadOnlyList<RunEvent> Events => _events;
    public long LastSeq => _lastSeq;

    /// <summary>A big run: the page keeps and shows its latest events only, and never catches up with the rest.</summary>
    public bool ShowsLatestOnly { get; private set; }

    /// <summary>The lines the processes printed, in order: the lesson's output (for a big run, the latest lines).</summary>
    public IReadOnlyList<RunEvent> Printed => _printed;

    /// <summary>Lines printed so far, whether kept or not.</summary>
    public long PrintedCount { get; private set; }

    /// <summary>The shared counter as the latest read, write or print showed it.</summary>
    public long? LatestValue { get; private set; }

    /// <summary>Events per second of the run's own time, over the events seen so far; null until there are two.</summary>
    public double? EventsPerSecond =>
        _firstSeen is { } first && _lastSeen is { } last && last.AtMs > first.AtMs
            ? (last.Seq - first.Seq) / ((last.AtMs - first.AtMs) / 1000)
            : null;

    /// <summary>A big run: whether its next batch should give its latest lines (else it only moves <see cref="LastSeq"/> on).</summary>
    public bool DueForLines(long nowMs)
    {
        if (nowMs - _linesTakenAt < LinesEveryMs) return false;
        _linesTakenAt = nowMs;
        return true;
    }

    /// <summary>A big run's batch that was not read: the run has reached <paramref name="seq"/>.</summary>
    public void MovedTo(long seq) => _lastSeq = Math.Max(_lastSeq, seq);

    /// <summary>A big run whose events up to the last one <paramref name="finished"/> reports are on screen already.</summary>
    public bool ShowsItsEnd(RunInfo finished) => ShowsLatestOnly && _events.Count > 0 && _events[^1].Seq >= finished.EventCount;

    /// <summary>Who holds the lock after the events so far (null when nobody does).</summary>
    public string? LockHolder { get; private set; }

    /// <summary>
    /// Whether events after <see cref="LastSeq"/> are missing before <paramref name="firstSeq"/>. A big run has no
    /// gaps to fill: it shows where the run is now.
    /// </summary>
    public bool HasGapBefore(long firstSeq) => !ShowsLatestOnly && firstSeq > LastSeq + 1;

    /// <summary>Events a run of these parameters reports, at least: read, write and print per increment when it reports steps.</summary>
    public static long EstimatedEvents(RunInfo info) => LatestLines.EstimatedEvents(info.Parameters);

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
            // Compared with the last event kept, not LastSeq: a big run's position may have moved on past batches
            // that were not read, and their last events (the catch-up at its end) still belong on screen.
            if (e.Seq > (_events.Count == 0 ? 0 : _events[^1].Seq))
            {
                _events.Add(e);
                _lastSeq = Math.Max(_lastSeq, e.Seq);
                _firstSeen ??= (e.Seq, e.AtMs);
                _lastSeen = (e.Seq, e.AtMs);
                Apply(e);
                added++;
                continue;
            }
            // A big run shows where it is now: an older event that turns up late is not worth a place.
            if (ShowsLatestOnly) continue;
            var at = _events.BinarySearch(e, BySeq);
            if (at >= 0) continue; // already have it
            _events.Insert(~at, e);
            added++;
            reordered = true;
        }
        if (reordered) Recompute();
        // A run that turns out bigger than its parameters said is cut down to its latest events from here on.
        if (!ShowsLatestOnly && _events.Count > 2 * KeepAllUpTo) ShowsLatestOnly = true;
        if (ShowsLatestOnly) Trim();
        return added;
    }

    /// <summary>Keeps the latest events and lines only, dropping in steps so that most batches copy nothing.</summary>
    private void Trim()
    {
        if (_events.Count > 2 * LatestKept) _events.RemoveRange(0, _events.Count - LatestKept);
        if (_printed.Count > 2 * LatestKept) _printed.RemoveRange(0, _printed.Count - LatestKept);
    }

    private static readonly Comparer<RunEvent> BySeq = Comparer<RunEvent>.Create((a, b) => a.Seq.CompareTo(b.Seq));

    /// <summary>
    /// A run of named locks (a program's, whose lock events name their lock in <see cref="RunEvent.Target"/>): who holds
    /// each lock now, by lock, in the order the locks were first taken (a semaphore may have several holders). Empty for
    /// a run of one lock, which <see cref="LockHolder"/> tells.
    /// </summary>
    public IReadOnlyList<(string Lock, IReadOnlyList<string> Holders)> NamedLocks =>
        [.. _namedLocks.Select(l => (l.Key, (IReadOnlyList<string>)l.Value))];

    /// <summary>Whether the run's lock events name their locks (see <see cref="NamedLocks"/>).</summary>
    public bool HasNamedLocks => _namedLocks.Count > 0;

    private readonly List<KeyValuePair<string, List<string>>> _namedLocks = [];

    private List<string> HoldersOf(string lockName)
    {
        foreach (var (name, holders) in _namedLocks) if (name == lockName) return holders;
        _namedLocks.Add(new(lockName, []));
        return _namedLocks[^1].Value;
    }

    private void Apply(RunEvent e)
    {
        if (e is { Kind: EventKind.LockWait or EventKind.LockAcquired or EventKind.LockReleased, Target: { } named })
        {
            var holders = HoldersOf(named);
            if (e.Kind == EventKind.LockAcquired) holders.Add(e.Process);
            else if (e.Kind == EventKind.LockReleased) holders.Remove(e.Process);
        }
        else if (e is { Kind: EventKind.Exit }) foreach (var (_, holders) in _namedLocks) holders.Remove(e.Process);
        switch (e.Kind)
        {
            case EventKind.LockAcquired: LockHolder = e.Process; break;
            case EventKind.LockReleased when LockHolder == e.Process: LockHolder = null; break;
            case EventKind.Print:
                _printed.Add(e);
                PrintedCount++;
                break;
        }
        if (e.Kind is EventKind.Read or EventKind.Write or EventKind.Print) LatestValue = e.Value;
    }

    /// <summary>An event landed before others already shown: work the derived state out again, in order.</summary>
    private void Recompute()
    {
        _printed.Clear();
        PrintedCount = 0;
        LockHolder = null;
        _namedLocks.Clear();
        foreach (var e in _events) Apply(e);
    }

    public void Update(RunInfo info)
    {
        // Replies and broadcasts can cross: never let an older "queued" snapshot undo a newer status.
        if (info.Status == RunStatus.Queued && Info.Status != RunStatus.Queued) return;
        if (Info.IsFinished && !info.IsFinished) return;
        Info = info;
        // A deadlocked run's locks stay held: the picture of who held what is the point.
        if (info.IsFinished && info.Status != RunStatus.Deadlocked)
        {
            LockHolder = null;
            foreach (var (_, holders) in _namedLocks) holders.Clear();
        }
    }
}
