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
        Assert.Equal(new RunParameters(2, 5, [1, 3], 100, 0, LockScope.WholeLoop, StartMode.Lesson)
            with { Amounts = valid!.Parameters.Amounts }, valid.Parameters);
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
    public void A_run_that_could_carry_the_32_bit_shared_value_past_its_limit_is_refused()
    {
        // 8 processes × 1,000,000 increments of 1000 would reach 8 × 10^9; Python's Value('i') is 32-bit, and so is the lab's.
        var tooBig = new RunRequest
        {
            Scenario = "stress",
            Processes = 8,
            Iterations = 1_000_000,
            Amounts = [1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000]
        };
        Assert.False(_validator.TryValidate(tooBig, "main", out _, out var errors));
        Assert.Contains("32-bit integer", errors["iterations"][0]);

        // Negative amounts count by their size: with updates lost, the value may drift either way.
        var fits = new RunRequest { Scenario = "stress", Processes = 2, Iterations = 1_000_000, Amounts = [1000, -1000] };
        Assert.True(_validator.TryValidate(fits, "main", out _, out _));
    }

    [Fact]
    public void Every_out_of_range_field_is_reported_with_its_limits()
    {
        var request = new RunRequest
        {
            Scenario = "no-lock", Processes = 9, Iterations = 0, DelayMs = -1, GapMs = 5000, Room = "bad room!"
        };
        Assert.False(_validator.TryValidate(request, "main", out _, out var errors));
        Assert.Equal(["delayMs", "gapMs", "iterations", "processes", "room"], errors.Keys.Order());
        Assert.Contains("between 2 and 8", errors["processes"][0]);
    }

    [Fact]
    public void Amounts_must_name_one_per_process()
    {
        Assert.False(_validator.TryValidate(
            new RunRequest { Scenario = "lock", Processes = 3, Amounts = [1, 3] }, "main", out _, out var errors));
        Assert.Contains("3 expected, got 2", errors["amounts"][0]);
    }

    [Fact]
    public void Without_amounts_more_processes_cycle_the_scenarios_amounts()
    {
        Assert.True(_validator.TryValidate(new RunRequest { Scenario = "lock", Processes = 5 }, "main", out var valid, out _));
        Assert.Equal([1, 3, 1, 3, 1], valid!.Parameters.Amounts);
        Assert.Equal(45, valid.Parameters.ExpectedFinalValue);
    }

    [Theory]
    [InlineData("lock", "processes", 2, 1, 8, 9)]
    [InlineData("lock", "iterations", 1, 0, 1000, 1001)]
    [InlineData("lock", "delayMs", 0, -1, 2000, 2001)]
    [InlineData("lock", "gapMs", 0, -1, 2000, 2001)]
    [InlineData("stress", "iterations", 1, 0, 1_000_000, 1_000_001)]
    [InlineData("stress", "rounds", 1, 0, 1000, 1001)]
    [InlineData("lock", "rounds", 1, 0, 100, 101)] // "Run 100 times"
    public void Each_limit_holds_at_its_boundary_and_refuses_just_past_it(
        string scenario, string field, int min, int belowMin, int max, int aboveMax)
    {
        RunRequest With(int value) => field switch
        {
            "processes" => new RunRequest { Scenario = scenario, Processes = value },
            "iterations" => new RunRequest { Scenario = scenario, Iterations = value },
            "delayMs" => new RunRequest { Scenario = scenario, DelayMs = value },
            "gapMs" => new RunRequest { Scenario = scenario, GapMs = value },
            _ => new RunRequest { Scenario = scenario, Rounds = value },
        };
        foreach (var ok in new[] { min, max })
            Assert.True(_validator.TryValidate(With(ok), "main", out _, out var e),
                $"{field}={ok}: {string.Join(";", e.Keys)}");
        foreach (var bad in new[] { belowMin, aboveMax })
        {
            Assert.False(_validator.TryValidate(With(bad), "main", out _, out var errors));
            Assert.Equal([field], errors.Keys);
        }
    }

    [Fact]
    public void Amounts_hold_at_their_boundary_and_refuse_just_past_it()
    {
        Assert.True(_validator.TryValidate(new RunRequest { Scenario = "lock", Amounts = [-1000, 1000] }, "main", out _, out _));
        Assert.False(_validator.TryValidate(new RunRequest { Scenario = "lock", Amounts = [1001, 1] }, "main", out _, out var errors));
        Assert.Equal(["amounts"], errors.Keys);
    }
}
