using System.Data.Common;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace LockLab.Server.History;

/// <summary>
/// Ready means the run history can be read now. A lab whose history could not be opened still streams runs (see
/// <see cref="RunHistory.StartupError"/>), but it loses every run it carries out: an orchestrator should not send
/// classrooms to it while a healthy one exists.
/// </summary>
public sealed class HistoryHealthCheck(RunHistory history) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
    {
        if (history.StartupError is { } error)
        {
            return HealthCheckResult.Unhealthy($"The run history at {history.Location} could not be opened at start-up: {error.Message}");
        }
        try
        {
            // the store is synchronous: a locked file or a slow server must not block a request thread
            var runs = await Task.Run(history.CountRuns, ct);
            return HealthCheckResult.Healthy($"Run history at {history.Location}: {runs} run(s) stored.");
        }
        catch (Exception ex) when (ex is DbException or IOException or UnauthorizedAccessException)
        {
            return HealthCheckResult.Unhealthy($"The run history at {history.Location} cannot be read: {ex.Message}");
        }
    }
}
