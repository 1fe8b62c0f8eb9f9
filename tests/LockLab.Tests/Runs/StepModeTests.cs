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
        await lab.WaitForRunAsync(run.Id, r => r.AllEvents().Any(e => e is { Process: "p1", Kind: EventKind.LockAcquired }));
        await StepAsync(run, "p1", EventKind.Read);
        Assert.Equal(3, run.AllEvents().Last(e => e is { Process: "p1", Kind: EventKind.Read }).Value);

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
