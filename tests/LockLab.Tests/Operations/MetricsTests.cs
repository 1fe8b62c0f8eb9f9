using LockLab.Contracts;
using LockLab.TestServices;
using LockLab.Tests.Support;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.SignalR.Client;

namespace LockLab.Tests.Operations;

/// <summary>
/// <c>/metrics</c> in the Prometheus text format, after real runs of real workers watched by a real SignalR client.
/// Counters are compared before and after, so the test does not depend on what ran earlier in this lab.
/// </summary>
/// <summary>A lab that serves <c>/metrics</c> (off by default).</summary>
public sealed class MetricsLabFactory : LabServerFactory
{
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?> { ["LockLab:ServeMetrics"] = "true" };
}

/// <summary>A lab as it is configured out of the box, in Production.</summary>
public sealed class ProductionDefaultsLabFactory : LabServerFactory
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseEnvironment("Production");
    }
}

/// <summary>What a lab with no proxy in front serves to anyone: no metrics (they name rooms), no API description.</summary>
public class EndpointDefaultsTests(ProductionDefaultsLabFactory lab) : IClassFixture<ProductionDefaultsLabFactory>
{
    [Theory]
    [InlineData("/metrics")]
    [InlineData("/openapi/v1.json")]
    public async Task Out_of_the_box_in_production_these_are_not_served(string path) =>
        Assert.Equal(System.Net.HttpStatusCode.NotFound, (await lab.CreateClient().GetAsync(path)).StatusCode);

    [Fact]
    public async Task Probes_are_served_all_the_same() =>
        Assert.Equal(System.Net.HttpStatusCode.OK, (await lab.CreateClient().GetAsync("/healthz")).StatusCode);
}

public class MetricsTests(MetricsLabFactory lab) : IClassFixture<MetricsLabFactory>
{
    private const string Started = "locklab_runs_started_total";
    private const string Finished = "locklab_runs_finished_total";
    private const string Events = "locklab_events_received_total";
    private const string Viewers = "locklab_room_viewers";
    private const string Active = "locklab_runs_active";
    private const string WorkerStarts = "locklab_worker_start_duration_seconds_count";
    private const string LockWaits = "locklab_lock_wait_duration_seconds_count";
    private const string LockWaitSeconds = "locklab_lock_wait_duration_seconds_sum";

    [Fact]
    public async Task A_lock_run_is_counted_its_events_and_lock_waits_measured_and_its_viewer_shown_in_its_room()
    {
        var client = lab.CreateClient();
        await using var viewer = lab.CreateHubConnection();
        var room = new RoomRecorder(viewer);
        await viewer.StartAsync();
        lab.OpenRoom("metrics-room");
        await viewer.InvokeAsync<RoomState>(nameof(ILabHub.JoinRoom), "metrics-room");

        var before = await PrometheusScrape.WaitForAsync(client, s => s.Sum(Viewers, ("room", "metrics-room")) == 1);
        Assert.Equal(1, before.Sum(Viewers, ("room", "metrics-room")));

        var response = await lab.CreatePresenterClient().PostAsync("/api/runs",
            Json.Body("""{"scenario":"lock","room":"metrics-room","iterations":2,"delayMs":20}"""));
        var run = (await Json.ReadAsync<RunInfo>(response))!;
        var completed = await room.CompletedAsync(run.Id);
        Assert.Equal(RunStatus.Completed, completed.Status);

        var after = await PrometheusScrape.WaitForAsync(client, s =>
            s.Sum(Finished, ("scenario", "lock"), ("status", "completed"))
                > before.Sum(Finished, ("scenario", "lock"), ("status", "completed")));

        Assert.Equal(before.Sum(Started, ("scenario", "lock")) + 1, after.Sum(Started, ("scenario", "lock")));
        Assert.Equal(before.Sum(Finished, ("scenario", "lock"), ("status", "completed")) + 1,
            after.Sum(Finished, ("scenario", "lock"), ("status", "completed")));
        Assert.Equal(before.Sum(Finished, ("status", "failed")), after.Sum(Finished, ("status", "failed")));
        Assert.Equal(before.Sum(Events) + completed.EventCount, after.Sum(Events));
        Assert.Equal(before.Sum(WorkerStarts) + 1, after.Sum(WorkerStarts));
        Assert.Equal(0, after.Sum(Active));

        // One observation per lock acquisition, each the same wait the run's summary reports per process.
        var events = room.EventsOf(run.Id);
        Assert.Equal(before.Sum(LockWaits, ("scenario", "lock")) + events.Count(e => e.Kind == EventKind.LockAcquired),
            after.Sum(LockWaits, ("scenario", "lock")));
        var waited = after.Sum(LockWaitSeconds, ("scenario", "lock")) - before.Sum(LockWaitSeconds, ("scenario", "lock"));
        // Within 10 µs, not "to 4 decimal places": rounding puts two sums a hair apart on either side of a half (0.04395).
        Assert.Equal(completed.Summary!.Processes.Sum(p => p.LockWaitMs) / 1000, waited, tolerance: 1e-5);
        Assert.True(waited > 0.01, $"p2 waits for p1's whole loop (2 × 20 ms); measured {waited} s");

        Assert.Equal(1, after.Sum(Viewers, ("room", "metrics-room")));
        // ASP.NET Core's and the runtime's own series, enabled by the same rules as the lab's (README, "Metrics").
        foreach (var name in new[] { "signalr_server_active_connections", "dotnet_process_cpu_time_seconds_total", "dotnet_process_memory_working_set_bytes" })
        {
            Assert.True(after.Has(name), $"{name} is missing from /metrics");
        }
        await viewer.StopAsync();
        var gone = await PrometheusScrape.WaitForAsync(client, s => !s.Matching(Viewers, ("room", "metrics-room")).Any());
        Assert.Empty(gone.Matching(Viewers, ("room", "metrics-room")));
    }

