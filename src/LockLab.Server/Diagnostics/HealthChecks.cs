using System.Diagnostics;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace LockLab.Server.Diagnostics;

/// <summary>
/// Two kinds of health, told apart by tag. <b>Liveness</b> (<c>/healthz</c>): the process answers — cheap, no
/// dependencies, so a slow database never gets a healthy lab restarted. <b>Readiness</b> (<c>/readyz</c>): the lab can
/// do its work now — its history database, its worker program, not shutting down. Each feature registers the checks
/// of what it depends on, next to the service itself; a new dependency (Redis, PostgreSQL) is one line:
/// <code>services.AddHealthChecks().AddReadinessCheck&lt;RedisHealthCheck&gt;("redis");</code>
/// </summary>
public static class HealthChecks
{
    public const string Live = "live";
    public const string Ready = "ready";

    /// <summary>A probe must answer within a load balancer's patience; a dependency slower than this counts as down.</summary>
    public static readonly TimeSpan CheckTimeout = TimeSpan.FromSeconds(3);

    /// <summary>A check that must pass before the lab takes traffic (<c>/readyz</c>).</summary>
    public static IHealthChecksBuilder AddReadinessCheck<T>(this IHealthChecksBuilder builder, string name) where T : class, IHealthCheck =>
        builder.AddCheck<T>(name, HealthStatus.Unhealthy, [Ready], CheckTimeout);
}

/// <summary>The one liveness check: if this answers, the process is up and serving requests.</summary>
public sealed class ProcessHealthCheck : IHealthCheck
{
    /// <summary>Read once: checks are created per probe, and the process's start never changes.</summary>
    private static readonly DateTime StartedAt = Process.GetCurrentProcess().StartTime.ToUniversalTime();

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default) =>
        Task.FromResult(HealthCheckResult.Healthy($"Up since {StartedAt:u}."));
}
