using System.Net;
using System.Net.Http.Json;
using LockLab.Contracts;
using LockLab.Tests.Support;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;

namespace LockLab.Tests.Runs;

/// <summary>A lab that lets one address start three runs a minute.</summary>
public sealed class ThreeRunsAMinuteLabFactory : LabServerFactory
{
    protected override IDictionary<string, string?> Settings =>
        new Dictionary<string, string?> { ["LockLab:Limits:RunsPerMinutePerClient"] = "3" };
}

/// <summary>One allowance of runs per address, whether they are asked for over REST or through a page's hub connection.</summary>
public class RunStartLimitTests(ThreeRunsAMinuteLabFactory lab) : IClassFixture<ThreeRunsAMinuteLabFactory>
{
    [Fact]
    public async Task REST_and_the_hub_draw_on_one_allowance_of_runs_per_address()
    {
        var rest = lab.CreatePresenterClient();
        var request = new RunRequest { Scenario = "lock", Iterations = 1, DelayMs = 0 };
        Assert.Equal(HttpStatusCode.Accepted,
            (await rest.PostAsJsonAsync("/api/runs", request, ContractsJsonContext.Default.RunRequest)).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted,
            (await rest.PostAsJsonAsync("/api/runs", request, ContractsJsonContext.Default.RunRequest)).StatusCode);

        await using var hub = lab.CreateHubConnection(presenter: true);
        await hub.StartAsync();
        await hub.InvokeAsync<RunInfo>(nameof(ILabHub.StartRun), request); // the third
        var refused = await Assert.ThrowsAsync<HubException>(() => hub.InvokeAsync<RunInfo>(nameof(ILabHub.StartRun), request));
        Assert.Contains("too many runs", refused.Message);

        var overRest = await rest.PostAsJsonAsync("/api/runs", request, ContractsJsonContext.Default.RunRequest);
        Assert.Equal(HttpStatusCode.TooManyRequests, overRest.StatusCode);
        Assert.Contains("too many runs", await overRest.Content.ReadAsStringAsync());
    }
}

/// <summary>A request that would not run is answered with what is wrong, and costs the address none of its runs.</summary>
public class InvalidRunRequestLimitTests(ThreeRunsAMinuteLabFactory lab) : IClassFixture<ThreeRunsAMinuteLabFactory>
{
    [Fact]
    public async Task Requests_refused_as_invalid_do_not_spend_the_allowance()
    {
        var rest = lab.CreatePresenterClient();
        var wrong = new RunRequest { Scenario = "lock", Processes = 1 };
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(HttpStatusCode.BadRequest,
                (await rest.PostAsJsonAsync("/api/runs", wrong, ContractsJsonContext.Default.RunRequest)).StatusCode);
        }

        var right = new RunRequest { Scenario = "lock", Iterations = 1, DelayMs = 0 };
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.Accepted,
                (await rest.PostAsJsonAsync("/api/runs", right, ContractsJsonContext.Default.RunRequest)).StatusCode);
        }
        Assert.Equal(HttpStatusCode.TooManyRequests,
            (await rest.PostAsJsonAsync("/api/runs", right, ContractsJsonContext.Default.RunRequest)).StatusCode);
    }
}
