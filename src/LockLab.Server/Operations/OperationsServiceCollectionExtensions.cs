using LockLab.Server.Diagnostics;
using LockLab.Server.Runs;
using Microsoft.Extensions.Diagnostics.HealthChecks;
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
        services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService("locklab"))
            .WithMetrics(metrics => metrics
                .AddMeter(LabMetrics.MeterName)
                .AddAspNetCoreInstrumentation() // request durations by route, Kestrel and SignalR connections, rate limiting
                .AddMeter("System.Runtime")     // CPU, memory, GC, thread pool: the runtime's own meter
                .AddPrometheusExporter());
        return services;
    }
}
