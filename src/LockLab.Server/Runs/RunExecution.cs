using System.Diagnostics;
using LockLab.Contracts;
using LockLab.Contracts.Experiments;
using LockLab.Server.Configuration;
using LockLab.SharedMemory;

namespace LockLab.Server.Runs;

/// <summary>How a run ended: its status, its summary when it completed, and why not when it did not.</summary>
public sealed record RunOutcome(RunStatus Status, RunSummary? Summary, string? Error)
{
    /// <summary>What a run that ended in an error nobody foresaw is finished with.</summary>
    public static readonly RunOutcome Unexpected = new(RunStatus.Failed, null, RunErrors.EndedUnexpectedly);
}

/// <summary>
/// One run being carried out (<see cref="RunExecutor"/>), step by step: start its workers on a new segment
/// (<see cref="StartWorkers"/>), follow what they report (<see cref="FollowWorkers"/>), wait for the start gate
/// (<see cref="OpenGateAsync"/>), play its rounds, sum it up (<see cref="Summarize"/>); and whatever happened, end it
/// (<see cref="EndAsync"/>): workers gone, segment deleted, the run finished with its outcome.
/// </summary>
public sealed class RunExecution : IDisposable
{
    private readonly Run _run;
    private readonly RunParameters _p;
    private readonly RunLimits _limits;
    private readonly WorkerPool _pool;
    private readonly IRunMetrics _metrics;
    private readonly TimeProvider _clock;
    private readonly ILogger _logger;
    private readonly CancellationToken _stopping;
    private readonly CancellationTokenSource _timeLimit;
    private readonly string _segmentPath;
    private readonly List<WorkerProcess> _workers = [];
    private readonly EventSequencer _sequencer = new();
    /// <summary>The summary is worked out as the events arrive: by the end, most of a big run's events have left memory.</summary>
    private readonly RunSummaryCollector _collector;
    private SharedSegment? _segment;
    private RunControl? _control;
    /// <summary>When the gate opened (<see cref="Stopwatch.GetTimestamp"/>); 0 before.</summary>
    private long _started;
    /// <summary>The first failure names the culprit; the workers killed because of it are not blamed.</summary>
    private string? _firstFailure;
    /// <summary>What the run's processes execute, and its text as each worker is handed it.</summary>
    private readonly ExperimentProgram _program;
    private readonly string _programText;
    /// <summary>A lesson experiment (one counter, one lock) summarizes as it always has; any other program per integer.</summary>
    private readonly bool _classic;
    /// <summary>Set once the wait-for graph showed a cycle: the run ends <see cref="RunStatus.Deadlocked"/>.</summary>
    private volatile DeadlockReport? _deadlock;
    private readonly CancellationTokenSource _stopWatching = new();
    private Task _watching = Task.CompletedTask;

    public RunExecution(Run run, WorkerPool pool, IRunMetrics metrics, RunLimits limits, TimeProvider clock, ILogger logger,
        CancellationToken stopping)
    {
        (_run, _p, _pool, _metrics, _limits, _clock, _logger, _stopping) =
            (run, run.Parameters, pool, metrics, limits, clock, logger, stopping);
        _segmentPath = RunSegments.NewPathFor(run.Id);
        _program = run.Program;
        _programText = ProgramText.Format(_program);
        _classic = Scenarios.IsClassic(run.Scenario);
        _collector = new RunSummaryCollector(_p, _classic ? null : _program);
        _timeLimit = CancellationTokenSource.CreateLinkedTokenSource(stopping, run.StopToken);
        // A repeated lesson experiment ("Run 100 times") is that many runs in one: each round gets the time limit of a run.
        LimitSeconds = _p.Mode == RunMode.Step ? limits.StepRunTimeLimitSeconds
            : _p.ReportsSteps ? limits.RunTimeLimitSeconds * Math.Max(1, _p.Rounds) : limits.RunTimeLimitSeconds;
    }

    /// <summary>The run's wall-time limit, counted from the start gate.</summary>
    public int LimitSeconds { get; }

    /// <summary>Carries the run out to its end; an outcome for every way a run can end but an error nobody foresaw.</summary>
    public async Task<RunOutcome> CarryOutAsync()
    {
        try
        {
            var asked = StartWorkers();
            var following = FollowWorkers();
            // Watching from before the gate opens: on a busy server the continuation after the gate can come hundreds of
            // milliseconds late, and a deadlock may form within the run's first hundred.
            _watching = WatchForDeadlockAsync();
            await OpenGateAsync(asked);
            var rounds = _p.Rounds > 1
                ? await Task.Run(
                    () => PlayRounds(_segment!, _p, _started, () => _firstFailure is not null, _timeLimit.Token),
                    _timeLimit.Token)
                : null;
            await Task.WhenAll(following);
            _sequencer.Drain(Release);
            return new RunOutcome(RunStatus.Completed, Summarize(rounds), null);
        }
        catch (Exception ex) when (OutcomeOf(ex) is { } outcome)
        {
            return outcome;
        }
    }

