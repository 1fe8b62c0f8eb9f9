using System.Collections.Concurrent;
using LockLab.Contracts;
using LockLab.Server.Configuration;
using Microsoft.Extensions.Options;

namespace LockLab.Server.Runs;

/// <summary>
/// A few worker processes started ahead of time and waiting for a job, so that pressing Run does not wait for a
/// process to start (≈ 50 ms for a framework-dependent worker here): the first print comes as soon as the lesson's
/// own sleep allows. Each worker serves one run and exits; the pool refills in the background.
/// Idle workers exit with the server like any other (their stdin closes).
/// </summary>
public sealed class WorkerPool(WorkerExecutable executable, IOptions<LockLabOptions> options, ILogger<WorkerPool> logger) : IDisposable
{
    private readonly ConcurrentQueue<WorkerProcess> _idle = new();
    private int _refilling;
    private volatile bool _disposed;
    private Task _refill = Task.CompletedTask;
    /// <summary>Launches that failed in a row; 0 while launching works. Only the one refill running touches it.</summary>
    private int _failedLaunches;

    private int Size => Math.Max(0, options.Value.WorkerPoolSize);

    /// <summary>The pids of the workers waiting for a job.</summary>
    public IReadOnlyList<int> IdlePids => _idle.Select(w => w.Pid).ToList();

    /// <summary>Whether replacement workers are being started right now.</summary>
    internal bool Refilling => Volatile.Read(ref _refilling) == 1;

    /// <summary>The latest refill (completed when none has started): tests wait for it instead of for a clock.</summary>
    internal Task LatestRefill => Volatile.Read(ref _refill);

    /// <summary>A worker with this job: a waiting one when there is one, else a new one.</summary>
    /// <param name="refill">False: leave the pool short until the caller calls <see cref="Refill"/>, so that starting
    /// replacement processes does not compete for the processor with the run that took these (stress runs measure it).</param>
    public WorkerProcess Take(WorkerJob job, bool refill = true)
    {
        while (_idle.TryDequeue(out var candidate))
        {
            // A waiting worker may have died (killed, out of memory) since it was started: take the next one.
            if (TryAssign(candidate, job)) return refill ? Refilled(candidate) : candidate;
        }
        var fresh = WorkerProcess.Launch(executable);
        if (TryAssign(fresh, job)) return refill ? Refilled(fresh) : fresh;
        throw new IOException(RunErrors.WorkerExitedBeforeJob);
    }

    private static bool TryAssign(WorkerProcess worker, WorkerJob job)
    {
        try
        {
            if (!worker.HasExited)
            {
                worker.Assign(job);
                return true;
            }
        }
        catch (Exception ex) when (ex is IOException or InvalidOperationException)
        {
        }
        _ = worker.DisposeAsync();
        return false;
    }

    private WorkerProcess Refilled(WorkerProcess taken)
    {
        Refill();
        return taken;
    }

    /// <summary>
    /// Tops the pool up to its size, off the caller's path. When a worker cannot be launched (its program is missing,
    /// the system refuses new processes) the refill stops there: it does not try again by itself, which would spin as
    /// fast as the launch fails. The next call (the next run takes workers, and calls it) tries again. The first
    /// failure of a series is logged as a warning, the rest at Debug, and a launch that works again says so once.
    /// </summary>
    public void Refill()
    {
        if (_disposed || Size == 0 || Interlocked.Exchange(ref _refilling, 1) == 1) return;
        // Published before it starts, so that a refill it starts in turn (below) is never overwritten by it.
        var refill = new Task(() =>
        {
            var failed = false;
            try
            {
                while (!_disposed && _idle.Count < Size)
                {
                    _idle.Enqueue(WorkerProcess.Launch(executable));
                    LaunchWorked();
                    if (_disposed) DrainIdle(); // disposed while this one started: it must not be left waiting
                }
            }
            catch (Exception ex)
            {
                failed = true;
                LaunchFailed(ex);
            }
            finally
            {
                Volatile.Write(ref _refilling, 0);
            }
            // A Take between the last count check and clearing the flag found a refill "running": top up again.
            // Not after a failure: the next Refill tries again.
            if (!failed && !_disposed && _idle.Count < Size) Refill();
        }, TaskCreationOptions.DenyChildAttach);
        Volatile.Write(ref _refill, refill);
        refill.Start(TaskScheduler.Default);
    }

    private void LaunchWorked()
    {
        if (_failedLaunches == 0) return;
        logger.LogInformation("Pre-starting workers works again, after {FailedLaunches} failed attempt(s)", _failedLaunches);
        _failedLaunches = 0;
    }

    private void LaunchFailed(Exception ex)
    {
        if (_failedLaunches++ == 0)
        {
            logger.LogWarning(ex, "Could not pre-start a worker; runs will start their own. The pool tries again " +
                "when the next run takes its workers; until a launch works, further failures are logged at Debug");
        }
        else
        {
            logger.LogDebug(ex, "Could not pre-start a worker ({FailedLaunches} failed attempts in a row)", _failedLaunches);
        }
    }

    public void Dispose()
    {
        _disposed = true;
        DrainIdle();
    }

    private void DrainIdle()
    {
        while (_idle.TryDequeue(out var worker)) worker.DisposeAsync().AsTask().Wait(TimeSpan.FromSeconds(5));
    }
}
