using LockLab.Contracts;
using LockLab.Server.Broadcasting;
using LockLab.Server.Configuration;
using LockLab.Server.Rooms;
using LockLab.Server.Runs;
using Microsoft.Extensions.Options;

namespace LockLab.Server.Students;

/// <summary>
/// Where students' runs wait for their turn, fairly: round-robin by student (each student's next run in turn, in the
/// order the students first came), so that a student with several runs waiting cannot starve the others. A run is handed
/// to the orchestrator only when one of its consumers is free and no presenter's run waits there
/// (<see cref="RunOrchestrator.WaitForFreeConsumerAsync"/>): the presenter's runs always go first, and every run is
/// carried out within the lab's usual concurrency (<see cref="RunLimits.MaxConcurrentRuns"/>). Students' runs take no
/// room slots: a class pressing Run together would fill them at once.
/// </summary>
/// <remarks>
/// Per instance: a student's runs wait on the instance their page reached. A room whose students' runs are switched off
/// has them cancelled here at once (<see cref="CancelWaiting"/>); one still waiting on another instance is cancelled
/// when its turn comes, as every run is checked against the room's setting before it is handed over.
/// </remarks>
public sealed class StudentRunQueue(
    RunOrchestrator orchestrator,
    RunStore store,
    RoomRegistry rooms,
    RunBroadcaster broadcaster,
    IOptions<LockLabOptions> options,
    TimeProvider clock,
    ILogger<StudentRunQueue> logger) : BackgroundService
{
    /// <summary>One student's runs waiting, oldest first.</summary>
    private sealed class Line(string key)
    {
        public string Key { get; } = key;
        public Queue<Run> Runs { get; set; } = new();
    }

    private readonly Lock _gate = new();
    /// <summary>The rotation: the first line's first run goes next, and that line then goes to the back.</summary>
    private readonly LinkedList<Line> _lines = new();
    private readonly Dictionary<string, LinkedListNode<Line>> _lineOf = new(StringComparer.Ordinal);
    private int _waiting;
    private bool _stopping;
    private TaskCompletionSource _arrived = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Admission is one at a time, so that a student's count of active runs cannot be passed by two requests at once.</summary>
    private readonly SemaphoreSlim _admission = new(1, 1);

    private RunLimits Limits => options.Value.Limits;

    private static string KeyOf(string room, string studentId) => room + "/" + studentId;

    /// <summary>The student's runs queued or running on this server.</summary>
    public int ActiveOf(string room, string studentId) =>
        store.InRoom(room, int.MaxValue, r => !r.IsFinished && r.Owner?.StudentId == studentId).Count;

    /// <summary>Accepts a valid run of a student's and puts it in line, or says why not.</summary>
    public async Task<LaunchResult> EnqueueAsync(ValidRunRequest request, StudentOwner owner, CancellationToken ct)
    {
        await _admission.WaitAsync(ct);
        try
        {
            var most = Math.Max(1, Limits.ActiveRunsPerStudent);
            if (ActiveOf(request.Room, owner.StudentId) >= most)
            {
                return new LaunchResult.Refused(LabErrorCode.NotNow, TextTemplates.Fill(LaunchResult.Refused.StudentBusy, most));
            }
            lock (_gate)
            {
                if (_waiting >= Limits.MaxQueuedStudentRuns)
                {
                    return new LaunchResult.Refused(LabErrorCode.QueueFull, LaunchResult.Refused.StudentQueueFull);
                }
            }
            var run = await orchestrator.AcceptHeldAsync(request, owner, Hold, ct);
            return run is null
                ? new LaunchResult.Refused(LabErrorCode.NotNow, LaunchResult.Refused.ShuttingDown)
                : new LaunchResult.Accepted(run.ToInfo());
        }
        finally
        {
            _admission.Release();
        }
    }

    /// <summary>Puts a run in its student's line (a new student's line at the back of the rotation).</summary>
    private void Hold(Run run)
    {
        TaskCompletionSource arrived;
        List<Run> moved;
        lock (_gate)
        {
            var key = KeyOf(run.Room, run.Owner!.StudentId);
            if (!_lineOf.TryGetValue(key, out var node)) _lineOf[key] = node = _lines.AddLast(new Line(key));
            node.Value.Runs.Enqueue(run);
            _waiting++;
            moved = Renumber();
            arrived = _arrived;
            _arrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        // The new run's own news goes out as it is followed; others it moved back (a new round) are told here.
        Tell(moved.Where(r => r != run));
        arrived.TrySetResult();
        _ = LeaveLineWhenStoppedAsync(run);
    }

    /// <summary>
    /// A run stopped while it waits (by its student or the presenter) leaves its line at once, and the runs behind it
    /// move up and are told so, rather than keep their places until the next run is handed over.
    /// </summary>
    private async Task LeaveLineWhenStoppedAsync(Run run)
    {
        // Its status changes once while it waits: to running (handed over) or to an end. The signal is taken before the
        // status is read, so that a change between the two is not missed.
        while (true)
        {
            var changed = run.Changed;
            if (run.Status != RunStatus.Queued) break;
            await changed;
        }
        if (!run.IsFinished) return;
        List<Run> moved;
        lock (_gate)
        {
            if (!_lineOf.TryGetValue(KeyOf(run.Room, run.Owner!.StudentId), out var node) || !node.Value.Runs.Contains(run)) return;
            var line = node.Value;
            line.Runs = new Queue<Run>(line.Runs.Where(r => r != run));
            _waiting--;
            if (line.Runs.Count == 0)
            {
                _lines.Remove(node);
                _lineOf.Remove(line.Key);
            }
            moved = Renumber();
        }
        Tell(moved);
    }

    /// <summary>
    /// The runs in the order they will be handed over: each line's first run in rotation order, then each line's second,
    /// and so on. Their places (<see cref="Run.QueuePosition"/>) are set from it; returns the runs whose place changed.
    /// </summary>
    private List<Run> Renumber()
    {
        var moved = new List<Run>();
        var position = 0;
        var lines = _lines.Select(l => l.Runs.Where(r => !r.IsFinished).ToArray()).ToArray();
        for (var round = 0; lines.Any(l => l.Length > round); round++)
        {
            foreach (var line in lines)
            {
                if (line.Length <= round) continue;
                var run = line[round];
                position++;
                if (run.QueuePosition == position) continue;
                run.QueuePosition = position;
                moved.Add(run);
            }
        }
        return moved;
    }

    /// <summary>The next run in rotation, or null when none waits; the runs that moved up are told their new place.</summary>
    private Run? TakeNext(out List<Run> moved)
    {
        moved = [];
        while (_lines.First is { } first)
        {
            var line = first.Value;
            _lines.RemoveFirst();
            Run? next = null;
            while (line.Runs.TryDequeue(out var candidate))
            {
                _waiting--;
                if (candidate.IsFinished) continue; // stopped while it waited
                next = candidate;
                break;
            }
            if (line.Runs.Count > 0) _lines.AddLast(first);
            else _lineOf.Remove(line.Key);
            if (next is null) continue;
            next.QueuePosition = null;
            moved = Renumber();
            return next;
        }
        return null;
    }

    /// <summary>
    /// The presenter switched students' runs off in <paramref name="room"/>: its students' runs still waiting here are
    /// cancelled (their students are told, as for any run that ends); runs already going go on.
    /// </summary>
    public void CancelWaiting(string room)
    {
        var cancelled = new List<Run>();
        List<Run> moved;
        lock (_gate)
        {
            foreach (var node in EnumerateNodes().ToList())
            {
                var line = node.Value;
                if (line.Runs.FirstOrDefault() is not { } first || first.Room != room) continue;
                cancelled.AddRange(line.Runs);
                _waiting -= line.Runs.Count;
                line.Runs.Clear();
                _lines.Remove(node);
                _lineOf.Remove(line.Key);
            }
            moved = Renumber();
        }
        var at = clock.GetUtcNow();
        foreach (var run in cancelled) run.Stop(RunErrors.StudentRunsSwitchedOff, at);
        Tell(moved);
    }

    private IEnumerable<LinkedListNode<Line>> EnumerateNodes()
    {
        for (var node = _lines.First; node is not null; node = node.Next) yield return node;
    }

    /// <summary>Each moved run's student and the presenters hear of its new place in the queue.</summary>
    private void Tell(IEnumerable<Run> moved)
    {
        foreach (var run in moved)
        {
            if (run.Owner is { } owner && !run.IsFinished) broadcaster.SendStudentNews(run.ToInfo(), owner.StudentId);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                await WaitForArrivalAsync(stoppingToken);
                await orchestrator.WaitForFreeConsumerAsync(stoppingToken);
                Run? next;
                List<Run> moved;
                lock (_gate) next = TakeNext(out moved);
                Tell(moved);
                if (next is null) continue;
                await HandOverAsync(next);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        // Stopping: runs still waiting never begin; their students hear why.
        List<Run> left;
        lock (_gate)
        {
            _stopping = true;
            left = [.. _lines.SelectMany(l => l.Runs)];
            _lines.Clear();
            _lineOf.Clear();
            _waiting = 0;
        }
        foreach (var run in left) run.Stop(RunErrors.ServerShuttingDown, clock.GetUtcNow());
    }

    private async Task HandOverAsync(Run run)
    {
        try
        {
            // The room's setting may have changed on another instance while the run waited here.
            if (!await rooms.StudentsMayRunAsync(run.Room))
            {
                run.Stop(RunErrors.StudentRunsSwitchedOff, clock.GetUtcNow());
                return;
            }
        }
        catch (Exception ex)
        {
            // The setting cannot be read (Redis is away): the run goes ahead rather than hang in the queue.
            logger.LogWarning(ex, "Could not read whether students may run in room {Room}; running student run {RunId}", run.Room, run.Id);
        }
        orchestrator.HandOver(run);
    }

    private async Task WaitForArrivalAsync(CancellationToken ct)
    {
        while (true)
        {
            Task arrived;
            lock (_gate)
            {
                if (_waiting > 0 || _stopping) return;
                arrived = _arrived.Task;
            }
            await arrived.WaitAsync(ct);
        }
    }
}
