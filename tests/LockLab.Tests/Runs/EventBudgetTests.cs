using System.Net;
using System.Net.Http.Json;
using LockLab.Contracts;
using LockLab.Server.History;
using LockLab.Server.Runs;
using LockLab.TestServices;
using LockLab.Tests.Support;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace LockLab.Tests.Runs;

/// <summary>A lab that may hold only a few hundred events in memory: every run of these tests outgrows it.</summary>
public sealed class SmallEventBudgetLabFactory : LabServerFactory
{
    public const int Budget = 300;

    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["LockLab:Limits:RetainedEventBudget"] = Budget.ToString(),
    };
}

/// <summary>
/// Runs whose events outgrow the lab's memory budget (LockLab:Limits:RetainedEventBudget): the events that left memory
/// are served from the history, so every reader still gets every event, in order; memory holds a bounded number.
/// </summary>
public sealed class EventBudgetTests(SmallEventBudgetLabFactory lab) : IClassFixture<SmallEventBudgetLabFactory>
{
    private const int Budget = SmallEventBudgetLabFactory.Budget;

    /// <summary>
    /// 2 processes × 1,000 increments, each reported as read, write and print: 6,000 events and more, twenty
    /// budgets' worth.
    /// </summary>
    private const string BigRun = """{"scenario":"no-lock","iterations":1000,"delayMs":0,"room":"@room"}""";

    /// <summary>What one read of a worker's output pipe (64 KB) can hold: at least ≈ 70 bytes an event.</summary>
    private const int EventsPerPipeRead = 1000;

    /// <summary>Starts a run and waits, on the run's own signals, until it has finished and is fully in the history;
    /// meanwhile notes the most events memory held for it.</summary>
    private async Task<(RunInfo Info, int MostRetained)> RunAndRecordAsync(string room)
    {
        var recorder = lab.Services.GetRequiredService<RunRecorder>();
        var recorded = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var response = await lab.CreatePresenterClient().PostAsync("/api/runs", Json.Body(BigRun.Replace("@room", room)));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var id = (await Json.ReadAsync<RunInfo>(response))!.Id;
        recorder.Recorded += recordedId => { if (recordedId == id) recorded.TrySetResult(id); };

        var mostRetained = 0;
        var run = await lab.WaitForRunAsync(id, r =>
        {
            mostRetained = Math.Max(mostRetained, r.RetainedCount);
            return r.IsFinished;
        }, TimeSpan.FromSeconds(60));
        if (await lab.Services.GetRequiredService<RunHistory>().GetRunAsync(id) is not { Status: RunStatus.Completed })
            await recorded.Task.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(RunStatus.Completed, run.Status);
        return (run.ToInfo(), mostRetained);
    }

    private static void AssertWholeRun(RunInfo run, IReadOnlyList<long> seqs)
    {
        Assert.Equal(run.EventCount, seqs.Count);
        Assert.Equal(Enumerable.Range(1, seqs.Count).Select(i => (long)i), seqs); // every event, once, in order
    }

    [Fact]
    public async Task A_run_bigger_than_the_budget_keeps_a_bounded_number_of_events_in_memory_and_a_correct_summary()
    {
        var (info, mostRetained) = await RunAndRecordAsync("budget-memory");
        var run = lab.FindRun(info.Id);
        var retained = lab.Services.GetRequiredService<RetainedEvents>();

        Assert.True(info.EventCount > Budget + 2 * 2 * EventsPerPipeRead, $"the run reported {info.EventCount} events");
        Assert.True(run.DroppedThrough > 0, "no event left memory");
        Assert.InRange(run.RetainedCount, 0, Budget);
        Assert.InRange(retained.Count, 0, Budget);
        // While it ran: at most a budget of unsent or unstored events, plus, for each of its two workers, the read its
        // reader took in before waiting for room and one the sequencer held back for a lower ticket.
        Assert.True(mostRetained <= Budget + 2 * 2 * EventsPerPipeRead,
            $"memory held {mostRetained} of the run's {info.EventCount} events at once");

        // Worked out as the events passed, not from a log that no longer holds them.
        var summary = info.Summary!;
        Assert.Null(summary.Discrepancy);
        Assert.Equal(2000, summary.Printed.Count);
        Assert.Equal(2000, summary.Processes.Sum(p => p.Writes));
        Assert.Equal(summary.ExpectedFinalValue - summary.ActualFinalValue, summary.LostWrites.Sum(l => l.Amount));
    }

