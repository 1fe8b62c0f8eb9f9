using LockLab.Contracts;
using LockLab.Server.Hubs;
using LockLab.Server.Rooms;
using LockLab.Server.Runs;
using StackExchange.Redis;

namespace LockLab.Server.ScaleOut;

/// <summary>Which instances of the deployment are alive: a run or a viewer count whose instance is not is stale.</summary>
public interface IInstanceDirectory
{
    bool IsAlive(string instanceId);
}

/// <summary>One server: it is the only instance there is, so any other named in the history is gone.</summary>
public sealed class SingleInstance(LabInstance self) : IInstanceDirectory
{
    public bool IsAlive(string instanceId) => instanceId == self.Id;
}

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
/// instance call runs "interrupted" that this one is still ending as "cancelled". So the heartbeat stops in
/// <see cref="StoppedAsync"/>, once every run's last news is out and stored (<see cref="RunFollowers"/>).
/// </remarks>
public sealed class InstanceLiveness(
    IConnectionMultiplexer redis,
    RedisKeys keys,
    LabInstance self,
    RedisSharedRuns runs,
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

    /// <summary>For the history's start-up check (once, before any join); the sweep asks <see cref="IsAliveAsync"/>.</summary>
    public bool IsAlive(string instanceId) => instanceId == self.Id || Db.KeyExists(keys.Heartbeat(instanceId));

    private async Task<bool> IsAliveAsync(string instanceId) => instanceId == self.Id || await Db.KeyExistsAsync(keys.Heartbeat(instanceId));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await BeatAsync();
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

    private async Task SweepAsync()
    {
        foreach (var (runId, owner) in await runs.UnfinishedAsync())
        {
            if (!await IsAliveAsync(owner) && await runs.TryClaimUnfinishedAsync(runId)) await InterruptAsync(runId, owner);
        }
        foreach (var instance in (await Db.SetMembersAsync(keys.Instances)).Select(m => (string)m!))
        {
            if (await IsAliveAsync(instance)) continue;
            foreach (var room in await Db.SetMembersAsync(keys.Rooms))
            {
                await Db.HashDeleteAsync(keys.Viewers((string)room!), instance);
            }
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
            Error = "The lab instance running this run stopped; the events it had reported are kept.",
        };
        await runs.PublishAsync(interrupted, owner);
        try
        {
            history.MarkInterrupted(instance => instance == owner);
        }
        catch (Exception ex)
        {
            logger.LogWarning(ex, "Could not mark the runs of instance {Instance} interrupted in the history", owner);
        }
        channel.Send(run.Room, nameof(ILabClient.RunCompleted), interrupted);
        logger.LogWarning("Run {RunId} in room {Room} was cut off: its instance {Instance} stopped", runId, run.Room, owner);
    }
}
