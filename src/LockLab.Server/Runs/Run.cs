using LockLab.Contracts;

namespace LockLab.Server.Runs;

/// <summary>
/// One run: its request, its status and the ordered log of every event its workers reported.
/// Thread-safe: worker readers append, the broadcaster and API readers read concurrently.
/// </summary>
public sealed class Run(string id, ValidRunRequest request, DateTimeOffset createdAt)
{
    private readonly Lock _gate = new();
    private readonly List<RunEvent> _events = [];
    private readonly CancellationTokenSource _stop = new();
    private bool _dequeued;
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public string Id { get; } = id;
    public string Scenario => request.Scenario.Name;
    public string Room => request.Room;
    public RunParameters Parameters => request.Parameters;
    public DateTimeOffset CreatedAt { get; } = createdAt;
    public RunStatus Status { get; private set; } = RunStatus.Queued;
    public DateTimeOffset? StartedAt { get; private set; }
    public DateTimeOffset? FinishedAt { get; private set; }
    public RunSummary? Summary { get; private set; }
    public string? Error { get; private set; }

    public bool IsFinished => Status is not (RunStatus.Queued or RunStatus.Running);

    /// <summary>Where the run's time went on this server, from the moment it was accepted.</summary>
    public RunTimeline Timeline { get; } = new();

    /// <summary>Step handles while the run executes; null before and after.</summary>
    public RunControl? Control { get; set; }

    /// <summary>Step mode: lets a process take its next step. Returns why not, or null when granted.</summary>
    public string? TryStep(string process) =>
        Control is { } control ? control.TryStep(process) : $"The run is {Status.ToString().ToLowerInvariant()}, not running.";

    /// <summary>Why someone stopped the run, once they did.</summary>
    public string? StopReason { get; private set; }

    /// <summary>Cancelled when someone stops the run while it executes.</summary>
    public CancellationToken StopToken => _stop.Token;

    public int EventCount
    {
        get { lock (_gate) return _events.Count; }
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
            Signal();
        }
        Timeline.Released(ordered);
    }

    /// <summary>Events with <c>seq &gt; after</c>, at most <paramref name="max"/> of them.</summary>
    public RunEvent[] EventsAfter(long after, int max = int.MaxValue)
    {
        lock (_gate)
        {
            // Sequence numbers are contiguous from 1 in the log, so seq n sits at index n-1; search to be safe
            // should a worker crash have left a gap.
            var start = FirstIndexAfter(after);
            var count = Math.Min(max, _events.Count - start);
            return count <= 0 ? [] : _events.GetRange(start, count).ToArray();
        }
    }

    public IReadOnlyList<RunEvent> AllEvents()
    {
        lock (_gate) return _events.ToArray();
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

    /// <summary>The gate is open; false when the run was stopped meanwhile.</summary>
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
            return new RunInfo(Id, Scenario, Room, Status, Parameters, CreatedAt, StartedAt, FinishedAt, _events.Count, Summary, Error,
                new RunLinks($"/api/runs/{Id}", $"/api/runs/{Id}/events?after=0"));
        }
    }
}
