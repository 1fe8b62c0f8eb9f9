using System.Net;
using System.Text.Json;
using LockLab.Contracts;
using LockLab.Contracts.Experiments;
using LockLab.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace LockLab.Tests.Runs;

/// <summary><c>POST /api/runs {"program": …}</c>: an experiment of one's own, validated like every input, run for real.</summary>
public class ProgramRunTests(ManyRunsLabFactory lab) : IClassFixture<ManyRunsLabFactory>
{
    private readonly HttpClient _presenter = lab.CreatePresenterClient();

    private static string Body(string program, string extra = "") =>
        $$"""{"room":"programs"{{extra}},"program":{{JsonSerializer.Serialize(program)}}}""";

    private async Task<LockLab.Server.Runs.Run> RunAsync(string body)
    {
        var response = await _presenter.PostAsync("/api/runs", Json.Body(body));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var info = await Json.ReadAsync<RunInfo>(response);
        Assert.Equal(Scenarios.Program, info!.Scenario);
        // Past the lab's own bounds (15 s for the workers to start, 60 s from the gate): every run has ended by then, and
        // its status says how, where a shorter wait once ran out on a busy machine and said nothing.
        return await lab.WaitForRunAsync(info.Id, TimeSpan.FromSeconds(90));
    }

    private async Task<Dictionary<string, string[]>> RejectedAsync(string body)
    {
        var response = await _presenter.PostAsync("/api/runs", Json.Body(body));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return problem.RootElement.GetProperty("errors").EnumerateObject()
            .ToDictionary(p => p.Name, p => p.Value.EnumerateArray().Select(v => v.GetString()!).ToArray());
    }

    private const string TwoCounters = """
        shared x = 10
        shared y
        lock l
        process p1:
          repeat 3 {
            acquire l
            add x 1
            release l
            add y 2
            print x
          }
        process p2:
          repeat 3 {
            acquire l
            add x -1
            release l
            read y
            write y 5
          }
        """;

    [Fact]
    public async Task A_program_with_two_integers_runs_in_real_processes_and_is_summed_up_per_integer()
    {
        var run = await RunAsync(Body(TwoCounters, ""","startMode":"simultaneous" """));

        Assert.Equal(RunStatus.Completed, run.Status);
        var s = run.Summary!;
        Assert.Null(s.Discrepancy);
        var values = s.SharedValues!.ToDictionary(v => v.Name);
        // x is locked: nothing lost, back at 10. y is not: whatever is lost is counted, and the rest adds up.
        Assert.Equal((10L, 10L, 0), (values["x"].ExpectedFinalValue, values["x"].ActualFinalValue, values["x"].LostUpdates));
        Assert.Equal(21, values["y"].ExpectedFinalValue);
        Assert.Equal((s.ExpectedFinalValue, s.ActualFinalValue), (values["x"].ExpectedFinalValue, values["x"].ActualFinalValue));
        var events = run.RetainedEvents();
        Assert.Equal(ProgramTotals.Events(ProgramReader.Read(TwoCounters, ProgramLimits.Default).Program!), events.Count);
        Assert.All(events.Where(e => e.Kind is EventKind.Read or EventKind.Write or EventKind.Print), e => Assert.Contains(e.Target, new[] { "x", "y" }));
        Assert.All(events.Where(e => e.Kind is EventKind.LockWait or EventKind.LockReleased), e => Assert.Null(e.Target)); // one lock
        Assert.Equal(2, events.Select(e => e.Pid).Distinct().Count());
        Assert.Empty(LockLab.Server.Runs.RunSegments.FilesOf(run.Id));
    }

    [Fact]
    public async Task A_program_given_as_a_json_model_runs_too()
    {
        var run = await RunAsync("""
            {"room":"programs","program":{"shared":[{"name":"v"}],"processes":[
              {"name":"p1","steps":[{"op":"repeat","count":2,"steps":[{"amount":3,"op":"add","shared":"v"},{"op":"print","shared":"v"}]}]}]}}
            """);

        Assert.Equal(RunStatus.Completed, run.Status);
        Assert.Equal([3L, 6], run.Summary!.Printed);
        Assert.Null(run.Summary.SharedValues); // one integer: the classic fields say it all
    }

    [Fact]
    public async Task A_wrong_program_is_a_400_naming_the_process_and_the_step()
    {
        var errors = await RejectedAsync(Body("shared x\nlock l\nprocess p1:\n  add x 1\n  release l\nprocess p2:\n  sleep 5\n  acquire m\n"));

        var program = errors["program"];
        Assert.Contains(program, e => e.Contains("line 5, process p1, step 2 (release l)", StringComparison.Ordinal));
        Assert.Contains(program, e => e.Contains("process p2, step 2 (acquire m)", StringComparison.Ordinal) && e.Contains("'m'"));
    }

