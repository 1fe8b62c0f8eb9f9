using LockLab.Contracts;
using LockLab.Server.Operations;
using LockLab.Tests.Support;
using Microsoft.AspNetCore.Http;
using Serilog.Events;

namespace LockLab.Tests.Operations;

public class RequestLoggingTests(LogCapturingLabFactory lab) : IClassFixture<LogCapturingLabFactory>
{
    private static string? Text(LogEvent e, string property) => LogCapture.Text(e, property);

    [Fact]
    public async Task The_request_that_starts_a_run_is_logged_with_the_run_id_and_the_room_named_in_its_body()
    {
        var response = await lab.CreatePresenterClient().PostAsync("/api/runs",
            Json.Body("""{"scenario":"lock","room":"log-room","iterations":1,"delayMs":0}"""));
        var run = (await Json.ReadAsync<RunInfo>(response))!;

        var line = await lab.Logs.RequestAsync("POST", "/api/runs", e => Text(e, "RunId") == run.Id);

        Assert.Equal(LogEventLevel.Information, line.Level);
        Assert.Equal("log-room", Text(line, "Room"));
        Assert.Equal("202", Text(line, "StatusCode"));
        await lab.WaitForRunAsync(run.Id);
    }

    [Fact]
    public async Task Requests_about_a_run_or_a_room_carry_its_id_and_room()
    {
        var started = await lab.CreatePresenterClient().PostAsync("/api/rooms/main/runs",
            Json.Body("""{"scenario":"no-lock","iterations":1,"delayMs":0}"""));
        var run = (await Json.ReadAsync<RunInfo>(started))!;
        await lab.WaitForRunAsync(run.Id);
        await lab.CreateClient().GetAsync($"/api/runs/{run.Id}/events?after=0");
        await lab.CreateClient().GetAsync("/api/rooms/main");

        var start = await lab.Logs.RequestAsync("POST", "/api/rooms/main/runs");
        Assert.Equal((run.Id, "main"), (Text(start, "RunId"), Text(start, "Room")));
        var events = await lab.Logs.RequestAsync("GET", $"/api/runs/{run.Id}/events");
        Assert.Equal((run.Id, "main"), (Text(events, "RunId"), Text(events, "Room")));
        var room = await lab.Logs.RequestAsync("GET", "/api/rooms/main");
        Assert.Equal("main", Text(room, "Room"));
        Assert.False(room.Properties.ContainsKey("RunId"));
    }

    [Fact]
    public async Task A_runs_lifecycle_lines_carry_its_id_and_room_as_properties()
    {
        var response = await lab.CreatePresenterClient().PostAsync("/api/runs",
            Json.Body("""{"scenario":"no-lock","room":"lifecycle-room","iterations":1,"delayMs":0}"""));
        var run = (await Json.ReadAsync<RunInfo>(response))!;

        var started = await lab.Logs.WaitForAsync(e =>
            e.MessageTemplate.Text.StartsWith("Run {RunId} started") && Text(e, "RunId") == run.Id);
        var finished = await lab.Logs.WaitForAsync(e =>
            e.MessageTemplate.Text.StartsWith("Run {RunId} {Status}") && Text(e, "RunId") == run.Id);

        Assert.Equal("lifecycle-room", Text(started, "Room"));
        Assert.Equal("lifecycle-room", Text(finished, "Room"));
        Assert.Equal("completed", Text(finished, "Status"));
    }

    [Fact]
    public async Task Probes_and_scrapes_are_logged_below_information_even_when_not_ready()
    {
        var client = lab.CreateClient();
        await client.GetAsync("/healthz");
        await client.GetAsync("/readyz");
        await client.GetAsync("/metrics");

        foreach (var path in new[] { "/healthz", "/readyz", "/metrics" })
        {
            Assert.Equal(LogEventLevel.Debug, (await lab.Logs.RequestAsync("GET", path)).Level);
        }
        // A failing probe too: the health check service logs the failing check with its reason, once is enough.
        var notReady = new DefaultHttpContext { Request = { Path = "/readyz" }, Response = { StatusCode = 503 } };
        Assert.Equal(LogEventLevel.Debug, RequestLogging.LevelFor(notReady, 1, null));
        var apiError = new DefaultHttpContext { Request = { Path = "/api/runs" }, Response = { StatusCode = 503 } };
        Assert.Equal(LogEventLevel.Error, RequestLogging.LevelFor(apiError, 1, null));
    }
}
