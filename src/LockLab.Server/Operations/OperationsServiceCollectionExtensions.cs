using LockLab.Server.Diagnostics;
using LockLab.Server.Runs;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.Metrics;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;

namespace LockLab.Server.Operations;

public static class OperationsServiceCollectionExtensions
{
    /// <summary>
    /// Health (liveness, and the readiness checks that are not a feature's own), the lab's metrics and their
    /// export for Prometheus, and the shutdown drain. Features add their own readiness checks
    /// (<see cref="HealthChecks.AddReadinessCheck{T}"/>).
    /// </summary>
    public static IServiceCollection AddOperations(this IServiceCollection services)
    {
        services.AddHealthChecks()
            .AddCheck<ProcessHealthCheck>("process", HealthStatus.Unhealthy, [HealthChecks.Live])
            .AddReadinessCheck<ShutdownHealthCheck>("shutdown");
        services.AddHostedService<ShutdownDrain>();

        services.AddSingleton<LabMetrics>();
        services.AddSingleton<IRunMetrics>(sp => sp.GetRequiredService<LabMetrics>());
        // Meters are enabled by the host's metrics rules, not by OpenTelemetry's AddMeter. AddMeter subscribes by
        // name, to that meter in every host of the process: with several hosts in one process (the tests' servers),
        // each counted the others' runs, and a host that stopped took the series it shared with the others away
        // from them. The rules subscribe this host's own meters (its IMeterFactory's) and the process-wide ones.
        services.AddMetrics(metrics => metrics
            .EnableMetrics(LabMetrics.MeterName)
            .EnableMetrics("Microsoft.AspNetCore") // request durations by route, Kestrel and SignalR connections, rate limiting
            .EnableMetrics("System.Runtime"));     // CPU, memory, GC, thread pool: the runtime's own meter
        services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService("locklab"))
            .WithMetrics(metrics => metrics.AddPrometheusExporter());
        return services;
    }
}
