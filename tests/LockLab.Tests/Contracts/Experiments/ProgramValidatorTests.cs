using LockLab.Contracts;
using LockLab.Contracts.Experiments;

namespace LockLab.Tests.Contracts.Experiments;

/// <summary>
/// The validator at and just past every limit (a program at a limit is accepted, one step past it is refused), and every
/// mistake a process could make about itself, named by process and step.
/// </summary>
public class ProgramValidatorTests
{
    private static readonly ProgramLimits Limits = ProgramLimits.Default;

    private static ExperimentProgram Program(params ProgramStep[] steps) => new()
    {
        Shared = [new SharedInteger("c")],
        Locks = ["l"],
        Semaphores = [new SemaphoreDeclaration("s", 2)],
        Processes = [new ProcessProgram("p1", steps)],
    };

    private static IReadOnlyList<ProgramError> Errors(ExperimentProgram program) => ProgramValidator.Validate(program, Limits);

    private static void Valid(ExperimentProgram program)
    {
        var errors = Errors(program);
        Assert.True(errors.Count == 0, string.Join("\n", errors));
    }

    private static ProgramError Refused(ExperimentProgram program, string template, params object?[] values)
    {
        var error = Assert.Single(Errors(program));
        Assert.Equal(TextTemplates.Fill(template, values), error.Message);
        return error;
    }

    private static ProgramStep[] Prints(int count) => [.. Enumerable.Repeat<ProgramStep>(new PrintStep("c"), count)];

    [Fact]
    public void The_built_ins_at_the_lessons_numbers_are_valid_programs()
    {
        foreach (var program in ProgramTextTests.AllBuiltIns()) Valid(program);
    }

    // Processes.

    [Fact]
    public void A_program_has_one_to_eight_processes()
    {
        ExperimentProgram WithProcesses(int n) => Program() with
        {
            Processes = [.. Enumerable.Range(1, n).Select(i => new ProcessProgram($"p{i}", [new PrintStep("c")]))],
        };
        Valid(WithProcesses(1));
        Valid(WithProcesses(Limits.MaxProcesses));
        Refused(WithProcesses(Limits.MaxProcesses + 1), ProgramMessages.TooManyProcesses, Limits.MaxProcesses + 1, Limits.MaxProcesses);
        Refused(WithProcesses(0), ProgramMessages.NoProcess);
    }

    [Theory]
    [InlineData("p1", "p1")] // two of one name
    [InlineData("p2", "p1")] // out of order
    [InlineData("p1", "consumer")] // a name of its own
    public void Processes_are_p1_p2_in_the_order_written(string first, string second)
    {
        var program = Program(new PrintStep("c")) with
        {
            Processes = [new ProcessProgram(first, [new PrintStep("c")]), new ProcessProgram(second, [new PrintStep("c")])],
        };
        var errors = Errors(program);
        Assert.NotEmpty(errors);
        Assert.All(errors, e => Assert.StartsWith("Process ", e.Message));
        var wrong = first == "p1" ? second : first;
        var place = first == "p1" ? 2 : 1;
        Assert.Contains(errors, e => e.Message == TextTemplates.Fill(ProgramMessages.ProcessNameOutOfOrder, place, wrong, $"p{place}"));
    }

    [Fact]
    public void A_process_without_steps_is_refused()
    {
        Assert.Equal("p1", Refused(Program(), ProgramMessages.NoSteps).Process);
    }

    // Steps, repeats, depth.

    [Fact]
    public void A_process_has_at_most_64_steps_counting_those_inside_repeats()
    {
        Valid(Program(Prints(Limits.MaxStepsPerProcess)));
        Refused(Program(Prints(Limits.MaxStepsPerProcess + 1)), ProgramMessages.TooManySteps, Limits.MaxStepsPerProcess + 1,
            Limits.MaxStepsPerProcess);
        // The repeat is a step, and so is each step in it.
        Valid(Program([.. Prints(Limits.MaxStepsPerProcess - 2), new RepeatStep(2, [new PrintStep("c")])]));
        Refused(Program([.. Prints(Limits.MaxStepsPerProcess - 2), new RepeatStep(2, Prints(2))]),
            ProgramMessages.TooManySteps, Limits.MaxStepsPerProcess + 1, Limits.MaxStepsPerProcess);
    }

    [Fact]
    public void A_hostile_list_of_steps_is_refused_without_being_walked_whole()
    {
        var error = Refused(Program(Prints(1_000_000)), ProgramMessages.TooManySteps, $"over {Limits.MaxStepsPerProcess * 2}",
            Limits.MaxStepsPerProcess);
        Assert.Equal("p1", error.Process);
    }

