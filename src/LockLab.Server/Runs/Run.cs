using LockLab.Contracts;

namespace LockLab.Server.Runs;

/// <summary>
/// One run: its request, its status and the ordered log of the events its workers reported.
/// Thread-safe: worker readers append, the broadcaster and API readers read concurrently.
/// <para>
/// The log in memory is a window, not the whole run: an event may be let go once it is <i>settled</i> — sent to the
/// room by the broadcaster and stored in the history by the recorder (or, when the history is not keeping this run,
/// only sent) — and <see cref="RetainedEvents"/> lets settled events go, oldest first, when the lab holds more than its
/// budget. Readers that need older events get them from the history (<see cref="RunLookup"/>). A worker reader waits
/// (<see cref="WaitForRoomAsync"/>) while the run has a budget's worth of unsettled events, so a run that reports
/// faster than the history stores cannot fill the memory: its workers block on their output pipes meanwhile.
/// </para>
/// </summary>
public sealed class Run(string id, ValidRunRequest request, DateTimeOffset createdAt, RetainedEvents? retained = null)
{
    private readonly Lock _gate = new();
    private readonly List<RunEvent> _events = [];
    private readonly CancellationTokenSource _stop = new();
    private bool _dequeued;
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TaskCompletionSource _settled = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _appended;
    private long _sentThrough;
    private long _storedThrough;
    private bool _historyKeeps = true;
    private long _droppedThrough;
    private bool _droppedUnstored;
    private bool _gateOpened;
    private DateTimeOffset? _shownAt;
    private int? _queuePosition;

    public string Id { get; } = id;
    public string Scenario => request.Scenario.Name;
    public string Room => request.Room;
    public RunParameters Parameters => request.Parameters;

    /// <summary>What the run's processes execute: a scenario's program (<see cref="Contracts.Experiments.BuiltInPrograms"/>)
    /// or the request's own.</summary>
    public Contracts.Experiments.ExperimentProgram Program => request.Program;
    public DateTimeOffset CreatedAt { get; } = createdAt;
    public RunStatus Status { get; private set; } = RunStatus.Queued;
    public DateTimeOffset? StartedAt { get; private set; }
    public DateTimeOffset? FinishedAt { get; private set; }
    public RunSummary? Summary { get; private set; }
    public string? Error { get; private set; }

    public bool IsFinished => Status is not (RunStatus.Queued or RunStatus.Running);

    /// <summary>A student's run: whose it is. Null for the presenter's runs, which the whole room sees.</summary>
    public StudentOwner? Owner { get; init; }

    /// <summary>A student's run the presenter showed to the room: when. Null until then (and for the presenter's runs).</summary>
    public DateTimeOffset? ShownAt
    {
        get { lock (_gate) return _shownAt; }
    }

    /// <summary>Whether the room's pages see this run (the presenter's always; a student's once shown).</summary>
    public bool IsShownToRoom => Owner is null || ShownAt is not null;

    /// <summary>
    /// The presenter shows this student's run to the whole room from now on; false when it is no student's run or was
    /// shown already.
    /// </summary>
    public bool ShowToRoom(DateTimeOffset at)
    {
        lock (_gate)
        {
            if (Owner is null || _shownAt is not null) return false;
            _shownAt = at;
            Signal();
            return true;
        }
    }

    /// <summary>A student's run waiting in the students' queue: its place (1: next). Set by that queue.</summary>
    public int? QueuePosition
    {
        get { lock (_gate) return _queuePosition; }
        set { lock (_gate) _queuePosition = value; }
    }

    /// <summary>
    /// Held while news of the run is sent to its audience: its broadcast and the presenter showing it to the room take
    /// turns, so that a page never hears of the run in an order that would undo what it heard last.
    /// </summary>
    public Lock SendGate { get; } = new();

    /// <summary>Where the run's time went on this server, from the moment it was accepted.</summary>
    public RunTimeline Timeline { get; } = new();

    /// <summary>Step handles while the run executes; null before and after.</summary>
    public RunControl? Control { get; set; }

    /// <summary>Step mode: lets a process take its next step. Returns why not, or null when granted.</summary>
    public string? TryStep(string process) =>
        Control is { } control ? control.TryStep(process) : TextTemplates.Fill(RunRefusals.NotRunning, WireNames.Name(Status));

    /// <summary>Why someone stopped the run, once they did.</summary>
    public string? StopReason { get; private set; }

    /// <summary>Cancelled when someone stops the run while it executes.</summary>
    public CancellationToken StopToken => _stop.Token;

    /// <summary>Events the run reported, whether still in memory or not.</summary>
    public long EventCount
    {
        get { lock (_gate) return _appended; }
    }

    /// <summary>Events held in memory now.</summary>
    public int RetainedCount
    {
        get { lock (_gate) return _events.Count; }
    }