    private RunOutcome? OutcomeOf(Exception ex) => ex switch
    {
        // The workers were ended because they were deadlocked; whatever their readers then threw is that ending.
        _ when _deadlock is { } deadlock => Deadlocked(deadlock),
        OperationCanceledException when _stopping.IsCancellationRequested => new(RunStatus.Cancelled, null, RunErrors.ServerShuttingDown),
        OperationCanceledException when _run.StopReason is { } reason => new(RunStatus.Cancelled, null, reason),
        OperationCanceledException => new(RunStatus.Failed, null, TextTemplates.Fill(RunErrors.TimeLimitExceeded, LimitSeconds)),
        RunFailedException or InvalidDataException or IOException or System.ComponentModel.Win32Exception =>
            new(RunStatus.Failed, null, _firstFailure ?? ex.Message),
        _ => null,
    };

    /// <summary>
    /// Creates the segment, arms its gate and hands every worker its job; returns when the workers were asked for. The
    /// run counts as running from here: the gate may open as soon as the jobs are out.
    /// </summary>
    private long StartWorkers()
    {
        _segment = SharedSegment.Create(_segmentPath);
        RunSegments.Prepare(_segment, _program);
        // The last worker to stand at the gate opens it: nobody waits for the server to notice and open it.
        _segment.ArmGate(_p.StartMode == StartMode.Simultaneous, _p.Processes); // lesson and python: one after the other
        _control = _run.Control = new RunControl(_run, _segment);
        if (!_run.TryMarkRunning(_clock.GetUtcNow())) throw new OperationCanceledException("Stopped before its workers were started.");
        var asked = Stopwatch.GetTimestamp();
        // The last job goes out first and p1's last: woken last, p1 (the first to start) is most often the last one
        // ready, which then opens the gate itself and goes straight on, where a waiting p1 would first have to be woken.
        for (var i = _p.Processes - 1; i >= 0; i--)
        {
            var job = new WorkerJob(_segmentPath, i, _p.Amounts[i], _p.Iterations, _p.DelayMs, _p.GapMs, _p.Lock, _p.StartMode,
                StepEvents: _p.ReportsSteps, Stepped: _p.Mode == RunMode.Step, Rounds: _p.Rounds, BelowNormal: LatestLines.IsBig(_p),
                Program: _programText);
            // Marked as the last job goes out, not once it is out: its worker may open the gate (and start the run)
            // before the server's thread is back from handing it over.
            if (i == 0) _run.Timeline.MarkJobsHanded();
            // Starting the pool's replacement workers (process start-up, compilation: about a core for 100 ms each)
            // takes the processor for a while, so it happens only when the run has ended (EndAsync), for every kind of
            // run: refilled now, on two cores, they delayed a lesson's first wake-up by ~5 ms (docs/benchmarks.md).
            _workers.Add(_pool.Take(job, refill: false));
        }
        _workers.Sort((a, b) => a.Index.CompareTo(b.Index));
        return asked;
    }

    /// <summary>
    /// Readers and exit watchers, from the start, so that a worker failing before the gate is noticed. The first failure
    /// wins: it names the culprit, and the other workers are killed at once.
    /// </summary>
    private List<Task> FollowWorkers() =>
        [.. _workers.Select(w => GuardAsync(ReadEventsAsync(w))),
            .. _workers.Select(w => GuardAsync(WatchExitAsync(w, _segment!, _timeLimit.Token)))];

    private async Task GuardAsync(Task task)
    {
        try
        {
            await task;
        }
        catch (Exception ex) when (ex is RunFailedException or InvalidDataException or IOException)
        {
            if (Interlocked.CompareExchange(ref _firstFailure, ex.Message, null) is null)
            {
                foreach (var w in _workers) w.Kill();
            }
            throw;
        }
    }