    [Fact]
    public void A_repeat_runs_1_to_1000_times()
    {
        Valid(Program(new RepeatStep(1, [new PrintStep("c")])));
        Valid(Program(new RepeatStep(Limits.MaxRepeatCount, [new PrintStep("c")])));
        var error = Refused(Program(new PrintStep("c"), new RepeatStep(Limits.MaxRepeatCount + 1, [new PrintStep("c")])),
            ProgramMessages.RepeatCountOutOfRange, Limits.MaxRepeatCount + 1, Limits.MaxRepeatCount);
        Assert.Equal(("p1", "2", "repeat 1001 {"), (error.Process, error.Step, error.StepText));
        Refused(Program(new RepeatStep(0, [new PrintStep("c")])), ProgramMessages.RepeatCountOutOfRange, 0, Limits.MaxRepeatCount);
        Refused(Program(new RepeatStep(-5, [new PrintStep("c")])), ProgramMessages.RepeatCountOutOfRange, -5, Limits.MaxRepeatCount);
    }

    private static ProgramStep Nested(int depth) =>
        depth == 0 ? new PrintStep("c") : new RepeatStep(2, [Nested(depth - 1)]);

    [Fact]
    public void Repeats_nest_three_deep()
    {
        Valid(Program(Nested(Limits.MaxRepeatDepth)));
        var error = Refused(Program(Nested(Limits.MaxRepeatDepth + 1)), ProgramMessages.RepeatTooDeep, Limits.MaxRepeatDepth);
        Assert.Equal("1.1.1.1", error.Step);
    }

    [Fact]
    public void A_hostile_nesting_is_refused_without_recursing_into_it()
    {
        ProgramStep step = new PrintStep("c");
        for (var i = 0; i < 100_000; i++) step = new RepeatStep(1000, [step]);
        Refused(Program(step), ProgramMessages.RepeatTooDeep, Limits.MaxRepeatDepth);
    }

    [Fact]
    public void An_empty_repeat_and_an_empty_step_are_refused()
    {
        Assert.Equal("1", Refused(Program(new RepeatStep(3, [])), ProgramMessages.EmptyRepeat).Step);
        var error = Refused(Program(new PrintStep("c"), null!), ProgramMessages.EmptyStep);
        Assert.Equal(("p1", "2"), (error.Process, error.Step));
    }

    // Sleeps, amounts, values.

    [Fact]
    public void A_sleep_is_0_to_2000_ms()
    {
        Valid(Program(new SleepStep(0)));
        Valid(Program(new SleepStep(Limits.MaxSleepMs)));
        Refused(Program(new SleepStep(Limits.MaxSleepMs + 1)), ProgramMessages.SleepOutOfRange, Limits.MaxSleepMs + 1, Limits.MaxSleepMs);
        Refused(Program(new SleepStep(-1)), ProgramMessages.SleepOutOfRange, -1, Limits.MaxSleepMs);
    }

    [Fact]
    public void All_sleeps_of_all_processes_together_are_at_most_30_seconds()
    {
        // 15 × 2 s is the limit exactly; one millisecond more in another process is past it.
        var atLimit = Program(new RepeatStep(15, [new SleepStep(2000)]));
        Valid(atLimit);
        Assert.Equal(Limits.MaxTotalSleepMs, ProgramTotals.SleepMs(atLimit));
        var past = atLimit with { Processes = [.. atLimit.Processes, new ProcessProgram("p2", [new SleepStep(1)])] };
        Refused(past, ProgramMessages.TooMuchSleep, Limits.MaxTotalSleepMs + 1, Limits.MaxTotalSleepMs);
    }

    [Fact]
    public void An_amount_is_within_plus_or_minus_1000()
    {
        Valid(Program(new AddStep("c", Limits.MaxAmount), new AddStep("c", -Limits.MaxAmount), new WriteStep("c", 1000)));
        Refused(Program(new AddStep("c", Limits.MaxAmount + 1)), ProgramMessages.AmountOutOfRange, Limits.MaxAmount + 1, Limits.MaxAmount);
        Refused(Program(new ReadStep("c"), new WriteStep("c", -Limits.MaxAmount - 1)), ProgramMessages.AmountOutOfRange,
            -Limits.MaxAmount - 1, Limits.MaxAmount);
        Refused(Program(new AddStep("c", int.MinValue)), ProgramMessages.AmountOutOfRange, int.MinValue, Limits.MaxAmount);
    }

