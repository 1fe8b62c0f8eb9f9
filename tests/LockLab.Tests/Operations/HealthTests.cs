using System.Net;
using System.Text.Json;
using LockLab.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace LockLab.Tests.Operations;

/// <summary>What a health answer says: the overall status and each check's status and description.</summary>
internal sealed record HealthAnswer(HttpStatusCode Code, string Status, Dictionary<string, (string Status, string Description)> Checks)
{
    public static async Task<HealthAnswer> GetAsync(HttpClient client, string path)
    {
        using var response = await client.GetAsync(path);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.Content.Headers.ContentType?.MediaType == "application/json",
            $"{(int)response.StatusCode} {response.Content.Headers.ContentType}: {body}");
        using var json = JsonDocument.Parse(body);
        var checks = json.RootElement.GetProperty("checks").EnumerateObject().ToDictionary(
            c => c.Name,
            c => (c.Value.GetProperty("status").GetString()!, c.Value.GetProperty("description").GetString() ?? ""));
        return new HealthAnswer(response.StatusCode, json.RootElement.GetProperty("status").GetString()!, checks);
    }
}

public class HealthTests(LabServerFactory lab) : IClassFixture<LabServerFactory>
{
    [Fact]
    public async Task Liveness_answers_200_and_asks_no_dependency()
    {
        var live = await HealthAnswer.GetAsync(lab.CreateClient(), "/healthz");

        Assert.Equal((HttpStatusCode.OK, "Healthy"), (live.Code, live.Status));
        Assert.Equal(["process"], live.Checks.Keys);
        Assert.StartsWith("Up since", live.Checks["process"].Description);
    }

    [Fact]
    public async Task Readiness_answers_200_with_each_dependency_checked_and_described()
    {
        var ready = await HealthAnswer.GetAsync(lab.CreateClient(), "/readyz");

        Assert.Equal((HttpStatusCode.OK, "Healthy"), (ready.Code, ready.Status));
        Assert.Equal(["history", "shutdown", "worker"], ready.Checks.Keys.Order());
        Assert.All(ready.Checks.Values, c => Assert.Equal("Healthy", c.Status));
        Assert.Contains("locklab.db", ready.Checks["history"].Description);
        Assert.StartsWith("Worker found", ready.Checks["worker"].Description);
    }
}

/// <summary>
/// A lab that keeps serving for a few seconds after a stop is requested, as one behind a load balancer would. Three: the
/// test's two requests during the drain take milliseconds, and the drain is waited out twice (the test's stop, then the
/// fixture's).
/// </summary>
public sealed class DrainingLabFactory : LabServerFactory
{
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?> { ["LockLab:ShutdownDrainSeconds"] = "3" };
}

public class ShutdownHealthTests(DrainingLabFactory lab) : IClassFixture<DrainingLabFactory>
{
    [Fact]
    public async Task A_stopping_lab_answers_not_ready_while_it_drains_then_stops()
    {
        var client = lab.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/readyz")).StatusCode);
        var lifetime = lab.Services.GetRequiredService<IHostApplicationLifetime>();
        var stopped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lifetime.ApplicationStopped.Register(() => stopped.TrySetResult());

        lifetime.StopApplication();

        var ready = await HealthAnswer.GetAsync(client, "/readyz");
        Assert.Equal((HttpStatusCode.ServiceUnavailable, "Unhealthy"), (ready.Code, ready.Status));
        Assert.Equal(("Unhealthy", "The lab is shutting down."), ready.Checks["shutdown"]);
        Assert.Equal("Healthy", ready.Checks["history"].Status); // the dependencies are fine: only the stop is reported
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/healthz")).StatusCode); // alive: nobody should kill it
        Assert.False(stopped.Task.IsCompleted, "the lab stopped without draining");

        await stopped.Task.WaitAsync(TimeSpan.FromSeconds(30)); // and then it does stop, by itself
    }
}

/// <summary>
/// A lab whose history database cannot be opened although its folder is fine (here a folder stands where the database
/// file should be; a corrupt file does the same). A folder that cannot be used at all stops the start instead
/// (StartupTests in the end-to-end tests).
/// </summary>
public sealed class BrokenHistoryLabFactory : LabServerFactory
{
    public string DatabaseFile => Path.Combine(DataPath, LockLab.Server.History.SqliteHistoryDialect.FileName);

    protected override IDictionary<string, string?> Settings
    {
        get
        {
            Directory.CreateDirectory(DatabaseFile);
            return new Dictionary<string, string?>();
        }
    }
}

public class BrokenHistoryHealthTests(BrokenHistoryLabFactory lab) : IClassFixture<BrokenHistoryLabFactory>
{
    [Fact]
    public async Task A_lab_whose_history_cannot_be_opened_is_alive_but_not_ready_and_says_why()
    {
        var ready = await HealthAnswer.GetAsync(lab.CreateClient(), "/readyz");

        Assert.Equal((HttpStatusCode.ServiceUnavailable, "Unhealthy"), (ready.Code, ready.Status));
        Assert.Equal("Unhealthy", ready.Checks["history"].Status);
        Assert.Contains("could not be opened", ready.Checks["history"].Description);
        Assert.Contains(lab.DatabaseFile, ready.Checks["history"].Description);
        Assert.Equal("Healthy", ready.Checks["worker"].Status); // only the broken dependency is blamed
        Assert.Equal(HttpStatusCode.OK, (await lab.CreateClient().GetAsync("/healthz")).StatusCode);
    }
}

/// <summary>A lab configured with a worker program that is not there.</summary>
public sealed class MissingWorkerLabFactory : LabServerFactory
{
    public string Worker { get; } = Path.Combine(Path.GetTempPath(), $"locklab-no-such-worker-{Guid.NewGuid():N}");

    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?> { ["LockLab:WorkerPath"] = Worker };
}

public class MissingWorkerHealthTests(MissingWorkerLabFactory lab) : IClassFixture<MissingWorkerLabFactory>
{
    [Fact]
    public async Task A_lab_without_its_worker_program_is_alive_but_not_ready_and_says_why()
    {
        var ready = await HealthAnswer.GetAsync(lab.CreateClient(), "/readyz");

        Assert.Equal((HttpStatusCode.ServiceUnavailable, "Unhealthy"), (ready.Code, ready.Status));
        Assert.Equal("Unhealthy", ready.Checks["worker"].Status);
        Assert.Contains(lab.Worker, ready.Checks["worker"].Description);
        Assert.Equal("Healthy", ready.Checks["history"].Status);
        Assert.Equal(HttpStatusCode.OK, (await lab.CreateClient().GetAsync("/healthz")).StatusCode);
    }
}
