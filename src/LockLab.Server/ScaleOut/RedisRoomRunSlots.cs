using LockLab.Server.Runs;
using StackExchange.Redis;

namespace LockLab.Server.ScaleOut;

/// <summary>
/// The rooms' run slots of a deployment of several instances, in Redis: per room, a sorted set of the runs holding a
/// slot, each scored by when its lease ends. Taking a slot is one script (drop expired leases, count, add), so it is
/// atomic across instances. The instance executing a run renews its lease every <see cref="InstanceLiveness.Beat"/>;
/// the run's end gives the slot back (<see cref="RedisSharedRuns.PublishAsync"/>), and a run whose instance died
/// loses its slot when the lease runs out, a few seconds later, without anyone sweeping up.
/// </summary>
public sealed class RedisRoomRunSlots(IConnectionMultiplexer redis, RedisKeys keys, RunStore store, ILogger<RedisRoomRunSlots> logger)
    : BackgroundService, IRoomRunSlots
{
    private static readonly long LeaseMs = (long)InstanceLiveness.Lifetime.TotalMilliseconds;

    // Redis's clock, not the instances': leases written by one instance are judged by the same clock on every other.
    private const string Now = "local t = redis.call('TIME') local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) ";

    /// <summary>KEYS[1]: the room's slots; ARGV: run id, slots, lease ms. 1: taken (or already held), 0: all taken.</summary>
    private const string Take = Now + """
        redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
        if not redis.call('ZSCORE', KEYS[1], ARGV[1]) then
          if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then return 0 end
        end
        redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[1])
        redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[3]))
        return 1
        """;

    /// <summary>KEYS[1]: the room's slots; ARGV: run id, lease ms. Extends a lease the run still holds.</summary>
    private const string Renew = Now + """
        if redis.call('ZADD', KEYS[1], 'XX', 'CH', now + tonumber(ARGV[2]), ARGV[1]) == 1 then
          redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]))
        end
        return 0
        """;

    private IDatabase Db => redis.GetDatabase();

    public async Task<bool> TryTakeAsync(string room, string runId, int slots) =>
        (int)await Db.ScriptEvaluateAsync(Take, [keys.RoomRunSlots(room)], [runId, slots, LeaseMs]) == 1;

    public Task ReturnAsync(string room, string runId) => Db.SortedSetRemoveAsync(keys.RoomRunSlots(room), runId);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var beat = new PeriodicTimer(InstanceLiveness.Beat);
        try
        {
            while (await beat.WaitForNextTickAsync(stoppingToken)) await RenewAsync();
        }
        catch (OperationCanceledException)
        {
            // Stopping: the leases of runs still winding down run out on their own, after their last news.
        }
    }

    /// <summary>Renews the lease of every run this instance has queued or running.</summary>
    private async Task RenewAsync()
    {
        try
        {
            var db = Db;
            await Task.WhenAll(store.Active().Select(run => db.ScriptEvaluateAsync(Renew, [keys.RoomRunSlots(run.Room)], [run.Id, LeaseMs])));
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            // A lease outlives several missed beats; Redis answering again renews it.
            logger.LogWarning(ex, "Could not renew this instance's run slots in Redis; retrying");
        }
    }
}