    [Fact]
    public void An_initial_value_is_within_plus_or_minus_a_million()
    {
        ExperimentProgram StartingAt(int value) => Program(new PrintStep("c")) with { Shared = [new SharedInteger("c", value)] };
        Valid(StartingAt(Limits.MaxInitialValue));
        Valid(StartingAt(-Limits.MaxInitialValue));
        Refused(StartingAt(Limits.MaxInitialValue + 1), ProgramMessages.InitialValueOutOfRange, "c", Limits.MaxInitialValue + 1,
            -Limits.MaxInitialValue, Limits.MaxInitialValue);
        Refused(StartingAt(int.MinValue), ProgramMessages.InitialValueOutOfRange, "c", int.MinValue,
            -Limits.MaxInitialValue, Limits.MaxInitialValue);
    }

    [Fact]
    public void Within_the_default_limits_no_shared_integer_can_leave_32_bits_and_past_them_it_is_refused()
    {
        // The most a program within the limits can add: every event a write of the largest amount.
        var most = Limits.MaxInitialValue + Limits.MaxEvents * Limits.MaxAmount;
        Assert.True(most < int.MaxValue);
        var loose = Limits with { MaxAmount = int.MaxValue, MaxEvents = long.MaxValue };
        var program = Program(new RepeatStep(2, [new AddStep("c", int.MaxValue)]));
        var error = Assert.Single(ProgramValidator.Validate(program, loose));
        Assert.Equal(TextTemplates.Fill(ProgramMessages.ValueOutOfRange, "c", 2L * int.MaxValue), error.Message);
    }

    // Events.

    [Fact]
    public void A_program_reports_at_most_200000_events_counted_exactly()
    {
        // 1000 × 199 + 999 prints, and the exit: exactly the limit.
        var atLimit = Program(new RepeatStep(1000, [new RepeatStep(199, [new PrintStep("c")])]), new RepeatStep(999, [new PrintStep("c")]));
        Assert.Equal(Limits.MaxEvents, ProgramTotals.Events(atLimit));
        Valid(atLimit);
        var past = Program([.. atLimit.Processes[0].Steps, new PrintStep("c")]);
        Refused(past, ProgramMessages.TooManyEvents, Limits.MaxEvents + 1, Limits.MaxEvents);
    }

    [Fact]
    public void The_largest_program_the_limits_allow_is_still_refused_for_its_events_not_overflowed()
    {
        // Eight processes, each three repeats of 1000 deep around acquires: 10^9 rounds each, far past the limit.
        ProgramStep deep = new RepeatStep(1000, [new RepeatStep(1000, [new RepeatStep(1000,
            [new AcquireStep("l"), new AddStep("c", 1000), new PrintStep("c"), new ReleaseStep("l")])])]);
        var program = Program() with { Processes = [.. Enumerable.Range(1, 8).Select(i => new ProcessProgram($"p{i}", [deep]))] };
        var events = ProgramTotals.Events(program);
        Assert.Equal(8 * (1_000_000_000L * 6 + 1), events);
        var error = Assert.Single(Errors(program), e => e.Message.Contains("events", StringComparison.Ordinal));
        Assert.Equal(TextTemplates.Fill(ProgramMessages.TooManyEvents, events, Limits.MaxEvents), error.Message);
    }

    // Names and declarations.

    [Theory]
    [InlineData("c_2", true)]
    [InlineData("_x", true)]
    [InlineData("Counter", true)]
    [InlineData("abcdefghijabcdefghijabcdefghij12", true)]
    [InlineData("abcdefghijabcdefghijabcdefghij123", false)]
    [InlineData("2c", false)]
    [InlineData("a-b", false)]
    [InlineData("../etc/passwd", false)]
    [InlineData("rm -rf", false)]
    [InlineData("zähler", false)]
    [InlineData("", false)]
    [InlineData("lock", false)]
    [InlineData("repeat", false)]
    public void A_name_is_an_identifier_of_at_most_32_characters_and_not_a_keyword(string name, bool valid)
    {
        Assert.Equal(valid, ProgramNames.IsValid(name, Limits.MaxNameLength));
        var program = Program(new PrintStep("c")) with { Locks = [name] };
        if (valid) Valid(program);
        else Refused(program, ProgramMessages.NotAName, name, Limits.MaxNameLength);
    }

    [Fact]
    public void A_process_name_follows_the_same_rule()
    {
        var error = Refused(Program(new PrintStep("c")) with { Processes = [new ProcessProgram("p 1", [new PrintStep("c")])] },
            ProgramMessages.NotAName, "p 1", Limits.MaxNameLength);
        Assert.Equal("p 1", error.Process);
    }

