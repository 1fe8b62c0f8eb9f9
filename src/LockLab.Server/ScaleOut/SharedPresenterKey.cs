using LockLab.Server.Security;
using StackExchange.Redis;

namespace LockLab.Server.ScaleOut;

/// <summary>The deployment's generated presenter key in Redis: the first instance to start stores its own.</summary>
public sealed class RedisSharedPresenterKey(IConnectionMultiplexer redis, RedisKeys keys) : ISharedPresenterKey
{
    public string AgreeOn(string proposal)
    {
        try
        {
            var db = redis.GetDatabase();
            db.StringSet(keys.PresenterKey, proposal, when: When.NotExists);
            return (string?)db.StringGet(keys.PresenterKey) ?? proposal;
        }
        catch (RedisException)
        {
            return proposal; // Redis is down: /readyz says so; this instance's own key (logged at start) still works here
        }
    }
}
