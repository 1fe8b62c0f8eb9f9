using LockLab.Contracts;
using LockLab.Server.Configuration;
using LockLab.Server.Runs;
using Microsoft.Extensions.Options;

namespace LockLab.Tests.Runs;

public class RunRequestValidatorTests
{
    private readonly RunRequestValidator _validator = new(new ScenarioCatalog(Options.Create(new LockLabOptions())));

    [Fact]
    public void The_lessons_numbers_are_the_defaults()
    {
        Assert.True(_validator.TryValidate(new RunRequest { Scenario = "lock" }, "main", out var valid, out _));
        Assert.Equal(new RunParameters(2, 5, [1, 3], 100, 0, LockScope.WholeLoop, StartMode.Ordered) with { Amounts = valid!.Parameters.Amounts }, valid.Parameters);
        Assert.Equal([1, 3], valid.Parameters.Amounts);
        Assert.Equal("main", valid.Room);
    }

    [Theory]
    [InlineData(null, "scenario")]
    [InlineData("spinlock", "scenario")]
    public void Unknown_or_missing_scenario_is_named(string? scenario, string field)
    {
        Assert.False(_validator.TryValidate(new RunRequest { Scenario = scenario }, "main", out _, out var errors));
        Assert.Contains(field, errors.Keys);
        Assert.Contains("no-lock", errors[field][0]);
    }

    [Fact]
    public void Every_out_of_range_field_is_reported_with_its_limits()
    {
        var request = new RunRequest { Scenario = "no-lock", Processes = 9, Iterations = 0, DelayMs = -1, GapMs = 5000, Room = "bad room!" };
        Assert.False(_validator.TryValidate(request, "main", out _, out var errors));
        Assert.Equal(["delayMs", "gapMs", "iterations", "processes", "room"], errors.Keys.Order());
        Assert.Contains("between 2 and 8", errors["processes"][0]);
    }

    [Fact]
    public void Amounts_must_name_one_per_process()
    {
        Assert.False(_validator.TryValidate(new RunRequest { Scenario = "lock", Processes = 3, Amounts = [1, 3] }, "main", out _, out var errors));
        Assert.Contains("3 expected, got 2", errors["amounts"][0]);
    }

    [Fact]
    public void Without_amounts_more_processes_cycle_the_scenarios_amounts()
    {
        Assert.True(_validator.TryValidate(new RunRequest { Scenario = "lock", Processes = 5 }, "main", out var valid, out _));
        Assert.Equal([1, 3, 1, 3, 1], valid!.Parameters.Amounts);
        Assert.Equal(45, valid.Parameters.ExpectedFinalValue);
    }
}