    /// <summary>The highest <c>seq</c> let go from memory (0: none): events up to it are read from the history.</summary>
    public long DroppedThrough
    {
        get { lock (_gate) return _droppedThrough; }
    }

    /// <summary>Completes on the next append or status change: lets readers wait for news instead of polling.</summary>
    public Task Changed
    {
        get { lock (_gate) return _changed.Task; }
    }

    /// <summary>Appends events that are already in <c>seq</c> order (the sequencer guarantees it).</summary>
    public void Append(IReadOnlyList<RunEvent> ordered)
    {
        if (ordered.Count == 0) return;
        lock (_gate)
        {
            _events.AddRange(ordered);
            _appended += ordered.Count;
            Signal();
        }
        Timeline.Released(ordered);
        retained?.Added(this, ordered.Count);
    }

    /// <summary>
    /// Events with <c>seq &gt; after</c> held in memory, at most <paramref name="max"/> of them. For the broadcaster and
    /// the recorder, which never fall behind what memory holds (an event is let go only once both are past it).
    /// </summary>
    public RunEvent[] EventsAfter(long after, int max = int.MaxValue)
    {
        lock (_gate) return EventsAfterLocked(after, max);
    }

    /// <summary>
    /// Events with <c>seq &gt; after</c>, at most <paramref name="max"/>, if memory still holds them all; false when some
    /// were let go (read them from the history).
    /// </summary>
    public bool TryEventsAfter(long after, int max, out RunEvent[] events)
    {
        lock (_gate)
        {
            if (after < _droppedThrough)
            {
                events = [];
                return false;
            }
            events = EventsAfterLocked(after, max);
            return true;
        }
    }

    /// <summary>
    /// True when events were let go from memory that the history never stored (it was not keeping this run):
    /// they are gone, and readers get what memory still holds.
    /// </summary>
    public bool LostEarlyEvents
    {
        get { lock (_gate) return _droppedUnstored; }
    }

    /// <summary>
    /// The events memory holds now, in order: the whole run unless it outgrew the budget (see
    /// <see cref="DroppedThrough"/>).
    /// </summary>
    public IReadOnlyList<RunEvent> RetainedEvents()
    {
        lock (_gate) return _events.ToArray();
    }

    private RunEvent[] EventsAfterLocked(long after, int max)
    {
        // Sequence numbers are contiguous from 1 in the log, so seq n sits near index n-1-dropped; search to be safe
        // should a worker crash have left a gap.
        var start = FirstIndexAfter(after);
        var count = Math.Min(max, _events.Count - start);
        if (count <= 0) return [];
        var batch = new RunEvent[count];
        _events.CopyTo(start, batch, 0, count); // one copy, not a list and then an array
        return batch;
    }

    private int FirstIndexAfter(long after)
    {
        int lo = 0, hi = _events.Count;
        while (lo < hi)
        {
            var mid = (lo + hi) / 2;
            if (_events[mid].Seq <= after) lo = mid + 1;
            else hi = mid;
        }
        return lo;
    }

    /// <summary>The broadcaster sent every event up to <paramref name="seq"/> to the room.</summary>
    public void MarkSent(long seq) => Settle(() => _sentThrough = Math.Max(_sentThrough, seq));

    /// <summary>The recorder stored every event up to <paramref name="seq"/> in the history.</summary>
    public void MarkStored(long seq) => Settle(() => _storedThrough = Math.Max(_storedThrough, seq));

    /// <summary>
    /// The history cannot keep this run (it is unavailable, or a write failed for good): the lab then streams but does
    /// not keep, and memory stays within its budget regardless — events are let go once sent, and are gone.
    /// </summary>
    public void StopKeeping() => Settle(() => _historyKeeps = false);

