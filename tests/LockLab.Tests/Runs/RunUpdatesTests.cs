using LockLab.Contracts;
using LockLab.Server.Configuration;
using LockLab.Server.Runs;
using Microsoft.Extensions.Options;

namespace LockLab.Tests.Runs;

/// <summary>
/// The one loop the broadcaster and the recorder follow a run by, against a run written to from another thread as the
/// executor writes to it: nothing missed, nothing twice, nothing before the gate, the final state last.
/// </summary>
public class RunUpdatesTests
{
    private static Run NewRun()
    {
        var validator = new RunRequestValidator(new ScenarioCatalog(Options.Create(new LockLabOptions())));
        Assert.True(validator.TryValidate(new RunRequest { Scenario = "no-lock" }, "main", out var valid, out _));
        return new Run("r1", valid!, DateTimeOffset.UnixEpoch);
    }

    private static RunEvent Print(long seq) => new(seq, seq % 2 == 0 ? "p2" : "p1", 1, EventKind.Print, seq, seq);

    [Fact]
    public async Task A_follower_gets_every_event_once_in_order_in_bounded_batches_and_the_final_state_last()
    {
        var run = NewRun();
        var updates = new List<RunUpdate>();
        var stream = run.FollowAsync(maxBatch: 100).GetAsyncEnumerator();
        Assert.True(await stream.MoveNextAsync()); // the state it was accepted in, before anything else happens
        updates.Add(stream.Current);
        var follower = Task.Run(async () =>
        {
            await using (stream) while (await stream.MoveNextAsync()) updates.Add(stream.Current);
        });
        Assert.True(run.TryMarkRunning(DateTimeOffset.UnixEpoch));
        run.Append([Print(1), Print(2)]); // reported before the gate's instant is known: held back until then
        run.MarkGateOpened(DateTimeOffset.UnixEpoch);
        for (var seq = 3L; seq < 20_001; seq += 7) run.Append([.. Enumerable.Range(0, 7).Select(i => Print(seq + i))]);
        run.Finish(RunStatus.Completed, DateTimeOffset.UnixEpoch, null, null);
        await follower.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(RunStatus.Queued, updates[0].Status);
        var withEvents = updates.Where(u => u.Events.Length > 0).ToList();
        Assert.All(withEvents, u => Assert.True(u.GateOpened, "events handed out before the gate opened"));
        Assert.All(withEvents, u => Assert.InRange(u.Events.Length, 1, 100));
        Assert.Equal(Enumerable.Range(1, 20_001).Select(i => (long)i), withEvents.SelectMany(u => u.Events).Select(e => e.Seq));
        Assert.True(updates[^1].IsFinal);
        Assert.Equal(RunStatus.Completed, updates[^1].Status);
        Assert.Single(updates, u => u.IsFinal);
    }

    [Fact]
    public async Task A_run_that_ends_before_its_gate_opens_still_hands_out_what_it_reported()
    {
        var run = NewRun();
        Assert.True(run.TryMarkRunning(DateTimeOffset.UnixEpoch));
        run.Append([Print(1)]);
        run.Finish(RunStatus.Failed, DateTimeOffset.UnixEpoch, null, "a worker could not start");

        var updates = new List<RunUpdate>();
        await foreach (var update in run.FollowAsync(maxBatch: 10)) updates.Add(update);

        Assert.Equal([1L], updates.SelectMany(u => u.Events).Select(e => e.Seq));
        Assert.Equal([false, true], updates.Select(u => u.IsFinal));
    }

    [Fact]
    public async Task A_pacing_with_an_idle_wake_gets_an_update_without_news_and_one_that_gathers_reads_late()
    {
        var run = NewRun();
        Assert.True(run.TryMarkRunning(DateTimeOffset.UnixEpoch));
        run.MarkGateOpened(DateTimeOffset.UnixEpoch);
        var pacing = new Pacing();
        await using var updates = run.FollowAsync(maxBatch: 10, pacing).GetAsyncEnumerator();

        Assert.True(await updates.MoveNextAsync()); // the state: running, gate open
        Assert.Empty(updates.Current.Events);
        pacing.Wake = TimeSpan.FromMilliseconds(1);
        Assert.True(await updates.MoveNextAsync()); // nothing happened: woken anyway
        Assert.Empty(updates.Current.Events);
        Assert.False(updates.Current.IsFinal);
        pacing.Wake = null;

        pacing.Gather = TimeSpan.FromMilliseconds(5);
        pacing.WhileGathering = () => run.Append([Print(2)]); // arrives while the first gathers: both in one update
        run.Append([Print(1)]);
        Assert.True(await updates.MoveNextAsync());
        Assert.Equal([1L, 2L], updates.Current.Events.Select(e => e.Seq));
    }

    private sealed class Pacing : IRunUpdatePacing
    {
        public TimeSpan Gather { get; set; }
        public TimeSpan? Wake { get; set; }
        public Action? WhileGathering { get; set; }

        public TimeSpan BeforeBatch()
        {
            WhileGathering?.Invoke();
            WhileGathering = null;
            return Gather;
        }

        public TimeSpan? IdleWake() => Wake;
    }
}