    [Fact]
    public void A_name_is_declared_once_across_integers_locks_and_semaphores()
    {
        Refused(Program(new PrintStep("c")) with { Locks = ["c"] }, ProgramMessages.NameTakenTwice, "c");
        Refused(Program(new PrintStep("c")) with { Semaphores = [new SemaphoreDeclaration("l", 1)] }, ProgramMessages.NameTakenTwice, "l");
    }

    [Fact]
    public void At_most_8_shared_integers_and_8_locks_and_semaphores()
    {
        var names = Enumerable.Range(1, 9).Select(i => $"n{i}").ToList();
        Valid(Program(new PrintStep("c")) with { Shared = [.. names.Take(8).Select(n => new SharedInteger(n)), ], Processes =
            [new ProcessProgram("p1", [new PrintStep("n1")])] });
        // Refused for their number, not for their names: the steps that use them are not told they are unknown.
        Refused(Program(new PrintStep("n9")) with { Shared = [.. names.Select(n => new SharedInteger(n))] },
            ProgramMessages.TooManyShared, 9, 8);
        Valid(Program(new PrintStep("c")) with { Locks = [.. names.Take(7)] });
        Refused(Program(new AcquireStep("n8"), new ReleaseStep("n8")) with { Locks = [.. names.Take(8)] },
            ProgramMessages.TooManyLocks, 9, 8);
    }

    [Fact]
    public void A_semaphore_has_1_to_7_permits()
    {
        ExperimentProgram WithPermits(int n) => Program(new AcquireStep("s"), new ReleaseStep("s")) with
        {
            Semaphores = [new SemaphoreDeclaration("s", n)],
        };
        Valid(WithPermits(1));
        Valid(WithPermits(Limits.MaxPermits));
        Refused(WithPermits(0), ProgramMessages.PermitsOutOfRange, "s", 0, Limits.MaxPermits);
        Refused(WithPermits(Limits.MaxPermits + 1), ProgramMessages.PermitsOutOfRange, "s", Limits.MaxPermits + 1, Limits.MaxPermits);
    }

    [Fact]
    public void Lists_left_null_are_empty_and_nulls_in_them_are_refused_not_dereferenced()
    {
        var program = new ExperimentProgram { Shared = null!, Locks = null!, Semaphores = null!, Processes = null! };
        Assert.Equal([ProgramMessages.NoProcess], Errors(program).Select(e => e.Message));
        var nulls = Program(new PrintStep("c")) with
        {
            Shared = [null!], Locks = [null!], Processes = [null!, new ProcessProgram(null!, null!)],
        };
        Assert.Equal(
        [
            TextTemplates.Fill(ProgramMessages.EmptyEntry, "shared"),
            TextTemplates.Fill(ProgramMessages.NotAName, "", Limits.MaxNameLength),
            TextTemplates.Fill(ProgramMessages.EmptyEntry, "processes"),
            TextTemplates.Fill(ProgramMessages.NotAName, "", Limits.MaxNameLength),
            ProgramMessages.NoSteps,
        ], Errors(nulls).Select(e => e.Message));
        Assert.Equal("'' is not a declared shared integer.", Errors(Program(new PrintStep(null!)))[0].Message);
        Assert.Equal(ProgramMessages.EmptyRepeat, Errors(Program(new RepeatStep(2, null!)))[0].Message);
    }

    // What a process would do to itself: each named by its process and step.

    [Fact]
    public void Acquiring_an_unknown_lock_or_a_shared_integer_is_refused()
    {
        var error = Refused(Program(new AcquireStep("m")), ProgramMessages.UnknownLock, "m");
        Assert.Equal(("p1", "1", "acquire m"), (error.Process, error.Step, error.StepText));
        Refused(Program(new AcquireStep("c")), ProgramMessages.SharedIsNotALock, "c");
        Refused(Program(new ReleaseStep("x")), ProgramMessages.UnknownLock, "x");
    }

    [Fact]
    public void Reading_writing_adding_or_printing_what_is_not_a_shared_integer_is_refused()
    {
        Assert.Equal("read x", Refused(Program(new ReadStep("x")), ProgramMessages.UnknownShared, "x").StepText);
        Refused(Program(new AddStep("x", 1)), ProgramMessages.UnknownShared, "x");
        Refused(Program(new PrintStep("l")), ProgramMessages.LockIsNotShared, "l");
        Refused(Program(new ReadStep("c"), new WriteStep("s", 1)), ProgramMessages.LockIsNotShared, "s");
    }

