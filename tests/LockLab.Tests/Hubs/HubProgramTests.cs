using LockLab.Contracts;
using LockLab.Contracts.Experiments;
using LockLab.Tests.Support;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;

namespace LockLab.Tests.Hubs;

/// <summary>The hub's <c>StartRun</c> takes a program as the REST API does, and refuses a wrong one the same way.</summary>
public class HubProgramTests(LabServerFactory lab) : IClassFixture<LabServerFactory>
{
    [Fact]
    public async Task A_presenter_starts_a_program_through_the_hub_and_a_wrong_one_is_refused_naming_its_step()
    {
        await using var hub = lab.CreateHubConnection(presenter: true);
        await hub.StartAsync();

        var run = await hub.InvokeAsync<RunInfo>(nameof(ILabHub.StartRun), new RunRequest
        {
            Room = "hub-program",
            Program = ProgramSource.FromText("shared v\nprocess p1:\n  repeat 2 {\n    add v 5\n    print v\n  }\n"),
        });
        var finished = await lab.WaitForRunAsync(run.Id);

        Assert.Equal(Scenarios.Program, run.Scenario);
        Assert.Equal(RunStatus.Completed, finished.Status);
        Assert.Equal([5L, 10], finished.Summary!.Printed);

        var wrong = await Assert.ThrowsAsync<HubException>(() => hub.InvokeAsync<RunInfo>(nameof(ILabHub.StartRun), new RunRequest
        {
            Room = "hub-program",
            Program = ProgramSource.FromText("lock l\nprocess p1:\n  release l\n"),
        }));
        Assert.Contains("process p1, step 1 (release l)", wrong.Message);
    }
}