    private void Settle(Action change)
    {
        TaskCompletionSource settled;
        lock (_gate)
        {
            change();
            settled = _settled;
            _settled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        settled.TrySetResult();
        retained?.Reclaim();
    }

    /// <summary>Events up to this seq may leave memory.</summary>
    private long SettledThroughLocked()
    {
        // A step-mode run's controls read its events while it runs; it is human-paced and small, so it keeps them all.
        if (Parameters.Mode == RunMode.Step && !IsFinished) return 0;
        return _historyKeeps ? Math.Min(_sentThrough, _storedThrough) : _sentThrough;
    }

    /// <summary>Lets go of up to <paramref name="max"/> of the oldest settled events; returns how many.</summary>
    public int DropSettled(long max)
    {
        int dropped;
        lock (_gate)
        {
            var settled = FirstIndexAfter(SettledThroughLocked());
            dropped = (int)Math.Min(max, settled);
            if (dropped <= 0) return 0;
            _droppedThrough = _events[dropped - 1].Seq;
            _droppedUnstored |= !_historyKeeps && _droppedThrough > _storedThrough;
            _events.RemoveRange(0, dropped);
            if (_events.Count == 0) _events.TrimExcess();
        }
        retained?.Removed(this, dropped);
        return dropped;
    }

    /// <summary>
    /// Completes when the run has fewer than <paramref name="limit"/> unsettled events in memory: a worker reader awaits
    /// it before reading on, so the run proceeds as fast as its events are sent and stored, and no faster.
    /// </summary>
    public async Task WaitForRoomAsync(int limit, CancellationToken ct)
    {
        // A step-mode run keeps its events while it runs (its controls read them) and moves at a person's pace: it
        // never waits for room, which its own events could never make.
        if (Parameters.Mode == RunMode.Step) return;
        while (true)
        {
            Task settled;
            lock (_gate)
            {
                if (_events.Count - FirstIndexAfter(SettledThroughLocked()) < limit) return;
                settled = _settled.Task;
            }
            await settled.WaitAsync(ct);
        }
    }

    /// <summary>
    /// The run's workers are being handed their jobs (the gate may open from now on); false when the run was stopped
    /// meanwhile. <see cref="StartedAt"/> holds <paramref name="at"/> until <see cref="MarkGateOpened"/> sets the real instant.
    /// </summary>
    public bool TryMarkRunning(DateTimeOffset at)
    {
        lock (_gate)
        {
            if (IsFinished || StopReason is not null) return false;
            Status = RunStatus.Running;
            StartedAt = at;
            Signal();
            return true;
        }
    }

    /// <summary>True once the start gate has opened (<see cref="MarkGateOpened"/>).</summary>
    public bool GateOpened
    {
        get { lock (_gate) return _gateOpened; }
    }

    /// <summary>
    /// The start gate opened at <paramref name="at"/> (wall clock): the instant every event's <c>atMs</c> counts from, so
    /// it is the run's <see cref="StartedAt"/>. Handing the jobs out and the workers getting ready come before it (a few
    /// milliseconds with pooled workers, far more when workers have to be started on a busy machine): a start taken
    /// before the gate made every event look that much later to a page that adds <c>atMs</c> to it.
    /// </summary>
    public void MarkGateOpened(DateTimeOffset at)
    {
        lock (_gate)
        {
            StartedAt = at;
            _gateOpened = true;
            Signal();
        }
    }

    /// <summary>The orchestrator takes the run from the queue; false when it was stopped while waiting.</summary>
    public bool TryBegin()
    {
        lock (_gate)
        {
            if (IsFinished) return false;
            _dequeued = true;
            return true;
        }
    }

    /// <summary>
    /// Stops the run. Still waiting in the queue: cancelled at once. Taken by the executor: it is asked to stop,
    /// kills the workers, and only then marks the run cancelled — so "cancelled" always means "nothing left running".
    /// </summary>
    public void Stop(string reason, DateTimeOffset at)
    {
        lock (_gate)
        {
            if (IsFinished) return;
            if (!_dequeued)
            {
                FinishLocked(RunStatus.Cancelled, at, null, reason);
                return;
            }
            StopReason ??= reason;
        }
        _stop.Cancel();
    }

    public void Finish(RunStatus status, DateTimeOffset at, RunSummary? summary, string? error)
    {
        Timeline.MarkFinished();
        lock (_gate) FinishLocked(status, at, summary, error);
        Settle(static () => { }); // a step-mode run's events may leave memory once it has ended
    }

    private void FinishLocked(RunStatus status, DateTimeOffset at, RunSummary? summary, string? error)
    {
        if (IsFinished) return;
        Status = status;
        FinishedAt = at;
        Summary = summary;
        Error = error;
        Signal();
    }

    /// <summary>The run is forgotten (<see cref="RunStore"/>): its events leave memory; the history has them.</summary>
    public void ReleaseEvents()
    {
        int released;
        lock (_gate)
        {
            released = _events.Count;
            if (released == 0) return;
            _droppedThrough = _events[^1].Seq;
            _events.Clear();
            _events.TrimExcess();
        }
        retained?.Removed(this, released);
    }

    private void Signal()
    {
        var previous = _changed;
        _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        previous.TrySetResult();
    }

    public RunInfo ToInfo()
    {
        lock (_gate)
        {
            return new RunInfo(Id, Scenario, Room, Status, Parameters, CreatedAt, StartedAt, FinishedAt, _appended, Summary, Error,
                new RunLinks($"/api/runs/{Id}", $"/api/runs/{Id}/events?after=0"), Owner?.Label,
                Status == RunStatus.Queued ? _queuePosition : null, _shownAt);
        }
    }
}

/// <summary>Who started a student's run: the id their page keeps (it only groups their pages) and the label the room gave them.</summary>
public sealed record StudentOwner(string StudentId, string Label);
