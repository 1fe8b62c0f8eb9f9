using LockLab.Contracts;
using System.Threading.Channels;
using LockLab.Server.Configuration;
using Microsoft.Extensions.Options;

namespace LockLab.Server.Runs;

/// <summary>
/// Accepts run requests from the REST API and the hub, queues them, and carries out at most
/// <see cref="RunLimits.MaxConcurrentRuns"/> at a time. Each accepted run is followed by the run observers
/// (<see cref="IRunObserver"/>: its room's broadcast, its record in the history) as it goes.
/// </summary>
public sealed class RunOrchestrator(
    RunStore store,
    IRoomRunSlots roomSlots,
    RunExecutor executor,
    IEnumerable<IRunObserver> observers,
    WorkerPool pool,
    RetainedEvents retained,
    RunMemory memory,
    IOptions<LockLabOptions> options,
    TimeProvider clock,
    ILogger<RunOrchestrator> logger) : BackgroundService
{
    private readonly Channel<Run> _queue = Channel.CreateBounded<Run>(new BoundedChannelOptions(MaxQueued(options))
    {
        FullMode = BoundedChannelFullMode.Wait,
        // A free consumer takes a run inline, on the thread that queues it, up to the executor's first wait (its workers
        // have their jobs by then): handed to another thread, the run waited for that thread to be woken, up to a
        // millisecond or more on a busy machine, before its workers could start (docs/benchmarks.md, "The lesson's experiment").
        AllowSynchronousContinuations = true,
    });

    private static int MaxQueued(IOptions<LockLabOptions> options) => options.Value.Limits.MaxQueuedRuns;

    private readonly IRunObserver[] _observers = [.. observers];

    /// <summary>Admission is one at a time; a semaphore, not a lock, because taking a room's slot may await Redis.</summary>
    private readonly SemaphoreSlim _admission = new(1, 1);
    private volatile bool _stopping;

    /// <summary>Consumers: runs carried out at once (<see cref="RunLimits.MaxConcurrentRuns"/>).</summary>
    private int Slots => Math.Max(1, options.Value.Limits.MaxConcurrentRuns);

    // Runs in the queue or being carried out: a run held elsewhere (a student's) is handed in only while this is below
    // the consumers' number, so that it never waits in front of a presenter's run.
    private readonly Lock _loadGate = new();
    private int _load;
    private TaskCompletionSource _lighter = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private void AddLoad()
    {
        lock (_loadGate) _load++;
    }

    private void RemoveLoad()
    {
        TaskCompletionSource lighter;
        lock (_loadGate)
        {
            _load--;
            lighter = _lighter;
            _lighter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        lighter.TrySetResult();
    }

    /// <summary>
    /// Completes once a consumer is free and no run waits in the queue: the moment a run held elsewhere (a student's,
    /// <see cref="HandOver"/>) may go in without overtaking, or waiting in front of, a presenter's run.
    /// </summary>
    public async Task WaitForFreeConsumerAsync(CancellationToken ct)
    {
        while (true)
        {
            Task lighter;
            lock (_loadGate)
            {
                if (_load < Slots) return;
                lighter = _lighter.Task;
            }
            await lighter.WaitAsync(ct);
        }
    }

    /// <summary>
    /// Accepts a run that waits elsewhere until its turn (a student's run, in the students' fair queue): the lab knows it
    /// from now on and its observers follow it (its pages see it queued), but it takes no room slot and is not queued
    /// here until <see cref="HandOver"/>. Null when the server is stopping.
    /// </summary>
    /// <param name="hold">Puts the run where it waits; called before anyone follows it, so that its first news already
    /// says where it waits.</param>
    public async Task<Run?> AcceptHeldAsync(ValidRunRequest request, StudentOwner owner, Action<Run> hold, CancellationToken ct = default)
    {
        await _admission.WaitAsync(ct);
        try
        {
            if (_stopping) return null;
            var run = new Run(NewRunId(), request, clock.GetUtcNow(), retained) { Owner = owner };
            store.Add(run);
            hold(run);
            foreach (var observer in _observers) observer.Follow(run);
            return run;
        }
        finally
        {
            _admission.Release();
        }
    }

    /// <summary>A held run's turn has come (<see cref="WaitForFreeConsumerAsync"/>): it is queued for a consumer.</summary>
    public void HandOver(Run run)
    {
        AddLoad();
        if (_queue.Writer.TryWrite(run)) return;
        // The queue is closed (the server is stopping) or, against the wait above, full.
        RemoveLoad();
        run.Stop(RunErrors.ServerShuttingDown, clock.GetUtcNow());
    }

    /// <summary>
    /// Queues a validated request, or says why not: the room already has its share of runs (<c>Refusal</c> set), or
    /// the queue is full (both null). Requests are admitted one at a time, and a run takes one of its room's slots
    /// (<see cref="IRoomRunSlots"/>, on every instance of the deployment) before it is queued, so a crowd of requests
    /// arriving together, at one instance or several, cannot slip past the per-room limit.
    /// </summary>
    /// <param name="ct">The caller gave up (its request or connection ended): it stops waiting for admission.</param>
    public async Task<LaunchResult> EnqueueAsync(ValidRunRequest request, CancellationToken ct = default)
    {
        await _admission.WaitAsync(ct);
        try
        {
            if (_stopping) return new LaunchResult.Refused(LabErrorCode.NotNow, LaunchResult.Refused.ShuttingDown);
            var perRoom = options.Value.Limits.MaxActiveRunsPerRoom;
            var run = new Run(NewRunId(), request, clock.GetUtcNow(), retained);
            if (!await roomSlots.TryTakeAsync(run.Room, run.Id, perRoom))
            {
                return new LaunchResult.Refused(LabErrorCode.RoomFull,
                    TextTemplates.Fill(LaunchResult.Refused.RoomBusy, request.Room, perRoom));
            }
            if (Admit(run)) return new LaunchResult.Accepted(run.ToInfo());
            await roomSlots.ReturnAsync(run.Room, run.Id);
            return new LaunchResult.QueueFull();
        }
        finally
        {
            _admission.Release();
        }
    }

    /// <summary>Lets the run's room follow it and queues it; false when the queue is full.</summary>
    private bool Admit(Run run)
    {
        // Admission is one at a time and only the consumers take runs out: a queue with room now still has it below.
        if (_queue.Reader.Count >= MaxQueued(options)) return false;
        store.Add(run);
        // Viewers see the run from the moment it is accepted, its events as they happen, and the history keeps it.
        // Followed before it is queued, because a free consumer starts it inside TryWrite.
        foreach (var observer in _observers) observer.Follow(run);
        AddLoad();
        if (!_queue.Writer.TryWrite(run)) throw new InvalidOperationException("The run queue refused a run it had room for.");
        return true;
    }

    /// <summary>Short, URL-safe and unique: time-ordered so that ids sort by creation.</summary>
    private static string NewRunId() => Guid.CreateVersion7().ToString("N")[..20];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        pool.Refill(); // the first run of the day should not wait for process start-up either
        if (RunSegments.RemoveOrphans() is > 0 and var removed)
        {
            logger.LogInformation("Removed {Count} shared-memory file(s) left by a server that did not shut down", removed);
        }
        await Task.WhenAll(Enumerable.Range(0, Slots).Select(_ => ConsumeAsync(stoppingToken)));
        // Stopping: the runs in progress were cancelled by the executor; those still waiting never begin.
        await _admission.WaitAsync(CancellationToken.None);
        _stopping = true;
        _admission.Release();
        _queue.Writer.TryComplete();
        while (_queue.Reader.TryRead(out var waiting)) waiting.Stop(RunErrors.ServerShuttingDown, clock.GetUtcNow());
    }

    private async Task ConsumeAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var run in _queue.Reader.ReadAllAsync(stoppingToken))
            {
                try
                {
                    await ConsumeOneAsync(run, stoppingToken);
                }
                finally
                {
                    RemoveLoad();
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task ConsumeOneAsync(Run run, CancellationToken stoppingToken)
    {
        if (!run.TryBegin()) return; // stopped while it was queued
        try
        {
            await executor.ExecuteAsync(run, stoppingToken);
        }
        catch (Exception ex)
        {
            // One broken run must never take the lab down.
            logger.LogError(ex, "Run {RunId} in room {Room} crashed the executor", run.Id, run.Room);
            run.Finish(Contracts.RunStatus.Failed, clock.GetUtcNow(), null, TextTemplates.Fill(Contracts.RunErrors.InternalError, ex.Message));
        }
        // Here, not in the executor: only once it has returned is the run's working state (its summary's
        // ledger above all) garbage.
        memory.AfterRun(run);
    }
}