    [Fact]
    public void Releasing_a_lock_not_held_is_refused()
    {
        var error = Refused(Program(new AcquireStep("l"), new ReleaseStep("l"), new ReleaseStep("l")), ProgramMessages.ReleaseNotHeld, "l");
        Assert.Equal(("p1", "3"), (error.Process, error.Step));
    }

    [Fact]
    public void Acquiring_a_lock_already_held_is_refused_a_semaphore_up_to_its_permits()
    {
        Refused(Program(new AcquireStep("l"), new AcquireStep("l"), new ReleaseStep("l")), ProgramMessages.LockAlreadyHeld, "l");
        Valid(Program(new AcquireStep("s"), new AcquireStep("s"), new ReleaseStep("s"), new ReleaseStep("s")));
        var error = Refused(Program(new AcquireStep("s"), new AcquireStep("s"), new AcquireStep("s"), new ReleaseStep("s"),
            new ReleaseStep("s")), ProgramMessages.AllPermitsHeld, "s", 2);
        Assert.Equal("3", error.Step);
    }

    [Fact]
    public void Ending_while_holding_a_lock_is_refused_at_the_step_that_took_it()
    {
        var error = Refused(Program(new PrintStep("c"), new AcquireStep("l"), new AddStep("c", 1)), ProgramMessages.EndsHolding, "l");
        Assert.Equal(("p1", "2", "acquire l"), (error.Process, error.Step, error.StepText));
    }

    [Fact]
    public void Writing_before_reading_is_refused_and_add_counts_as_a_read()
    {
        var error = Refused(Program(new PrintStep("c"), new WriteStep("c", 1)), ProgramMessages.WriteWithoutRead, "c");
        Assert.Equal("2", error.Step);
        Valid(Program(new ReadStep("c"), new SleepStep(50), new WriteStep("c", 1)));
        Valid(Program(new AddStep("c", 1), new WriteStep("c")));
        // A read later in the same repeat comes too late for its first round.
        Assert.Equal("1.1", Refused(Program(new RepeatStep(2, [new WriteStep("c", 1), new ReadStep("c")])),
            ProgramMessages.WriteWithoutRead, "c").Step);
        // The read that counts is this process's: another's does not.
        var other = Program(new ReadStep("c")) with
        {
            Processes = [new ProcessProgram("p1", [new ReadStep("c")]), new ProcessProgram("p2", [new WriteStep("c", 3)])],
        };
        Assert.Equal("p2", Refused(other, ProgramMessages.WriteWithoutRead, "c").Process);
    }

    [Fact]
    public void A_repeat_releases_what_it_acquires()
    {
        Valid(Program(new RepeatStep(5, [new AcquireStep("l"), new AddStep("c", 1), new ReleaseStep("l")])));
        Valid(Program(new AcquireStep("l"), new RepeatStep(5, [new AddStep("c", 1)]), new ReleaseStep("l")));
        // Each is one mistake, not a cascade: after it the process goes on as if every round had done it.
        var keeps = Refused(Program(new RepeatStep(2, [new AcquireStep("s")]), new ReleaseStep("s"), new ReleaseStep("s")),
            ProgramMessages.RepeatKeepsLock, "s");
        Assert.Equal(("p1", "1", "repeat 2 {"), (keeps.Process, keeps.Step, keeps.StepText));
        var releases = Refused(Program(new AcquireStep("s"), new AcquireStep("s"), new RepeatStep(2, [new ReleaseStep("s")])),
            ProgramMessages.RepeatReleasesLock, "s");
        Assert.Equal("3", releases.Step);
    }

    [Fact]
    public void A_deadlock_between_processes_is_an_experiment_not_an_error()
    {
        Valid(BuiltInPrograms.Deadlock());
    }

    [Fact]
    public void A_hostile_program_gets_a_bounded_list_of_errors()
    {
        var program = Program() with
        {
            Processes = [.. Enumerable.Range(1, 8).Select(i => new ProcessProgram($"p{i}", [.. Enumerable.Repeat<ProgramStep>(new ReleaseStep("l"), 64)]))],
        };
        var errors = Errors(program);
        Assert.Equal(Limits.MaxErrors + 1, errors.Count);
        Assert.Equal(TextTemplates.Fill(ProgramMessages.TooManyErrors, Limits.MaxErrors), errors[^1].Message);
    }

    [Fact]
    public void Every_message_has_its_template_listed_once()
    {
        Assert.Equal(ProgramMessages.All.Count, ProgramMessages.All.Distinct().Count());
        var fields = typeof(ProgramMessages).GetFields().Where(f => f.IsLiteral).Select(f => (string)f.GetRawConstantValue()!);
        Assert.Equal(fields.Order(), ProgramMessages.All.Order());
    }
}
