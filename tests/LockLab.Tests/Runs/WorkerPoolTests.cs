using LockLab.Contracts;
using LockLab.Server.Configuration;
using LockLab.Server.Runs;
using LockLab.Tests.Support;
using LockLab.TestServices;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace LockLab.Tests.Runs;

/// <summary>Runs take pre-started workers, and the pool refills itself.</summary>
/// <remarks>The lab keeps its log (<see cref="LogCapturingLabFactory"/>): a run's start is seen in it.</remarks>
public class WorkerPoolTests(LogCapturingLabFactory lab) : IClassFixture<LogCapturingLabFactory>
{
    [Fact]
    public async Task A_run_uses_the_workers_that_were_waiting_and_the_pool_refills()
    {
        _ = lab.CreateClient(); // start the lab
        var pool = lab.Services.GetRequiredService<WorkerPool>();
        Assert.True(await Waiting.UntilAsync(() => pool.IdlePids.Count == 2, TimeSpan.FromSeconds(20)), "the pool did not fill up");
        var waiting = pool.IdlePids.ToHashSet();

        var response = await lab.CreatePresenterClient().PostAsync("/api/runs",
            Json.Body("""{"scenario":"lock","room":"pool","iterations":1,"delayMs":1}"""));
        var run = await lab.WaitForRunAsync((await Json.ReadAsync<RunInfo>(response))!.Id);

        Assert.Equal(RunStatus.Completed, run.Status);
        Assert.Equal(waiting, run.Summary!.Processes.Select(p => p.Pid).ToHashSet());
        Assert.True(await Waiting.UntilAsync(
                () => pool.IdlePids.Count == 2 && !pool.IdlePids.Any(waiting.Contains), TimeSpan.FromSeconds(20)),
            "the pool did not refill with new workers");
    }

    [Fact]
    public async Task A_stress_run_has_the_processor_to_itself_and_the_pool_refills_after_it()
    {
        _ = lab.CreateClient();
        var pool = lab.Services.GetRequiredService<WorkerPool>();
        // Full, and done filling: a refill still finishing (from the test before) would top the pool up again.
        Assert.True(await Waiting.UntilAsync(() => pool.IdlePids.Count == 2 && !pool.Refilling, TimeSpan.FromSeconds(20)),
            "the pool did not fill up");
        var refillBefore = pool.LatestRefill; // every refill started from now on replaces it

        // The executor refills the pool only once a run has ended (lesson runs too: starting workers during the first
        // sleep made the first print late). So the pool is looked at from inside the "started" log line: the sink
        // runs on the executor's own thread, which cannot have ended the run (nor refilled after it) while it logs.
        (bool RefillStarted, int Idle)? seenAtStart = null;
        var started = lab.Logs.WaitForAsync(e =>
        {
            if (!e.MessageTemplate.Text.StartsWith("Run {RunId} started", StringComparison.Ordinal)
                || LogCapture.Text(e, "Room") != "pool-stress")
                return false;
            seenAtStart = (!ReferenceEquals(pool.LatestRefill, refillBefore) || pool.Refilling, pool.IdlePids.Count);
            return true;
        });
        var response = await lab.CreatePresenterClient().PostAsync("/api/runs",
            Json.Body("""{"scenario":"stress","room":"pool-stress","iterations":5,"rounds":3,"delayMs":200,"lock":"step"}"""));
        var id = (await Json.ReadAsync<RunInfo>(response))!.Id;
        Assert.Equal(id, LogCapture.Text(await started, "RunId"));
        var run = await lab.WaitForRunAsync(id);

        Assert.Equal(RunStatus.Completed, run.Status);
        Assert.False(seenAtStart!.Value.RefillStarted, "the pool started refilling while the stress run ran");
        Assert.Equal(0, seenAtStart.Value.Idle);
        Assert.True(await Waiting.UntilAsync(() => pool.IdlePids.Count == 2, TimeSpan.FromSeconds(20)),
            "the pool did not refill after the run");
    }
}

/// <summary>A pool whose worker program cannot be launched: it neither spins nor floods the log, and recovers.</summary>
public class WorkerPoolRefillTests
{
    [Fact]
    public async Task A_failing_launch_stops_the_refill_with_one_warning_per_series_and_a_later_refill_recovers()
    {
        // The configured program is missing at first; later it appears (a link to a real program that reads its
        // stdin until it closes, as a waiting worker does; a link, not a written script, so that no process can
        // hold the file open for writing when it is started).
        var program = Path.Combine(Path.GetTempPath(), $"locklab-late-worker-{Guid.NewGuid():N}");
        var options = Options.Create(new LockLabOptions { WorkerPath = program, WorkerPoolSize = 2 });
        var log = new ListLogger<WorkerPool>();
        using var pool = new WorkerPool(new WorkerExecutable(options), options, log);
        try
        {
            pool.Refill();
            await SettledAsync(pool);
            // One attempt, one warning, and the refill is over: it did not start itself again.
            Assert.False(pool.Refilling);
            Assert.Empty(pool.IdlePids);
            Assert.Equal((1, 0), (log.Count(LogLevel.Warning), log.Count(LogLevel.Debug)));

            pool.Refill();
            await SettledAsync(pool);
            pool.Refill();
            await SettledAsync(pool);
            // Each later call tries once more; the same series of failures is not warned about again.
            Assert.Equal((1, 2), (log.Count(LogLevel.Warning), log.Count(LogLevel.Debug)));
            Assert.Empty(pool.IdlePids);

            File.CreateSymbolicLink(program, "/bin/cat");
            pool.Refill();
            await SettledAsync(pool);
            Assert.Equal(2, pool.IdlePids.Count);
            Assert.False(pool.Refilling);
            Assert.Equal(1, log.Count(LogLevel.Information)); // "works again", once
            Assert.Equal((1, 2), (log.Count(LogLevel.Warning), log.Count(LogLevel.Debug)));
        }
        finally
        {
            File.Delete(program);
        }
    }

    /// <summary>
    /// Until no refill is running: each one is awaited, including one a refill started in turn. Nobody takes workers
    /// here, so a refill has no reason to start another more than once; a chain that goes on is the fast retry loop.
    /// </summary>
    private static async Task SettledAsync(WorkerPool pool)
    {
        for (var chained = 0; chained < 10; chained++)
        {
            var refill = pool.LatestRefill;
            if (refill.IsCompleted && !pool.Refilling) return;
            await refill.WaitAsync(TimeSpan.FromSeconds(20));
        }
        Assert.Fail("the refill kept starting itself again");
    }

    private sealed class ListLogger<T> : ILogger<T>
    {
        private readonly List<LogLevel> _levels = [];

        public int Count(LogLevel level)
        {
            lock (_levels) return _levels.Count(l => l == level);
        }

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(
            LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (_levels) _levels.Add(logLevel);
        }
    }
}
