using StackExchange.Redis;

namespace LockLab.Server.ScaleOut;

/// <summary>
/// When no presenter key is configured, each server generates one. Instances behind one load balancer must agree on
/// it — a presenter's next request may reach any of them — so the first to start stores its key and all use that one.
/// </summary>
public interface ISharedPresenterKey
{
    /// <summary>The deployment's generated key: <paramref name="proposal"/> if this instance is the first, else the one already agreed.</summary>
    string AgreeOn(string proposal);
}

public sealed class RedisSharedPresenterKey(IConnectionMultiplexer redis, RedisKeys keys) : ISharedPresenterKey
{
    public string AgreeOn(string proposal)
    {
        var db = redis.GetDatabase();
        db.StringSet(keys.PresenterKey, proposal, when: When.NotExists);
        return (string?)db.StringGet(keys.PresenterKey) ?? proposal;
    }
}
