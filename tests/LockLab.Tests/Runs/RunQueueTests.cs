using System.Net;
using LockLab.Contracts;
using LockLab.Tests.Support;

namespace LockLab.Tests.Runs;

/// <summary>A lab that carries out one run at a time and queues one more.</summary>
public sealed class OneQueuedRunLabFactory : LabServerFactory
{
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["LockLab:Limits:MaxConcurrentRuns"] = "1",
        ["LockLab:Limits:MaxQueuedRuns"] = "1",
    };
}

public class RunQueueTests(OneQueuedRunLabFactory lab) : IClassFixture<OneQueuedRunLabFactory>
{
    private Task<HttpResponseMessage> StartAsync(string body) => lab.CreatePresenterClient().PostAsync("/api/runs", Json.Body(body));

    [Fact]
    public async Task A_free_executor_takes_a_run_at_once_a_busy_one_queues_the_next_and_a_full_queue_answers_503()
    {
        // A step run stands still until stepped: it holds the only executor for as long as the test needs. It was taken
        // from the queue as it was accepted (a free consumer takes it inline), so the queue is empty again.
        var holding = (await Json.ReadAsync<RunInfo>(
            await StartAsync("""{"scenario":"lock","room":"queue-1","mode":"step","iterations":1}""")))!;
        var queued = await StartAsync("""{"scenario":"lock","room":"queue-2","iterations":1,"delayMs":1}""");
        var refused = await StartAsync("""{"scenario":"lock","room":"queue-3","iterations":1,"delayMs":1}""");

        Assert.Equal(HttpStatusCode.Accepted, queued.StatusCode);
        var waiting = (await Json.ReadAsync<RunInfo>(queued))!;
        Assert.Equal(RunStatus.Queued, waiting.Status);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        Assert.Contains("Too many runs are queued", await refused.Content.ReadAsStringAsync());

        await lab.CreatePresenterClient().PostAsync($"/api/runs/{holding.Id}/stop", null);
        Assert.Equal(RunStatus.Cancelled, (await lab.WaitForRunAsync(holding.Id)).Status);
        Assert.Equal(RunStatus.Completed, (await lab.WaitForRunAsync(waiting.Id)).Status);
    }
}
