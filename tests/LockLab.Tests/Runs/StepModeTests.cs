using System.Net;
using LockLab.Contracts;
using LockLab.Tests.Support;

namespace LockLab.Tests.Runs;

/// <summary>Step mode: the test is the scheduler, and real processes do exactly the interleaving it chooses.</summary>
public class StepModeTests(LabServerFactory lab) : IClassFixture<LabServerFactory>
{
    private readonly HttpClient _presenter = lab.CreatePresenterClient();

    private async Task<LockLab.Server.Runs.Run> StartAsync(string body)
    {
        var response = await _presenter.PostAsync("/api/runs", Json.Body(body));
        response.EnsureSuccessStatusCode();
        var id = (await Json.ReadAsync<RunInfo>(response))!.Id;
        return await lab.WaitForRunAsync(id, run => run.Status == RunStatus.Running);
    }

    private Task StepAsync(LockLab.Server.Runs.Run run, string process, EventKind expected) => lab.StepAsync(run.Id, process, expected);

    [Fact]
    public async Task The_chosen_interleaving_loses_exactly_the_update_it_implies()
    {
        var run = await StartAsync("""{"scenario":"no-lock","room":"steps","mode":"step","iterations":1}""");

        // Both read 0, p1 writes 1, p2 writes 3 on top: p1's update is lost, both print 3.
        await StepAsync(run, "p1", EventKind.Read);
        await StepAsync(run, "p2", EventKind.Read);
        await StepAsync(run, "p1", EventKind.Write);
        await StepAsync(run, "p2", EventKind.Write);
        await StepAsync(run, "p1", EventKind.Print);
        await StepAsync(run, "p2", EventKind.Print);
        await lab.WaitForRunAsync(run.Id);

        Assert.Equal(RunStatus.Completed, run.Status);
        Assert.Equal([3L, 3], run.Summary!.Printed);
        Assert.Equal(3, run.Summary.ActualFinalValue);
        var lost = Assert.Single(run.Summary.LostWrites);
        Assert.Equal(("p1", 1L, "p2", 3L), (lost.Process, lost.Value, lost.OverwrittenBy, lost.OverwrittenWith));
    }

    [Fact]
    public async Task A_write_overwritten_and_then_restored_by_a_reader_of_it_is_not_lost()
    {
        var run = await StartAsync(
            """{"scenario":"no-lock","room":"steps","mode":"step","iterations":1,"processes":3,"amounts":[1,3,5]}""");

        // p3 reads 0. p1 reads 0 and writes 1. p2 reads p1's 1. p3 writes 0+5 over p1's write; p2 writes 1+3 over p3's:
        // p1's update survives in p2's write, p3's is lost.
        await StepAsync(run, "p3", EventKind.Read);
        await StepAsync(run, "p1", EventKind.Read);
        await StepAsync(run, "p1", EventKind.Write);
        await StepAsync(run, "p2", EventKind.Read);
        await StepAsync(run, "p3", EventKind.Write);
        await StepAsync(run, "p2", EventKind.Write);
        foreach (var p in new[] { "p1", "p2", "p3" }) await StepAsync(run, p, EventKind.Print);
        await lab.WaitForRunAsync(run.Id);

        var s = run.Summary!;
        Assert.Equal((4L, 9L), (s.ActualFinalValue, s.ExpectedFinalValue));
        var lost = Assert.Single(s.LostWrites);
        Assert.Equal(("p3", 5L, 5L, "p2", 4L), (lost.Process, lost.Value, lost.Amount, lost.OverwrittenBy, lost.OverwrittenWith));
        Assert.Null(s.Discrepancy);
        AssertSameSummaryWhateverTheTicketOrder(run);
    }

