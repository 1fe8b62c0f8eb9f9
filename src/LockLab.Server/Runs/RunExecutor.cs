using System.Diagnostics;
using LockLab.Contracts;
using LockLab.Server.Configuration;
using LockLab.Server.Operations;
using LockLab.Worker;
using Microsoft.Extensions.Options;

namespace LockLab.Server.Runs;

/// <summary>
/// Carries out one run for real: creates the shared segment and arms its start gate, hands one worker process per
/// simulated process its job (the last worker to be ready opens the gate), collects their events in ticket order and
/// writes the summary. Whatever happens, the workers are gone and the segment file deleted when it returns.
/// </summary>
public sealed class RunExecutor(WorkerPool pool, LabMetrics metrics, IOptions<LockLabOptions> options, TimeProvider clock, ILogger<RunExecutor> logger)
{
    public async Task ExecuteAsync(Run run, CancellationToken stopping)
    {
        using var scope = logger.BeginRunScope(run.Id, run.Room);
        run.Timeline.MarkDequeued();
        metrics.RunStarted(run.Scenario);
        var limits = options.Value.Limits;
        var p = run.Parameters;
        var segmentPath = RunSegments.PathFor(run.Id);
        var workers = new List<WorkerProcess>();
        var sequencer = new EventSequencer();
        // The summary is worked out as the events arrive: by the end, most of a big run's events have left memory.
        var collector = new RunSummaryCollector(p);
        void Release(List<LockLab.Contracts.RunEvent> ordered)
        {
            collector.Add(ordered);
            run.Append(ordered);
        }
        SharedSegment? segment = null;
        using var timeLimit = CancellationTokenSource.CreateLinkedTokenSource(stopping, run.StopToken);
        // A repeated lesson experiment ("Run 100 times") is that many runs in one: each round gets the time limit of a run.
        var limitSeconds = p.Mode == RunMode.Step ? limits.StepRunTimeLimitSeconds
            : p.ReportsSteps ? limits.RunTimeLimitSeconds * Math.Max(1, p.Rounds) : limits.RunTimeLimitSeconds;
        RunControl? control = null;
        var started = 0L;
        string? firstFailure = null;
        // The run is marked finished only in `finally`, once its workers are gone and its segment deleted:
        // whoever sees "completed" or "failed" can rely on that.
        (RunStatus Status, RunSummary? Summary, string? Error) outcome = (RunStatus.Failed, null, "The run ended unexpectedly.");

        void Accept(List<LockLab.Contracts.RunEvent> batch)
        {
            metrics.EventsReceived(batch.Count);
            sequencer.Add(batch, Release);
            if (run.EventCount > limits.MaxEventsPerRun)
            {
                throw new RunFailedException($"The run reported more than {limits.MaxEventsPerRun} events (LockLab:Limits:MaxEventsPerRun); it was stopped.");
            }
        }

        async Task Guard(Task task)
        {
            try
            {
                await task;
            }
            catch (Exception ex) when (ex is RunFailedException or InvalidDataException or IOException)
            {
                if (Interlocked.CompareExchange(ref firstFailure, ex.Message, null) is null)
                {
                    foreach (var w in workers) w.Kill();
                }
                throw;
            }
        }

        // Each reader sees one worker's events in that worker's order: the place to pair its lock-wait with its lock-acquired.
        Task ReadEventsAsync(WorkerProcess worker)
        {
            var lockWaits = metrics.LockWaits(run.Scenario, p);
            return worker.ReadEventsAsync(async (batch, readAt) =>
            {
                run.Timeline.Read(batch, readAt);
                lockWaits?.Observe(batch);
                Accept(batch);
                // Memory holds at most a budget's worth of this run's events that are not yet sent and stored.
                await run.WaitForRoomAsync(limits.RetainedEventBudget, timeLimit.Token);
            }, timeLimit.Token);
        }

        // Starting the pool's replacement workers (process start-up, compilation: about a core for 100 ms each) takes
        // the processor for a while, so it happens only when the run has ended, for every kind of run: a stress run
        // measures increments per second on the machine's cores, and a lesson run's first sleep is not idle time either.
        // Refilled then, on two cores, the starting workers delayed the first wake-up by ~5 ms and the reading of the
        // first print by ~3 ms (docs/benchmarks.md, "The lesson's experiment").
        try
        {
            segment = SharedSegment.Create(segmentPath);
            // The last worker to stand at the gate opens it: nobody waits for the server to notice and open it.
            segment.ArmGate(p.StartMode == StartMode.Simultaneous, p.Processes); // lesson and python: one after the other
            control = run.Control = new RunControl(run, segment);
            // Running from the moment its workers have their jobs: the gate may open as soon as they are handed out.
            if (!run.TryMarkRunning(clock.GetUtcNow())) throw new OperationCanceledException("Stopped before its workers were started.");
            var asked = Stopwatch.GetTimestamp();
            // The last job goes out first and p1's last: woken last, p1 (the first to start) is most often the last one
            // ready, which then opens the gate itself and goes straight on, where a waiting p1 would first have to be woken.
            for (var i = p.Processes - 1; i >= 0; i--)
            {
                var job = new WorkerJob(segmentPath, i, p.Amounts[i], p.Iterations, p.DelayMs, p.GapMs, p.Lock, p.StartMode,
                    StepEvents: p.ReportsSteps, Stepped: p.Mode == RunMode.Step, Rounds: p.Rounds, BelowNormal: LatestLines.IsBig(p));
                // Marked as the last job goes out, not once it is out: its worker may open the gate (and start the run)
                // before the server's thread is back from handing it over.
                if (i == 0) run.Timeline.MarkJobsHanded();
                workers.Add(pool.Take(job, refill: false));
            }
            workers.Sort((a, b) => a.Index.CompareTo(b.Index));

            // Readers and exit watchers run from the start so that a worker failing before the gate is noticed.
            // The first failure wins: it names the culprit; the workers killed because of it are not blamed.
            var tasks = workers.Select(w => Guard(ReadEventsAsync(w)))
                .Concat(workers.Select(w => Guard(WatchExitAsync(w, segment, timeLimit.Token))))
                .ToList();

            await WaitUntilGateOpenedAsync(segment, workers, TimeSpan.FromSeconds(limits.WorkerStartTimeoutSeconds), timeLimit.Token);
            started = segment.RunStartTimestamp;
            // The gate's instant on the wall clock (the monotonic clock has no date): what the events' atMs count from.
            run.MarkGateOpened(clock.GetUtcNow() - Stopwatch.GetElapsedTime(started));
            run.Timeline.MarkWorkersReady(started); // the last one to be ready opened the gate in that instant
            run.Timeline.MarkGateOpened(started);
            metrics.WorkersReady(Stopwatch.GetElapsedTime(asked, started), prestarted: workers.All(w => w.LaunchedAt < asked));
            // The wall-time limit counts from the gate: starting the workers has its own time-out, so a busy
            // machine that is slow to start processes does not eat into the run's own time.
            timeLimit.CancelAfter(TimeSpan.FromSeconds(limitSeconds));
            logger.LogInformation("Run {RunId} started: {Scenario} in room {Room}, pids {Pids}",
                run.Id, run.Scenario, run.Room, string.Join(",", workers.Select(w => w.Pid)));

            var rounds = p.Rounds > 1 ? await Task.Run(() => PlayRounds(segment, p, started, () => firstFailure is not null, timeLimit.Token), timeLimit.Token) : null;
            await Task.WhenAll(tasks);
            sequencer.Drain(Release);

            var duration = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            var summary = collector.Build(segment.Counter, Math.Round(duration, 3),
                workers.ToDictionary(w => w.Name, w => (w.Pid, w.ExitCode)), rounds?.FinalValues);
            if (rounds is not null && !p.ReportsSteps) summary = summary with { IncrementsPerSecond = rounds.IncrementsPerSecond };
            if (summary.Discrepancy is { } discrepancy)
            {
                logger.LogError("Run {RunId}: its events do not account for its final value: {Discrepancy}", run.Id, discrepancy);
            }
            outcome = (RunStatus.Completed, summary, null);
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            outcome = (RunStatus.Cancelled, null, "The server is shutting down.");
        }
        catch (OperationCanceledException) when (run.StopReason is { } reason)
        {
            outcome = (RunStatus.Cancelled, null, reason);
        }
        catch (OperationCanceledException)
        {
            outcome = (RunStatus.Failed, null, $"The run exceeded its time limit of {limitSeconds} s; its worker processes were killed.");
        }
        catch (Exception ex) when (ex is RunFailedException or InvalidDataException or IOException or System.ComponentModel.Win32Exception)
        {
            outcome = (RunStatus.Failed, null, firstFailure ?? ex.Message);
        }
        finally
        {
            // No step may reach the segment once it is unmapped: close the door first.
            run.Control = null;
            control?.Close();
            foreach (var w in workers)
            {
                try
                {
                    await w.DisposeAsync(); // kills it if still running, and waits for it
                }
                catch (Exception ex)
                {
                    logger.LogError(ex, "Could not stop worker {Process} (pid {Pid}) of run {RunId}", w.Name, w.Pid, run.Id);
                }
            }
            // Keep every event that did arrive: what happened before a failure is part of the lesson too.
            sequencer.Drain(Release);
            segment?.Dispose();
            TryDelete(segmentPath);
            pool.Refill(); // no-op when already full or refilling; after a failure before the gate, too
            metrics.RunFinished(run.Scenario, outcome.Status); // counted before anyone can see it finished
            run.Finish(outcome.Status, clock.GetUtcNow(), outcome.Summary, outcome.Error);
            var info = run.ToInfo();
            logger.LogInformation(
                "Run {RunId} {Status}: {Scenario} in room {Room}, {DurationMs} ms, final value {FinalValue} (expected {Expected}), {LostUpdates} lost updates, {EventCount} events{Error}",
                run.Id, WireNames.Name(info.Status), run.Scenario, run.Room, info.Summary?.DurationMs ?? Math.Round(started == 0 ? 0 : Stopwatch.GetElapsedTime(started).TotalMilliseconds),
                info.Summary?.ActualFinalValue, p.ExpectedFinalValue, info.Summary?.LostUpdates, info.EventCount,
                info.Error is null ? "" : $" — {info.Error}");
        }
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
                if (failed()) throw new RunFailedException($"A worker failed in round {round + 1} of {p.Rounds}.");
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
        var detail = string.IsNullOrEmpty(worker.StandardError) ? "" : $": {worker.StandardError}";
        // Dead with the lock in hand: the others would wait forever for it (with Python's lock they would).
        var holding = segment?.Lock.Holder == worker.Index + 1 ? " while holding the lock" : "";
        return $"{worker.Name} (pid {worker.Pid}) died{holding}: it exited with code {worker.ExitCode}{detail}";
    }

    /// <summary>
    /// Waits until every worker has mapped the segment and stood at the gate, the last one opening it, or one of them has
    /// died. The run's events may already be flowing when this returns.
    /// </summary>
    private static async Task WaitUntilGateOpenedAsync(SharedSegment segment, List<WorkerProcess> workers, TimeSpan timeout, CancellationToken ct)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        // A short blocking wait on the segment's futex per slice: the opening is seen within microseconds.
        while (!await Task.Run(() => segment.WaitUntilGateOpened(TimeSpan.FromMilliseconds(50)), ct))
        {
            if (workers.FirstOrDefault(w => w.HasExited) is { } gone) throw new RunFailedException(DescribeExit(gone));
            if (Stopwatch.GetTimestamp() > deadline) throw new RunFailedException($"The worker processes were not ready within {timeout.TotalSeconds:0} s.");
        }
    }

    private void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException ex)
        {
            logger.LogWarning(ex, "Could not delete the run segment {SegmentPath}", path);
        }
    }
}

/// <summary>A run cannot go on, for a reason a teacher can read.</summary>
public sealed class RunFailedException(string message) : Exception(message);
