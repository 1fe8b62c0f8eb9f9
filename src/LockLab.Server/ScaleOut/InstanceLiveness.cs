using LockLab.Contracts;
using LockLab.Server.Rooms;
using LockLab.Server.Runs;
using StackExchange.Redis;

namespace LockLab.Server.ScaleOut;

/// <summary>
/// Several instances: each keeps a heartbeat key in Redis that expires unless renewed every
/// <see cref="Beat"/>, and each sweeps up after the ones whose heartbeat expired (killed, crashed, cut off):
/// their unfinished runs become <c>interrupted</c> — shared, recorded, and announced to the room, so that pages that
/// reconnect to a surviving instance see what happened — and their pages no longer count as viewers.
/// </summary>
/// <remarks>
/// A stopping instance beats on until its own runs have wound down: the host stops its services in reverse order of
/// registration, so this one, registered after the runs, would otherwise fall silent before the orchestrator has even
/// cancelled them, and a wind-down longer than <see cref="Lifetime"/> (a slow history database) would let another
/// instance call runs "interrupted" that this one is still ending as "cancelled". So the heartbeat, and with it the
/// renewal of this instance's run slots (<see cref="RedisRoomRunSlots.RenewAsync"/>), stops in
/// <see cref="StoppedAsync"/>, once every run's last news is out and stored (<see cref="RunFollowers"/>).
/// </remarks>
public sealed class InstanceLiveness(
    IConnectionMultiplexer redis,
    RedisKeys keys,
    LabInstance self,
    RedisSharedRuns runs,
    RedisRoomRunSlots slots,
    IRoomChannel channel,
    History.RunHistory history,
    RunFollowers followers,
    TimeProvider clock,
    ILogger<InstanceLiveness> logger) : BackgroundService, IInstanceDirectory, IHostedLifecycleService
{
    public static readonly TimeSpan Beat = TimeSpan.FromSeconds(1);

    /// <summary>How long a heartbeat outlives its instance: long against a garbage-collection pause, short for a class waiting.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(5);

    private IDatabase Db => redis.GetDatabase();

    /// <summary>For the history's start-up check (once, before any join); the sweep asks Redis for all instances at once.</summary>
    public bool IsAlive(string instanceId) => instanceId == self.Id || Db.KeyExists(keys.Heartbeat(instanceId));


    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await BeatAsync();
                await slots.RenewAsync();
                await SweepAsync();
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException or ObjectDisposedException)
            {
                // ObjectDisposedException: the host's shutdown timeout ran out and the connection went while beating.
                logger.LogWarning(ex, "Redis did not answer the heartbeat of instance {Instance}; retrying", self.Id);
            }
            try
            {
                await Task.Delay(Beat, clock, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                // Stopping, and this instance's runs have wound down (StoppedAsync).
            }
        }
    }

    /// <summary>Not yet: the runs are cancelled after this (see the remarks); <see cref="StoppedAsync"/> stops the beat.</summary>
    public override Task StopAsync(CancellationToken ct) => Task.CompletedTask;

    public async Task StoppedAsync(CancellationToken ct)
    {
        var woundDown = await followers.AllEndedAsync(ct);
        await base.StopAsync(ct);
        if (!woundDown) return; // the host's shutdown timeout: what is left unfinished is for the others to sweep
        try
        {
            // Goodbye: every run of this instance has ended and said so, so the others may stop counting its pages now
            // rather than when the heartbeat expires.
            await Db.KeyDeleteAsync(keys.Heartbeat(self.Id));
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or ObjectDisposedException)
        {
            logger.LogWarning(ex, "Could not say goodbye in Redis; instance {Instance}'s heartbeat will expire on its own", self.Id);
        }
    }

    public Task StartingAsync(CancellationToken ct) => Task.CompletedTask;
    public Task StartedAsync(CancellationToken ct) => Task.CompletedTask;
    public Task StoppingAsync(CancellationToken ct) => Task.CompletedTask;

    private async Task BeatAsync()
    {
        var batch = Db.CreateBatch();
        var beat = batch.StringSetAsync(keys.Heartbeat(self.Id), clock.GetUtcNow().ToString("O"), Lifetime);
        var known = batch.SetAddAsync(keys.Instances, self.Id);
        batch.Execute();
        await Task.WhenAll(beat, known);
    }

    /// <summary>
    /// Cleans up after the instances whose heartbeat expired. Each question goes to Redis once per sweep and all at once
    /// (this loop must renew this instance's own heartbeat in time): which owners and instances are alive, then the
    /// interruptions and the viewer counts of the dead ones.
    /// </summary>
    private async Task SweepAsync()
    {
        var unfinished = await runs.UnfinishedAsync();
        var instances = (await Db.SetMembersAsync(keys.Instances)).Select(m => (string)m!).ToArray();
        var others = unfinished.Select(r => r.Owner).Concat(instances).Where(i => i != self.Id).Distinct(StringComparer.Ordinal).ToArray();
        if (others.Length == 0) return;
        var alive = await Task.WhenAll(others.Select(i => Db.KeyExistsAsync(keys.Heartbeat(i))));
        var dead = others.Where((_, i) => !alive[i]).ToHashSet(StringComparer.Ordinal);
        if (dead.Count == 0) return;

        foreach (var owner in dead)
        {
            var cutOff = unfinished.Where(r => r.Owner == owner).Select(r => r.RunId).ToArray();
            var claimed = await Task.WhenAll(cutOff.Select(runs.TryClaimUnfinishedAsync));
            var interrupted = cutOff.Where((_, i) => claimed[i]).ToArray();
            if (interrupted.Length == 0) continue;
            // The history first, the rooms then: a page told a run was interrupted finds it so in the history at once.
            try
            {
                history.MarkInterrupted(instance => instance == owner); // all of that owner's open runs at once
            }
            catch (Exception ex)
            {
                logger.LogWarning(ex, "Could not mark the runs of instance {Instance} interrupted in the history", owner);
            }
            await Task.WhenAll(interrupted.Select(runId => InterruptAsync(runId, owner)));
        }

        var rooms = (await Db.SetMembersAsync(keys.Rooms)).Select(r => (string)r!).ToArray();
        foreach (var instance in instances.Where(dead.Contains))
        {
            await Task.WhenAll(rooms.Select(room => Db.HashDeleteAsync(keys.Viewers(room), instance)));
            await Db.SetRemoveAsync(keys.Instances, instance);
            logger.LogWarning("Instance {Instance} stopped answering; its viewers no longer count", instance);
        }
    }

    private async Task InterruptAsync(string runId, string owner)
    {
        if (await runs.FindAsync(runId) is not { } run) return;
        var interrupted = run with
        {
            Status = RunStatus.Interrupted,
            FinishedAt = clock.GetUtcNow(),
            EventCount = Math.Max(run.EventCount, await runs.LastSeqAsync(runId)),
            Error = RunErrors.InstanceStopped,
        };
        await runs.PublishAsync(interrupted, owner);
        channel.Send(run.Room, nameof(ILabClient.RunCompleted), interrupted);
        logger.LogWarning("Run {RunId} in room {Room} was cut off: its instance {Instance} stopped", runId, run.Room, owner);
    }
}