    [Fact]
    public async Task A_serial_interleaving_loses_nothing_whatever_order_its_events_were_reported_in()
    {
        // p1 writes 1, then p2 reads 1 and writes 4. Had p1 been preempted between its write and that write's ticket,
        // the tickets would say R1 R2 W2 W1: inferred from them, p2 would seem to have erased p1's update.
        var run = await StartAsync("""{"scenario":"no-lock","room":"steps","mode":"step","iterations":1}""");
        await StepAsync(run, "p1", EventKind.Read);
        await StepAsync(run, "p1", EventKind.Write);
        await StepAsync(run, "p2", EventKind.Read);
        await StepAsync(run, "p2", EventKind.Write);
        await StepAsync(run, "p1", EventKind.Print);
        await StepAsync(run, "p2", EventKind.Print);
        await lab.WaitForRunAsync(run.Id);

        Assert.Empty(run.Summary!.LostWrites);
        var events = run.RetainedEvents().ToList();
        var w1 = events.Single(e => e is { Process: "p1", Kind: EventKind.Write });
        var r2 = events.Single(e => e is { Process: "p2", Kind: EventKind.Read });
        var w2 = events.Single(e => e is { Process: "p2", Kind: EventKind.Write });
        // p1's write reported last, as a preemption before its ticket would have it.
        var reordered = events.Where(e => e != w1).Select(e => e.Seq > w1.Seq && e.Seq <= w2.Seq ? e with { Seq = e.Seq - 1 } : e)
            .Append(w1 with { Seq = w2.Seq }).OrderBy(e => e.Seq).ToList();
        Assert.Equal([r2.Seq - 1, w2.Seq - 1, w2.Seq],
            reordered.Where(e => e.Kind is EventKind.Read or EventKind.Write).Skip(1).Select(e => e.Seq));
        Assert.Empty(RunSummaryBuilder.FindLostWrites(reordered));
        AssertSameSummaryWhateverTheTicketOrder(run);
    }

    [Fact]
    public async Task A_lost_update_is_found_even_when_the_stale_read_was_reported_after_the_write_it_overlooked()
    {
        // p1 reads 0; p2 reads 0 and writes 3; p1 writes 1 over it. Had p1 been preempted between its read and the read's
        // ticket, the tickets would put p1's read after p2's write, and an inference from them would see no loss.
        var run = await StartAsync("""{"scenario":"no-lock","room":"steps","mode":"step","iterations":1}""");
        await StepAsync(run, "p1", EventKind.Read);
        await StepAsync(run, "p2", EventKind.Read);
        await StepAsync(run, "p2", EventKind.Write);
        await StepAsync(run, "p1", EventKind.Write);
        await StepAsync(run, "p1", EventKind.Print);
        await StepAsync(run, "p2", EventKind.Print);
        await lab.WaitForRunAsync(run.Id);

        var lost = Assert.Single(run.Summary!.LostWrites);
        Assert.Equal(("p2", 3L, "p1"), (lost.Process, lost.Amount, lost.OverwrittenBy));
        var events = run.RetainedEvents().ToList();
        var r1 = events.Single(e => e is { Process: "p1", Kind: EventKind.Read });
        var w2 = events.Single(e => e is { Process: "p2", Kind: EventKind.Write });
        // p1's read reported just after p2's write.
        var reordered = events.Where(e => e != r1).Select(e => e.Seq > r1.Seq && e.Seq <= w2.Seq ? e with { Seq = e.Seq - 1 } : e)
            .Append(r1 with { Seq = w2.Seq }).OrderBy(e => e.Seq).ToList();
        Assert.Equal(["p2", "p2", "p1", "p1"], reordered.Where(e => e.Kind is EventKind.Read or EventKind.Write).Select(e => e.Process));
        Assert.Equal(run.Summary.LostWrites.Select(l => l.Amount), RunSummaryBuilder.FindLostWrites(reordered).Select(l => l.Amount));
        AssertSameSummaryWhateverTheTicketOrder(run);
    }