    [Fact]
    public async Task A_lab_counts_only_its_own_runs_and_keeps_counting_when_another_lab_in_the_process_stops()
    {
        // Two labs in one process, as the tests run them. Each exports its own runs only, and the other lab's
        // shutdown takes nothing away: its meter had once put this lab's counters out of /metrics for good.
        await using var first = new MetricsLabFactory();
        var firstClient = first.CreateClient();
        await RunAsync(first, "first-lab");
        await using (var second = new MetricsLabFactory())
        {
            await RunAsync(second, "second-lab");
            var secondScrape = await PrometheusScrape.WaitForAsync(second.CreateClient(), s => s.Sum(Finished) == 1);
            Assert.Equal(1, secondScrape.Sum(Started));
            // The second lab's run is not the first lab's: it had counted it too.
            var firstScrape = await PrometheusScrape.WaitForAsync(firstClient, s => s.Sum(Finished) == 1);
            Assert.Equal(1, firstScrape.Sum(Started));
        }
        await RunAsync(first, "first-lab");

        var scrape = await PrometheusScrape.WaitForAsync(firstClient, s => s.Sum(Finished) == 2);
        Assert.Equal(2, scrape.Sum(Started));
        Assert.Equal(2, scrape.Sum(Finished, ("status", "completed")));
    }

    private static async Task RunAsync(LabServerFactory lab, string room)
    {
        var response = await lab.CreatePresenterClient().PostAsync("/api/runs",
            Json.Body($$"""{"scenario":"lock","room":"{{room}}","iterations":1,"delayMs":0}"""));
        Assert.Equal(RunStatus.Completed, (await lab.WaitForRunAsync((await Json.ReadAsync<RunInfo>(response))!.Id)).Status);
    }

    [Fact]
    public async Task The_lab_metrics_are_exposed_with_help_and_the_scrape_does_not_count_itself()
    {
        // A run of each kind that takes a lock, so that every instrument has a value.
        var response = await lab.CreatePresenterClient().PostAsync("/api/runs",
            Json.Body("""{"scenario":"lock-per-step","room":"metrics-names","iterations":1,"delayMs":0}"""));
        await lab.WaitForRunAsync((await Json.ReadAsync<RunInfo>(response))!.Id);

        await lab.CreateClient().GetAsync("/healthz");
        await lab.CreateClient().GetAsync("/readyz");
        await PrometheusScrape.ReadAsync(lab.CreateClient());
        var scrape = await PrometheusScrape.WaitForAsync(lab.CreateClient(),
            s => s.Has(Finished) && s.Has("http_server_request_duration_seconds_count"));

        foreach (var name in new[] { Started, Finished, Events, Active, WorkerStarts, LockWaits })
        {
            Assert.True(scrape.Has(name), $"{name} is missing from /metrics:\n{scrape.Text}");
        }
        Assert.Contains("# HELP locklab_lock_wait_duration_seconds", scrape.Text);
        Assert.True(scrape.Has("http_server_request_duration_seconds_count"), "ASP.NET Core's request metrics are exported too");
        Assert.DoesNotContain(scrape.Matching("http_server_request_duration_seconds_count"),
            s => s.Labels.GetValueOrDefault("http_route") is "/metrics" or "/healthz" or "/readyz");
    }
}
