using LockLab.Contracts;
using LockLab.Server.Runs;
using LockLab.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace LockLab.Tests.Runs;

/// <summary>Runs take pre-started workers, and the pool refills itself.</summary>
public class WorkerPoolTests(LabServerFactory lab) : IClassFixture<LabServerFactory>
{
    [Fact]
    public async Task A_run_uses_the_workers_that_were_waiting_and_the_pool_refills()
    {
        _ = lab.CreateClient(); // start the lab
        var pool = lab.Services.GetRequiredService<WorkerPool>();
        Assert.True(await Eventually.TrueAsync(() => pool.IdlePids.Count == 2, TimeSpan.FromSeconds(20)), "the pool did not fill up");
        var waiting = pool.IdlePids.ToHashSet();

        var response = await lab.CreatePresenterClient().PostAsync("/api/runs", Json.Body("""{"scenario":"lock","room":"pool","iterations":1,"delayMs":1}"""));
        var run = await lab.WaitForRunAsync((await Json.ReadAsync<RunInfo>(response))!.Id);

        Assert.Equal(RunStatus.Completed, run.Status);
        Assert.Equal(waiting, run.Summary!.Processes.Select(p => p.Pid).ToHashSet());
        Assert.True(await Eventually.TrueAsync(() => pool.IdlePids.Count == 2 && !pool.IdlePids.Any(waiting.Contains), TimeSpan.FromSeconds(20)),
            "the pool did not refill with new workers");
    }
}