    /// <summary>
    /// The lost writes depend on what the writes observed, not on the order their events were numbered in: renumbered
    /// in any order that keeps each process's own events in order (what preemption between a step and its ticket can
    /// do), the run's events give the same lost writes.
    /// </summary>
    private static void AssertSameSummaryWhateverTheTicketOrder(LockLab.Server.Runs.Run run)
    {
        var events = run.RetainedEvents().ToList();
        var expected = run.Summary!.LostWrites.Select(l => (l.Process, l.Value, l.Amount)).ToList();
        var random = new Random(42);
        for (var shuffle = 0; shuffle < 20; shuffle++)
        {
            var queues = events.GroupBy(e => e.Process).Select(g => new Queue<RunEvent>(g)).ToList();
            var renumbered = new List<RunEvent>();
            while (queues.Any(q => q.Count > 0))
            {
                var nonEmpty = queues.Where(q => q.Count > 0).ToList();
                renumbered.Add(nonEmpty[random.Next(nonEmpty.Count)].Dequeue() with { Seq = renumbered.Count + 1 });
            }
            Assert.Equal(expected, RunSummaryBuilder.FindLostWrites(renumbered).Select(l => (l.Process, l.Value, l.Amount)));
        }
    }

    [Fact]
    public async Task A_serial_interleaving_loses_nothing()
    {
        var run = await StartAsync("""{"scenario":"no-lock","room":"steps","mode":"step","iterations":1}""");

        foreach (var process in new[] { "p2", "p1" })
        {
            await StepAsync(run, process, EventKind.Read);
            await StepAsync(run, process, EventKind.Write);
            await StepAsync(run, process, EventKind.Print);
        }
        await lab.WaitForRunAsync(run.Id);

        Assert.Equal([3L, 4], run.Summary!.Printed);
        Assert.Empty(run.Summary.LostWrites);
    }

    [Fact]
    public async Task A_process_waiting_for_the_lock_cannot_be_stepped_until_the_holder_releases_it()
    {
        var run = await StartAsync("""{"scenario":"lock-per-step","room":"steps","mode":"step","iterations":1}""");

        await StepAsync(run, "p2", EventKind.LockAcquired);
        await StepAsync(run, "p1", EventKind.LockWait); // p1 asks for the lock and blocks, for real

        var refused = await _presenter.PostAsync($"/api/runs/{run.Id}/step", Json.Body("""{"process":"p1"}"""));
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.Contains("waiting for the lock", await refused.Content.ReadAsStringAsync());

        await StepAsync(run, "p2", EventKind.Read);
        await StepAsync(run, "p2", EventKind.Write);
        await StepAsync(run, "p2", EventKind.Print);
        await StepAsync(run, "p2", EventKind.LockReleased);
        // Released: p1 gets the lock by itself (it was already waiting), then reads what p2 wrote.
        await lab.WaitForRunAsync(run.Id, r => r.RetainedEvents().Any(e => e is { Process: "p1", Kind: EventKind.LockAcquired }));
        await StepAsync(run, "p1", EventKind.Read);
        Assert.Equal(3, run.RetainedEvents().Last(e => e is { Process: "p1", Kind: EventKind.Read }).Value);

        var stopped = await _presenter.PostAsync($"/api/runs/{run.Id}/stop", null);
        Assert.Equal(HttpStatusCode.Accepted, stopped.StatusCode);
        await lab.WaitForRunAsync(run.Id);
        Assert.Equal(RunStatus.Cancelled, run.Status);
        Assert.Equal("Stopped by the presenter.", run.Error);
    }

    [Fact]
    public async Task Stepping_needs_the_key_and_a_process_that_exists()
    {
        var run = await StartAsync("""{"scenario":"no-lock","room":"steps","mode":"step","iterations":1}""");

        var anonymous = await lab.CreateClient().PostAsync($"/api/runs/{run.Id}/step", Json.Body("""{"process":"p1"}"""));
        var unknown = await _presenter.PostAsync($"/api/runs/{run.Id}/step", Json.Body("""{"process":"p9"}"""));
        var missing = await _presenter.PostAsync($"/api/runs/{run.Id}/step", Json.Body("{}"));

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, unknown.StatusCode);
        Assert.Contains("no process 'p9'", await unknown.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);
        await _presenter.PostAsync($"/api/runs/{run.Id}/stop", null);
        await lab.WaitForRunAsync(run.Id);
    }
}
