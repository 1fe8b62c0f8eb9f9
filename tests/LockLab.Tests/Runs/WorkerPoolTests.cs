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

    [Fact]
    public async Task A_stress_run_has_the_processor_to_itself_and_the_pool_refills_after_it()
    {
        _ = lab.CreateClient();
        var pool = lab.Services.GetRequiredService<WorkerPool>();
        // Full, and done filling: a refill still finishing (from the test before) would top the pool up again.
        Assert.True(await Eventually.TrueAsync(() => pool.IdlePids.Count == 2 && !pool.Refilling, TimeSpan.FromSeconds(20)), "the pool did not fill up");

        // A stress run that sleeps (3 rounds of 5 × 200 ms): long enough to be watched while it runs, even by a
        // continuation that waits for a thread (the server blocks one for the length of a stress run), without taking
        // the processor from the tests running beside this one.
        var response = await lab.CreatePresenterClient().PostAsync("/api/runs",
            Json.Body("""{"scenario":"stress","room":"pool","iterations":5,"rounds":3,"delayMs":200,"lock":"step"}"""));
        var run = lab.Services.GetRequiredService<RunStore>().Find((await Json.ReadAsync<RunInfo>(response))!.Id)!;
        Assert.True(await Eventually.TrueAsync(() => run.Status == RunStatus.Running || run.IsFinished, TimeSpan.FromSeconds(20)));
        await Task.Delay(300); // time enough to start replacements, were the pool refilling now
        var idleWhileRunning = pool.IdlePids.Count;
        var stillRunning = run.Status == RunStatus.Running;
        await lab.WaitForRunAsync(run.Id);

        Assert.True(stillRunning, $"the run ended before it could be observed: {run.Status} {run.ToInfo().Error} {run.ToInfo().Summary?.DurationMs} ms");
        Assert.Equal(0, idleWhileRunning);
        Assert.Equal(RunStatus.Completed, run.Status);
        Assert.True(await Eventually.TrueAsync(() => pool.IdlePids.Count == 2, TimeSpan.FromSeconds(20)), "the pool did not refill after the run");
    }
}
