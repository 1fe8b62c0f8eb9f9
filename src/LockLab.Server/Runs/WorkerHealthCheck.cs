using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace LockLab.Server.Runs;

/// <summary>The lab is only useful if it can start workers: ready means the worker program is where runs look for it.</summary>
public sealed class WorkerHealthCheck(WorkerExecutable worker, RunStore store) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default) =>
        Task.FromResult(worker.Exists
            ? HealthCheckResult.Healthy($"Worker found; {store.CountActive()} run(s) queued or running.")
            : HealthCheckResult.Unhealthy($"The worker program is missing: {worker.AssemblyPath}"));
}
