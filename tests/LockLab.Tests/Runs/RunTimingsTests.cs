using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using LockLab.Contracts;
using LockLab.Tests.Support;
using Microsoft.AspNetCore.Mvc;

namespace LockLab.Tests.Runs;

/// <summary><c>GET /api/runs/{id}/timings</c>: where a run's time went, stage by stage, on the monotonic clock.</summary>
public class RunTimingsTests(LabServerFactory lab) : IClassFixture<LabServerFactory>
{
    [Fact]
    public async Task A_finished_runs_stages_come_in_order_and_its_events_after_the_gate()
    {
        var accepted = await Json.ReadAsync<RunInfo>(await lab.CreatePresenterClient().PostAsync("/api/runs",
            Json.Body("""{"scenario":"no-lock","room":"api-timings","iterations":2,"delayMs":5}""")));
        var run = await lab.WaitForRunAsync(accepted!.Id);

        var response = await lab.CreateClient().GetAsync($"/api/runs/{run.Id}/timings");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var t = (await Json.ReadAsync<RunTimings>(response))!;

        Assert.Equal(run.Id, t.RunId);
        Assert.Equal(Stopwatch.Frequency, t.TimestampFrequency);
        Assert.InRange(t.AcceptedTimestamp, 1, Stopwatch.GetTimestamp()); // the same monotonic clock as this process's
        double[] stages = [0, t.DequeuedMs!.Value, t.JobsHandedMs!.Value, t.WorkersReadyMs!.Value, t.GateOpenedMs!.Value,
            t.FinishedMs!.Value];
        Assert.Equal(stages.Order(), stages);

        Assert.Equal(1, t.FirstEvent!.Seq);
        var firstPrint = t.FirstPrint!;
        Assert.Equal(run.RetainedEvents().First(e => e.Kind == EventKind.Print).Seq, firstPrint.Seq);
        // Written after the first sleep (5 ms after the gate), read after it was written, logged after it was read.
        Assert.True(firstPrint.WrittenMs >= t.GateOpenedMs + 5, $"written at {firstPrint.WrittenMs} ms, gate at {t.GateOpenedMs} ms");
        Assert.True(firstPrint.ReadMs >= firstPrint.WrittenMs, $"read at {firstPrint.ReadMs} ms, written at {firstPrint.WrittenMs} ms");
        Assert.True(firstPrint.ReleasedMs >= firstPrint.ReadMs, $"logged at {firstPrint.ReleasedMs} ms, read at {firstPrint.ReadMs} ms");
        Assert.Equal(run.EventCount, t.LastEvent!.Seq);
        Assert.True(t.LastEvent.ReleasedMs <= t.FinishedMs, "every event is in the log before the run is finished");
    }

    [Fact]
    public async Task A_runs_start_is_the_instant_its_start_gate_opened()
    {
        // Events count their atMs from the gate; a page adds atMs to the run's start to place them. A start taken when
        // the jobs were handed out (before the workers were ready) made every event look that much later.
        var accepted = await Json.ReadAsync<RunInfo>(await lab.CreatePresenterClient().PostAsync("/api/runs",
            Json.Body("""{"scenario":"no-lock","room":"api-timings-start","iterations":1,"delayMs":5}""")));
        var run = await lab.WaitForRunAsync(accepted!.Id);
        var t = (await Json.ReadAsync<RunTimings>(await lab.CreateClient().GetAsync($"/api/runs/{run.Id}/timings")))!;

        var startedMs = (run.StartedAt!.Value - run.CreatedAt).TotalMilliseconds; // on the wall clock, from acceptance
        Assert.InRange(startedMs, t.GateOpenedMs!.Value - 1, t.GateOpenedMs.Value + 1);
    }

    [Fact]
    public async Task An_unknown_run_is_404_problem_details()
    {
        var response = await lab.CreateClient().GetAsync("/api/runs/0123456789abcdef0123/timings");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<ProblemDetails>();
        Assert.Equal("Run not found", problem!.Title);
        Assert.Contains("0123456789abcdef0123", problem.Detail);
    }

    [Theory]
    [InlineData("run.1")]
    [InlineData("run%20one")]
    [InlineData("x0123456789012345678901234567890123456789012345678901234567890123")] // 65 characters
    public async Task A_malformed_run_id_is_400_naming_the_id(string id)
    {
        var response = await lab.CreateClient().GetAsync($"/api/runs/{id}/timings");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<ValidationProblemDetails>();
        Assert.Contains("id", problem!.Errors.Keys);
    }
}
