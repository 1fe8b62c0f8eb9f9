using LockLab.Server.Configuration;
using LockLab.Server.Diagnostics;
using Microsoft.Extensions.Options;

namespace LockLab.Server.Runs;

/// <summary>
/// Carries out one run for real (<see cref="RunExecution"/>): creates the shared segment and arms its start gate, hands
/// one worker process per simulated process its job (the last worker to be ready opens the gate), collects their events
/// in ticket order and writes the summary. Whatever happens, the workers are gone and the segment file deleted when it
/// returns, and the run is finished.
/// </summary>
public sealed class RunExecutor(
    WorkerPool pool, IRunMetrics metrics, IOptions<LockLabOptions> options, TimeProvider clock, ILogger<RunExecutor> logger)
{
    public async Task ExecuteAsync(Run run, CancellationToken stopping)
    {
        using var scope = logger.BeginRunScope(run.Id, run.Room);
        run.Timeline.MarkDequeued();
        metrics.RunStarted(run.Scenario);
        using var execution = new RunExecution(run, pool, metrics, options.Value.Limits, clock, logger, stopping);
        var outcome = RunOutcome.Unexpected;
        try
        {
            outcome = await execution.CarryOutAsync();
        }
        finally
        {
            await execution.EndAsync(outcome);
        }
    }
}

/// <summary>A run cannot go on, for a reason a teacher can read.</summary>
public sealed class RunFailedException(string message) : Exception(message);