    /// <summary>One worker's events, in that worker's order: the place to pair its lock-wait with its lock-acquired.</summary>
    private Task ReadEventsAsync(WorkerProcess worker)
    {
        var lockWaits = _metrics.LockWaits(_run.Scenario, _p);
        return worker.ReadEventsAsync(async (batch, readAt) =>
        {
            _run.Timeline.Read(batch, readAt);
            lockWaits?.Invoke(batch);
            Accept(batch);
            // Memory holds at most a budget's worth of this run's events that are not yet sent and stored.
            await _run.WaitForRoomAsync(_limits.RetainedEventBudget, _timeLimit.Token);
        }, _timeLimit.Token);
    }

    private void Accept(List<RunEvent> batch)
    {
        _metrics.EventsReceived(batch.Count);
        _sequencer.Add(batch, Release);
        if (_run.EventCount > _limits.MaxEventsPerRun)
        {
            throw new RunFailedException(TextTemplates.Fill(RunErrors.TooManyEvents, _limits.MaxEventsPerRun));
        }
    }

    /// <summary>Events in ticket order: into the summary and the run's log.</summary>
    private void Release(List<RunEvent> ordered)
    {
        _collector.Add(ordered);
        _run.Append(ordered);
    }

    /// <summary>Waits for the start gate, notes its instant, and starts the run's wall-time limit from it.</summary>
    private async Task OpenGateAsync(long asked)
    {
        await WaitUntilGateOpenedAsync(_segment!, _workers, TimeSpan.FromSeconds(_limits.WorkerStartTimeoutSeconds), _timeLimit.Token);
        _started = _segment!.RunStartTimestamp;
        // The gate's instant on the wall clock (the monotonic clock has no date): what the events' atMs count from.
        _run.MarkGateOpened(_clock.GetUtcNow() - Stopwatch.GetElapsedTime(_started));
        _run.Timeline.MarkWorkersReady(_started); // the last one to be ready opened the gate in that instant
        _run.Timeline.MarkGateOpened(_started);
        _metrics.WorkersReady(Stopwatch.GetElapsedTime(asked, _started), prestarted: _workers.All(w => w.LaunchedAt < asked));
        // The wall-time limit counts from the gate: starting the workers has its own time-out, so a busy machine that
        // is slow to start processes does not eat into the run's own time.
        _timeLimit.CancelAfter(TimeSpan.FromSeconds(LimitSeconds));
        _logger.LogInformation("Run {RunId} started: {Scenario} in room {Room}, pids {Pids}",
            _run.Id, _run.Scenario, _run.Room, string.Join(",", _workers.Select(w => w.Pid)));
    }

    private RunSummary Summarize(PlayedRounds? rounds)
    {
        var duration = Stopwatch.GetElapsedTime(_started).TotalMilliseconds;
        if (!_classic) return SummarizeProgram(Math.Round(duration, 3), ranToTheEnd: true);
        var summary = _collector.Build(_segment!.Counter, Math.Round(duration, 3),
            _workers.ToDictionary(w => w.Name, w => (w.Pid, w.ExitCode)), rounds?.FinalValues);
        if (rounds is not null && !_p.ReportsSteps) summary = summary with { IncrementsPerSecond = rounds.IncrementsPerSecond };
        if (summary.Discrepancy is { } discrepancy)
        {
            _logger.LogError("Run {RunId}: its events do not account for its final value: {Discrepancy}", _run.Id, discrepancy);
        }
        return summary;
    }

    private RunSummary SummarizeProgram(double durationMs, bool ranToTheEnd)
    {
        var finals = Enumerable.Range(0, _program.Shared.Count).Select(i => (long)_segment!.ReadShared(i).Value).ToArray();
        var summary = _collector.BuildForProgram(finals, durationMs, _workers.ToDictionary(w => w.Name, w => (w.Pid, w.ExitCode)),
            ranToTheEnd);
        if (summary.Discrepancy is { } discrepancy)
        {
            _logger.LogError("Run {RunId}: its events do not account for its final values: {Discrepancy}", _run.Id, discrepancy);
        }
        return summary;
    }

    /// <summary>
    /// A deadlocked run's outcome: its workers are gone (ended on detection), so every event they wrote has been read;
    /// the summary accounts for what they did up to the deadlock and names the cycle.
    /// </summary>
    private RunOutcome Deadlocked(DeadlockReport deadlock)
    {
        _sequencer.Drain(Release);
        var summary = SummarizeProgram(deadlock.DetectedAtMs, ranToTheEnd: false) with { Deadlock = deadlock };
        return new RunOutcome(RunStatus.Deadlocked, summary, RunErrors.Deadlocked);
    }

