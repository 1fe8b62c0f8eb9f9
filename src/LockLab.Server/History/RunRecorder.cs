using System.Data.Common;
using LockLab.Contracts;
using LockLab.Server.Diagnostics;
using LockLab.Server.Runs;

namespace LockLab.Server.History;

/// <summary>
/// Writes each run to <see cref="RunHistory"/> as it goes: its row when it is accepted and whenever its status
/// changes, its events in batches (whatever arrived since the last write, one transaction). Like the broadcaster it
/// only follows the run's updates (<see cref="RunUpdates.FollowAsync"/>), so a slow or failing disk never slows a run
/// or its viewers: storage errors are logged, retried, and the run streams on.
/// </summary>
public sealed class RunRecorder(
    RunHistory history,
    RunStore store,
    RunFollowers followers,
    IInstanceDirectory instances,
    TimeProvider clock,
    ILogger<RunRecorder> logger) : IRunObserver, IHostedService
{
    public const int MaxBatch = 5000;
    private static readonly TimeSpan[] Retries = [TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5)];

    /// <summary>
    /// The pauses before each new attempt at a failed write (<see cref="Retries"/>). Tests of a history that can never
    /// take the write (a full disk, no database) shorten them: the server's stop waits for the recorder to give up.
    /// </summary>
    internal IReadOnlyList<TimeSpan> RetryDelays { get; set; } = Retries;

    /// <summary>How often a history that could not be opened is tried again.</summary>
    public static readonly TimeSpan ReopenEvery = TimeSpan.FromSeconds(2);

    private readonly CancellationTokenSource _stopping = new();

    /// <summary>
    /// Runs cut off by the last shutdown become <c>interrupted</c> before anything else happens. A history that cannot
    /// be opened now (a database server still starting) is tried again in the background until it opens: runs stream
    /// meanwhile, unkept, and <c>/readyz</c> says so.
    /// </summary>
    public Task StartAsync(CancellationToken ct)
    {
        if (history.StartupError is { } error)
        {
            logger.LogError(error, "Could not open the run history at {Location}; runs will stream but not be kept until it opens", history.Location);
            _ = Task.Run(ReopenAsync, CancellationToken.None);
            return Task.CompletedTask;
        }
        MarkInterrupted();
        return Task.CompletedTask;
    }

    private async Task ReopenAsync()
    {
        try
        {
            while (!history.TryOpenAgain()) await Task.Delay(ReopenEvery, _stopping.Token);
            logger.LogInformation("The run history at {Location} is open now; runs from now on are kept", history.Location);
            MarkInterrupted();
        }
        catch (OperationCanceledException)
        {
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "Trying to open the run history at {Location} again failed; restart the lab to try again", history.Location);
        }
    }

    private void MarkInterrupted()
    {
        try
        {
            // Runs still open whose instance is gone were cut off: with one server, by its own last stop; with several
            // sharing the database, by the stop of one of them — never the runs another instance is executing now.
            var interrupted = history.MarkInterrupted(owner => !instances.IsAlive(owner));
            if (interrupted.Count > 0) logger.LogWarning("{Count} run(s) were cut off by the last shutdown and are now marked interrupted", interrupted.Count);
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "Could not open the run history at {Location}; runs will stream but not be kept", history.Location);
        }
    }

    public Task StopAsync(CancellationToken ct)
    {
        _stopping.Cancel();
        return Task.CompletedTask;
    }

    public void Follow(Run run) => followers.Start(() => RecordAsync(run));

    /// <summary>Raised with a run's id once its final state and all its events are on disk.</summary>
    public event Action<string>? Recorded;

    private async Task RecordAsync(Run run)
    {
        using var scope = logger.BeginRunScope(run.Id, run.Room);
        RunStatus? savedStatus = null;
        var complete = history.StartupError is null;
        // Not kept: the run streams, and its events leave memory once sent (Run.StopKeeping).
        if (!complete) run.StopKeeping();
        await foreach (var update in run.FollowAsync(MaxBatch))
        {
            if (update.Events is { Length: > 0 } batch)
            {
                // Once a batch cannot be stored (after retries), the rest are skipped rather than each retried:
                // the run streams on, its record is marked incomplete, and its final status is still attempted.
                if (complete) complete = await TryWriteAsync(() => history.AppendEvents(run.Id, batch), run.Id);
                if (complete) run.MarkStored(batch[^1].Seq);
                else run.StopKeeping();
                continue;
            }
            if (savedStatus != update.Status)
            {
                savedStatus = update.Status;
                complete &= await TryWriteAsync(() => history.SaveRun(run.ToInfo()), run.Id);
                if (!complete) run.StopKeeping();
            }
        }
        if (complete) Recorded?.Invoke(run.Id);
        else logger.LogError("Run {RunId} could not be fully stored in the history; it streamed live regardless", run.Id);
        Prune();
    }

    private async Task<bool> TryWriteAsync(Action write, string runId)
    {
        try
        {
            await WithRetriesAsync(write, runId);
            return true;
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "Storing run {RunId} failed", runId);
            return false;
        }
    }

    private async Task WithRetriesAsync(Action write, string runId)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                await Task.Run(write);
                return;
            }
            catch (Exception ex) when (attempt < RetryDelays.Count && ex is DbException or IOException)
            {
                logger.LogWarning(ex, "Storing run {RunId} failed (attempt {Attempt}); retrying", runId, attempt + 1);
                await Task.Delay(RetryDelays[attempt]);
            }
        }
    }

    private void Prune()
    {
        try
        {
            // Runs still in memory are the ones pages show (current and recent): never pruned.
            var removed = history.Prune(store.Ids(), clock.GetUtcNow());
            if (removed > 0) logger.LogInformation("History retention removed {Count} old run(s)", removed);
        }
        catch (Exception ex)
        {
            logger.LogWarning(ex, "History retention failed; will try again after the next run");
        }
    }
}