    [Fact]
    public async Task After_a_run_bigger_than_the_budget_the_lab_hands_its_memory_back_and_a_lesson_run_does_not_trigger_it()
    {
        var memory = lab.Services.GetRequiredService<RunMemory>();
        var handedBack = new System.Collections.Concurrent.ConcurrentQueue<string>();
        memory.HandedBack += handedBack.Enqueue;

        // A lesson run (40 events, within the budget): the lab leaves the collector alone.
        var lesson = await lab.CreatePresenterClient().PostAsync("/api/runs",
            Json.Body("""{"scenario":"no-lock","delayMs":0,"room":"budget-lesson"}"""));
        Assert.Equal(HttpStatusCode.Accepted, lesson.StatusCode);
        var lessonId = (await Json.ReadAsync<RunInfo>(lesson))!.Id;
        await lab.WaitForRunAsync(lessonId, TimeSpan.FromSeconds(60));

        // A big run: handed back once the executor is done with it, which is after the run reads as finished.
        var (info, _) = await RunAndRecordAsync("budget-handback");
        var big = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        memory.HandedBack += id => { if (id == info.Id) big.TrySetResult(); };
        if (!handedBack.Contains(info.Id)) await big.Task.WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Contains(info.Id, handedBack);
        Assert.DoesNotContain(lessonId, handedBack);
    }

    [Fact]
    public async Task Rest_paging_serves_every_event_in_order_after_they_left_memory()
    {
        var (info, _) = await RunAndRecordAsync("budget-rest");
        var client = lab.CreateClient();

        var seqs = new List<long>();
        while (true)
        {
            // An odd page size: pages straddle the boundary between history and memory.
            var page = await client.GetFromJsonAsync<RunEvent[]>(
                $"/api/runs/{info.Id}/events?after={(seqs.Count == 0 ? 0 : seqs[^1])}&limit=137",
                ContractsJsonContext.Default.Options);
            if (page!.Length == 0) break;
            seqs.AddRange(page.Select(e => e.Seq));
        }

        AssertWholeRun(info, seqs);
    }

    [Fact]
    public async Task A_viewer_catching_up_through_the_hub_gets_every_event_in_order_and_the_latest_on_request()
    {
        var (info, _) = await RunAndRecordAsync("budget-hub");
        await using var viewer = lab.CreateHubConnection();
        await viewer.StartAsync();
        lab.OpenRoom("budget-hub");
        await viewer.InvokeAsync<RoomState>(nameof(ILabHub.JoinRoom), "budget-hub");

        var seqs = new List<long>();
        while (true)
        {
            var missed = await viewer.InvokeAsync<RunEvent[]>(nameof(ILabHub.GetEvents), info.Id, seqs.Count == 0 ? 0L : seqs[^1]);
            if (missed.Length == 0) break;
            seqs.AddRange(missed.Select(e => e.Seq));
        }
        var latest = await viewer.InvokeAsync<RunEvent[]>(nameof(ILabHub.GetLatestEvents), info.Id, 50);

        AssertWholeRun(info, seqs);
        Assert.Equal(Enumerable.Range((int)info.EventCount - 49, 50).Select(i => (long)i), latest.Select(e => e.Seq));
        var refused = await Assert.ThrowsAsync<HubException>(() =>
            viewer.InvokeAsync<RunEvent[]>(nameof(ILabHub.GetLatestEvents), info.Id, 0));
        Assert.Contains("between 1 and", refused.Message);
    }

