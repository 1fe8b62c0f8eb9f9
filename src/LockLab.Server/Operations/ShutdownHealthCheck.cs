using LockLab.Server.Configuration;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace LockLab.Server.Operations;

/// <summary>
/// A stopping lab is not ready: a load balancer that still asks <c>/readyz</c> sends new classrooms elsewhere while
/// the runs in progress here are wound down.
/// </summary>
public sealed class ShutdownHealthCheck(IHostApplicationLifetime lifetime) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default) =>
        Task.FromResult(lifetime.ApplicationStopping.IsCancellationRequested
            ? HealthCheckResult.Unhealthy("The lab is shutting down.")
            : HealthCheckResult.Healthy("Not shutting down."));
}

/// <summary>
/// Waits <see cref="LockLabOptions.ShutdownDrainSeconds"/> after a stop is requested, before anything stops: the
/// server keeps serving while <c>/readyz</c> answers 503, so a load balancer has time to notice and take this lab
/// out of rotation before connections are refused. 0 (the default) stops at once, as a lab without one should.
/// </summary>
public sealed class ShutdownDrain(IOptions<LockLabOptions> options, ILogger<ShutdownDrain> logger) : IHostedLifecycleService
{
    public async Task StoppingAsync(CancellationToken ct)
    {
        var drain = TimeSpan.FromSeconds(Math.Max(0, options.Value.ShutdownDrainSeconds));
        if (drain == TimeSpan.Zero) return;
        logger.LogInformation("Shutting down: not ready any more; serving for {DrainSeconds} s more so that the load " +
            "balancer can stop sending requests", drain.TotalSeconds);
        try
        {
            await Task.Delay(drain, ct); // ct: the host's shutdown timeout, which the drain never outlasts
        }
        catch (OperationCanceledException)
        {
        }
    }

    public Task StartingAsync(CancellationToken ct) => Task.CompletedTask;
    public Task StartAsync(CancellationToken ct) => Task.CompletedTask;
    public Task StartedAsync(CancellationToken ct) => Task.CompletedTask;
    public Task StopAsync(CancellationToken ct) => Task.CompletedTask;
    public Task StoppedAsync(CancellationToken ct) => Task.CompletedTask;
}
