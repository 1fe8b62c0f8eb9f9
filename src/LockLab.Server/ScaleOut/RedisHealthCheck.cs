using Microsoft.Extensions.Diagnostics.HealthChecks;
using StackExchange.Redis;

namespace LockLab.Server.ScaleOut;

/// <summary>Readiness with several instances: without Redis, rooms and live events do not cross instances.</summary>
public sealed class RedisHealthCheck(IConnectionMultiplexer redis) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
    {
        try
        {
            var latency = await redis.GetDatabase().PingAsync();
            return HealthCheckResult.Healthy($"Redis answered in {latency.TotalMilliseconds:0.0} ms.");
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            return HealthCheckResult.Unhealthy("Redis does not answer: rooms and live events cannot cross instances.", ex);
        }
    }
}