    [Fact]
    public async Task The_export_has_every_event_after_they_left_memory()
    {
        var (info, _) = await RunAndRecordAsync("budget-export");
        var client = lab.CreateClient();

        var csv = await client.GetStringAsync($"/api/runs/{info.Id}/export?format=csv");
        var rows = csv.TrimStart('\uFEFF').Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("seq,process,pid,kind,value,atMs,writeId,readFrom,replaced,round", rows[0]);
        AssertWholeRun(info, rows.Skip(1).Select(r => long.Parse(r[..r.IndexOf(',')])).ToList());

        var json = await client.GetFromJsonAsync<System.Text.Json.JsonElement>($"/api/runs/{info.Id}/export?format=json");
        Assert.Equal(info.Id, json.GetProperty("run").GetProperty("id").GetString());
        AssertWholeRun(info, json.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("seq").GetInt64()).ToList());
    }
}

/// <summary>A lab whose history cannot be opened (a database nobody listens for), with the small budget.</summary>
public sealed class NoHistorySmallBudgetLabFactory : LabServerFactory
{
    protected override string? Database => $"Host=127.0.0.1;Port={LockLab.TestServices.FreePort.Next()};" +
        $"Database=nowhere;Username=lab;Password=unused;Timeout=3";

    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["LockLab:Limits:RetainedEventBudget"] = SmallEventBudgetLabFactory.Budget.ToString(),
    };

    /// <summary>Nobody listens for the database: every write is tried as often, without the long pauses.</summary>
    protected override IReadOnlyList<TimeSpan>? HistoryRetryDelays =>
        [TimeSpan.FromMilliseconds(10), TimeSpan.FromMilliseconds(10), TimeSpan.FromMilliseconds(10)];
}

/// <summary>
/// Without a history the lab streams but does not keep: memory stays within budget, and the events that left it are
/// gone.
/// </summary>
public sealed class EventBudgetWithoutHistoryTests(NoHistorySmallBudgetLabFactory lab) : IClassFixture<NoHistorySmallBudgetLabFactory>
{
    [Fact]
    public async Task A_big_run_streams_every_event_live_keeps_memory_within_budget_and_serves_what_memory_still_holds()
    {
        Assert.NotNull(lab.Services.GetRequiredService<RunHistory>().StartupError);
        await using var viewer = lab.CreateHubConnection();
        var room = new RoomRecorder(viewer);
        await viewer.StartAsync();
        lab.OpenRoom("budget-unkept");
        await viewer.InvokeAsync<RoomState>(nameof(ILabHub.JoinRoom), "budget-unkept");

        var response = await lab.CreatePresenterClient().PostAsync("/api/runs",
            Json.Body("""{"scenario":"no-lock","iterations":1000,"delayMs":0,"room":"budget-unkept"}"""));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var id = (await Json.ReadAsync<RunInfo>(response))!.Id;
        var completed = await room.CompletedAsync(id);

        // Live viewers miss nothing: events leave memory only once they were sent.
        Assert.Equal(RunStatus.Completed, completed.Status);
        Assert.Equal(Enumerable.Range(1, (int)completed.EventCount).Select(i => (long)i), room.EventsOf(id).Select(e => e.Seq));
        Assert.Null(completed.Summary!.Discrepancy);

        var run = lab.FindRun(id);
        Assert.True(run.LostEarlyEvents);
        Assert.InRange(run.RetainedCount, 0, SmallEventBudgetLabFactory.Budget);
        Assert.InRange(lab.Services.GetRequiredService<RetainedEvents>().Count, 0, SmallEventBudgetLabFactory.Budget);

        // Asked for everything, the lab serves the end of the run it still holds, in order.
        var served = await lab.CreateClient().GetFromJsonAsync<RunEvent[]>($"/api/runs/{id}/events?after=0",
            ContractsJsonContext.Default.Options);
        Assert.NotEmpty(served!);
        Assert.Equal(completed.EventCount, served![^1].Seq);
        Assert.Equal(Enumerable.Range((int)served[0].Seq, served.Length).Select(i => (long)i), served.Select(e => e.Seq));
        Assert.True(served[0].Seq > 1);
    }
}