    [Fact]
    public async Task A_scenario_and_a_program_together_or_a_program_with_a_scenarios_parameters_are_refused()
    {
        var both = await RejectedAsync(Body("shared x\nprocess p1:\n  add x 1\n", ""","scenario":"lock" """));
        Assert.Equal([ProgramRequestTexts.ScenarioAndProgram], both["scenario"]);

        var overrides = await RejectedAsync(Body("shared x\nprocess p1:\n  add x 1\n", ""","processes":2,"delayMs":5,"rounds":3 """));
        Assert.Equal([ProgramRequestTexts.SetByTheProgram], overrides["processes"]);
        Assert.Equal([ProgramRequestTexts.SetByTheProgram], overrides["delayMs"]);
        Assert.Equal([ProgramRequestTexts.OneRound], overrides["rounds"]);
    }

    public static TheoryData<string, string> PastTheLimits => new()
    {
        { string.Concat(Enumerable.Range(1, 9).Select(i => $"process p{i}:\n  sleep 1\n")), "processes" },
        { "process p1:\n  sleep 2001\n", "2001" },
        { "shared x\nprocess p1:\n  repeat 1001 {\n    add x 1\n  }\n", "1001" },
        { "shared x\nprocess p1:\n  add x 1001\n", "1001" },
        { "shared x = 1000001\nprocess p1:\n  print x\n", "1000001" },
        { "shared x\nprocess p1:\n  repeat 1000 {\n    repeat 1000 {\n      print x\n    }\n  }\n", "events" },
        { "process p1:\n  repeat 20 {\n    sleep 2000\n  }\n", "sleep" },
        { string.Concat(Enumerable.Range(1, 9).Select(i => $"shared s{i}\n")) + "process p1:\n  sleep 1\n", "shared integers" },
        { string.Concat(Enumerable.Range(1, 9).Select(i => $"lock l{i}\n")) + "process p1:\n  sleep 1\n", "locks" },
        { "semaphore s permits 8\nprocess p1:\n  sleep 1\n", "permits" },
        { "process p1:\n" + string.Concat(Enumerable.Repeat("  sleep 1\n", 65)), "steps" },
        { "process p1:\n  repeat 2 {\n    repeat 2 {\n      repeat 2 {\n        repeat 2 {\n          sleep 1\n        }\n      }\n    }\n  }\n", "deep" },
        { "process p1:\n  sleep 1\n" + new string('#', 12_001), "characters" },
        // Nothing in a program can name a file or a command: a path or a shell line is not a step.
        { "process p1:\n  /bin/sh -c 'rm -rf /'\n", "not a step" },
        { "shared ../../etc/passwd\nprocess p1:\n  print x\n", "name" },
    };

    [Theory]
    [MemberData(nameof(PastTheLimits))]
    public async Task A_program_past_any_limit_is_refused_before_it_runs(string program, string said)
    {
        var runs = lab.Services.GetRequiredService<LockLab.Server.Runs.RunStore>().Ids().Count;
        var errors = await RejectedAsync(Body(program));

        Assert.Contains(errors["program"], e => e.Contains(said, StringComparison.OrdinalIgnoreCase));
        Assert.Equal(runs, lab.Services.GetRequiredService<LockLab.Server.Runs.RunStore>().Ids().Count); // nothing was started
    }

    [Fact]
    public async Task A_hostile_program_at_every_bound_runs_and_reports_exactly_what_it_was_allowed()
    {
        // Eight processes (the most), each a repeat of 1,000 (the most) adding 1,000 (the most) to an integer that starts at
        // -1,000,000 (the lowest): 16,008 events, every one of them counted before the run was let start.
        var program = "shared x = -1000000\n" + string.Concat(Enumerable.Range(1, 8).Select(i =>
            $"process p{i}:\n  repeat 1000 {{\n    add x 1000\n  }}\n"));
        var run = await RunAsync(Body(program, ""","startMode":"simultaneous" """));

        Assert.Equal(RunStatus.Completed, run.Status);
        Assert.Equal(ProgramTotals.Events(ProgramReader.Read(program, ProgramLimits.Default).Program!), run.EventCount);
        Assert.Equal(7_000_000, run.Summary!.ExpectedFinalValue);
        Assert.InRange(run.Summary.ActualFinalValue, -999_000, 7_000_000);
        Assert.Null(run.Summary.Discrepancy);
        Assert.Equal(run.Summary.ExpectedFinalValue - run.Summary.ActualFinalValue, run.Summary.LostWrites.Sum(w => w.Amount));
    }
}