    /// <summary>How often the wait-for graph is read: a deadlock is seen in two readings in a row, so within about twice
    /// this of forming (the lab promises 200 ms).</summary>
    public static readonly TimeSpan DeadlockWatchInterval = TimeSpan.FromMilliseconds(20);

    /// <summary>
    /// Reads the run's wait-for graph from the segment every <see cref="DeadlockWatchInterval"/> while the run goes: a
    /// cycle of processes waiting for one another (<see cref="WaitForGraph.Cycle"/>), the same in two readings in a row
    /// (so that no half-written moment of the graph counts), ends the run: its workers are ended as for a stop, their
    /// readers then read what they wrote to the end, and the run finishes <see cref="RunStatus.Deadlocked"/>. Only runs
    /// that report their steps keep the graph (a stress run's fast path has one lock and cannot deadlock).
    /// </summary>
    private Task WatchForDeadlockAsync()
    {
        var resources = _program.Locks.Count + _program.Semaphores.Count;
        if (!_p.ReportsSteps || resources == 0) return Task.CompletedTask;
        var names = WaitForGraph.ResourceNames(_program);
        var segment = _segment!;
        var token = _stopWatching.Token;
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        // A thread of its own, not the thread pool's timers: a busy server (a big run's events, a room of pages) can keep
        // pool threads waiting for tens of milliseconds, and the lab promises to see a deadlock within 200 ms.
        var watch = new Thread(() =>
        {
            try
            {
                string? seen = null;
                while (!token.WaitHandle.WaitOne(DeadlockWatchInterval))
                {
                    var graph = WaitForGraph.Read(segment, _p.Processes, _program.Locks.Count, _program.Semaphores.Count);
                    if (graph.Cycle() is not { } cycle)
                    {
                        seen = null;
                        continue;
                    }
                    var signature = graph.Signature(cycle);
                    if (signature != seen)
                    {
                        seen = signature;
                        continue;
                    }
                    // The gate has opened (the processes ran into the cycle): the run's start is in the segment.
                    _deadlock = graph.Report(cycle, names, segment.RunStartTimestamp, Stopwatch.GetTimestamp());
                    _logger.LogInformation("Run {RunId} deadlocked: {Cycle}", _run.Id, _deadlock.Describe());
                    foreach (var w in _workers) w.Kill();
                    return;
                }
            }
            catch (Exception ex)
            {
                _logger.LogError(ex, "Run {RunId}: the deadlock watch failed", _run.Id);
            }
            finally
            {
                done.TrySetResult();
            }
        })
        {
            IsBackground = true,
            Name = "deadlock watch",
        };
        watch.Start();
        return done.Task;
    }

    /// <summary>
    /// Ends the run, however it went: no step may reach the segment any more, the workers are gone, every event that
    /// arrived is kept, the segment is deleted, the pool refilled; only then is the run marked finished, so that whoever
    /// sees "completed" or "failed" can rely on all that.
    /// </summary>
    public async Task EndAsync(RunOutcome outcome)
    {
        _run.Control = null;
        _control?.Close();
        // The watch reads the segment: it stops before the segment is unmapped.
        _stopWatching.Cancel();
        await _watching;
        foreach (var w in _workers)
        {
            try
            {
                await w.DisposeAsync(); // kills it if still running, and waits for it
            }
            catch (Exception ex)
            {
                _logger.LogError(ex, "Could not stop worker {Process} (pid {Pid}) of run {RunId}", w.Name, w.Pid, _run.Id);
            }
        }
        // Keep every event that did arrive: what happened before a failure is part of the lesson too.
        _sequencer.Drain(Release);
        _segment?.Dispose();
        TryDelete(_segmentPath);
        _pool.Refill(); // no-op when already full or refilling; after a failure before the gate, too
        _metrics.RunFinished(_run.Scenario, outcome.Status); // counted before anyone can see it finished
        _run.Finish(outcome.Status, _clock.GetUtcNow(), outcome.Summary, outcome.Error);
        LogEnd();
    }

    private void LogEnd()
    {
        var info = _run.ToInfo();
        _logger.LogInformation(
            "Run {RunId} {Status}: {Scenario} in room {Room}, {DurationMs} ms, final value {FinalValue} (expected " +
                "{Expected}), {LostUpdates} lost updates, {EventCount} events{Error}",
            _run.Id, WireNames.Name(info.Status), _run.Scenario, _run.Room,
            info.Summary?.DurationMs ?? Math.Round(_started == 0 ? 0 : Stopwatch.GetElapsedTime(_started).TotalMilliseconds),
            info.Summary?.ActualFinalValue, _p.ExpectedFinalValue, info.Summary?.LostUpdates, info.EventCount,
            info.Error is null ? "" : $" — {info.Error}");
    }

