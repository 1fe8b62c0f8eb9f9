using LockLab.Server.Configuration;
using LockLab.Server.Runs;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace LockLab.Server.ScaleOut;

/// <summary>
/// The rooms' run slots of a deployment of several instances, in Redis: per room, a sorted set of the runs holding a
/// slot, each scored by when its lease ends. Taking a slot is one script (drop expired leases, count, add), so it is
/// atomic across instances. The instance executing a run renews its lease on its heartbeat (<see cref="InstanceLiveness.Beat"/>)
/// and gives the slot back at the first beat after the run ends, as does the run's last news
/// (<see cref="RedisSharedRuns.PublishAsync"/>), whichever is first. A run whose instance died loses its slot when
/// that instance's runs are marked interrupted (<see cref="InstanceLiveness"/>), or at the latest when its lease runs out.
/// </summary>
public sealed class RedisRoomRunSlots(
    IConnectionMultiplexer redis,
    RedisKeys keys,
    RunStore store,
    IOptions<LockLabOptions> options,
    ILogger<RedisRoomRunSlots> logger) : IRoomRunSlots
{
    /// <summary>
    /// <see cref="LockLabOptions.RunSlotLeaseSeconds"/>, at least three beats: the room's key expires with the lease, so a
    /// renewal up to two beats late still finds it.
    /// </summary>
    private readonly long _leaseMs = Math.Max(3, options.Value.RunSlotLeaseSeconds) * 1000L;

    /// <summary>The slots this instance holds: run id → room, so that ended runs give theirs back however they ended.</summary>
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, string> _held = new(StringComparer.Ordinal);

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

    /// <summary>KEYS[1]: the room's slots; ARGV: run id, lease ms. Extends a lease the run still holds: 1, or 0 when it lost it.</summary>
    private const string Renew = Now + """
        if not redis.call('ZSCORE', KEYS[1], ARGV[1]) then return 0 end
        redis.call('ZADD', KEYS[1], 'XX', now + tonumber(ARGV[2]), ARGV[1])
        redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]))
        return 1
        """;

    private IDatabase Db => redis.GetDatabase();

    public async Task<bool> TryTakeAsync(string room, string runId, int slots)
    {
        _held[runId] = room; // before the script, so that the renewal beat cannot miss a slot just taken
        try
        {
            if ((int)await Db.ScriptEvaluateAsync(Take, [keys.RoomRunSlots(room)], [runId, slots, _leaseMs]) == 1) return true;
        }
        catch
        {
            // No answer: the request fails, and a slot the script may have taken all the same frees itself with its lease.
            _held.TryRemove(runId, out _);
            throw;
        }
        _held.TryRemove(runId, out _);
        return false;
    }

    public async Task ReturnAsync(string room, string runId)
    {
        // Forgotten first: should Redis not answer, the lease frees the slot, where renewing it would keep it for ever
        // (a run given back before it was queued never reaches the store, and "not in the store yet" is renewed).
        _held.TryRemove(runId, out _);
        await Db.SortedSetRemoveAsync(keys.RoomRunSlots(room), runId);
    }

    /// <summary>
    /// Renews the lease of every slot this instance holds for a run still queued or running, and gives back the rest.
    /// Called on the instance's heartbeat (<see cref="InstanceLiveness"/>), which goes on until a stopping instance's
    /// runs have wound down: their slots stay theirs until then, however long that takes.
    /// </summary>
    internal async Task RenewAsync()
    {
        try
        {
            var db = Db;
            await Task.WhenAll(_held.ToArray().Select(async slot =>
            {
                var (runId, room) = (slot.Key, slot.Value);
                // Not in the store yet: taken a moment ago, its run about to be queued. (An ended run leaves the store
                // long after the first beat has given its slot back.)
                if (store.Find(runId) is { IsFinished: true })
                {
                    await ReturnAsync(room, runId);
                }
                else if ((int)await db.ScriptEvaluateAsync(Renew, [keys.RoomRunSlots(room)], [runId, _leaseMs]) == 0)
                {
                    logger.LogWarning(
                        "Run {RunId} in room {Room} lost its slot (its lease ran out): "
                        + "the room may be over its run limit until it ends",
                        runId, room);
                    _held.TryRemove(runId, out _);
                }
            }));
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            // A lease outlives many missed beats; Redis answering again renews it.
            logger.LogWarning(ex, "Could not renew this instance's run slots in Redis; retrying");
        }
    }
}