    public void Dispose()
    {
        _timeLimit.Dispose();
        _stopWatching.Dispose();
    }

    /// <summary>What the rounds of a repeated run came to: the shared value at the end of each, and for a stress run
    /// the increments per second.</summary>
    private sealed record PlayedRounds(IReadOnlyList<long> FinalValues, double IncrementsPerSecond);

    /// <summary>
    /// A run of several rounds (a stress run, or a lesson experiment run 100 times): release each round, wait until every
    /// worker has finished it, note the final value, reset.
    /// Increments per second (stress) count the time the processes spent counting: each round from the first process beginning
    /// its part to the last one finishing (the workers note both in the segment), as the Python comparison times its
    /// processes. Process start-up is not included, and neither is waking the processes for each round and noticing
    /// that they are done, which on a busy machine can take milliseconds per round, longer than the counting.
    /// A round whose times are missing is timed here, from its release (round 0: <paramref name="gateOpened"/>).
    /// </summary>
    private static PlayedRounds PlayRounds(SharedSegment segment, RunParameters p, long gateOpened, Func<bool> failed, CancellationToken ct)
    {
        var finalValues = new List<long>(p.Rounds);
        long busy = 0;
        for (var round = 0; round < p.Rounds; round++)
        {
            var start = round == 0 ? gateOpened : Stopwatch.GetTimestamp();
            if (round > 0) segment.StartRound(round, p.StartMode == StartMode.Simultaneous); // round 0 was released by the start gate
            while (!segment.WaitForRoundsDone(p.Processes * (round + 1), TimeSpan.FromMilliseconds(50), ct))
            {
                if (failed()) throw new RunFailedException(TextTemplates.Fill(RunErrors.WorkerFailedInRound, round + 1, p.Rounds));
            }
            var counting = segment.CountingSpan(p.Processes);
            busy += counting > 0 ? counting : Stopwatch.GetTimestamp() - start;
            finalValues.Add(segment.Counter);
        }
        var increments = (double)p.Processes * p.Iterations * p.Rounds;
        var seconds = (double)busy / Stopwatch.Frequency;
        return new PlayedRounds(finalValues, Math.Round(increments / seconds));
    }

    /// <summary>A worker that ends badly ends the run: the others are stopped at once, not left to time out.</summary>
    private static async Task WatchExitAsync(WorkerProcess worker, SharedSegment segment, CancellationToken ct)
    {
        await worker.WaitForExitAsync(ct);
        if (worker.ExitCode != 0) throw new RunFailedException(DescribeExit(worker, segment));
    }

    /// <param name="segment">Still mapped: the run's segment outlives its exit watchers.</param>
    private static string DescribeExit(WorkerProcess worker, SharedSegment? segment = null)
    {
        var holding = segment?.Lock.Holder == worker.Index + 1;
        var said = worker.StandardError;
        return string.IsNullOrEmpty(said)
            ? TextTemplates.Fill(holding ? RunErrors.WorkerDiedHoldingLock : RunErrors.WorkerDied, worker.Name, worker.Pid, worker.ExitCode)
            : TextTemplates.Fill(holding ? RunErrors.WorkerDiedHoldingLockSaying : RunErrors.WorkerDiedSaying,
                worker.Name, worker.Pid, worker.ExitCode, said);
    }

    /// <summary>
    /// Waits until every worker has mapped the segment and stood at the gate, the last one opening it, or one of them has
    /// died. The run's events may already be flowing when this returns.
    /// </summary>
    private static async Task WaitUntilGateOpenedAsync(
        SharedSegment segment, List<WorkerProcess> workers, TimeSpan timeout, CancellationToken ct)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        // A short blocking wait on the segment's futex per slice: the opening is seen within microseconds.
        while (!await Task.Run(() => segment.WaitUntilGateOpened(TimeSpan.FromMilliseconds(50)), ct))
        {
            if (workers.FirstOrDefault(w => w.HasExited) is { } gone) throw new RunFailedException(DescribeExit(gone));
            if (Stopwatch.GetTimestamp() > deadline)
                throw new RunFailedException(TextTemplates.Fill(RunErrors.WorkersNotReady, Math.Round(timeout.TotalSeconds)));
        }
    }

    private void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Logged, never thrown: the run still ends (a run must never stay "running" over a file it cannot remove).
            _logger.LogWarning(ex, "Could not delete the run segment {SegmentPath}", path);
        }
    }
}
