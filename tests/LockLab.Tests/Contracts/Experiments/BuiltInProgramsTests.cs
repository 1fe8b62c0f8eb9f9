using LockLab.Contracts;
using LockLab.Contracts.Experiments;
using LockLab.Server.Runs;

namespace LockLab.Tests.Contracts.Experiments;

/// <summary>
/// The scenarios as programs give the lesson's known results when nothing races, and report exactly the events the
/// worker reports for them today.
/// </summary>
public class BuiltInProgramsTests
{
    private static RunParameters Lesson(LockScope lockScope, int gapMs = 0) => ProgramTextTests.LessonParameters(lockScope, gapMs);

    [Fact]
    public void With_a_lock_around_the_loop_p1_then_p2_prints_the_lessons_numbers()
    {
        var outcome = SequentialRun.Of(BuiltInPrograms.For(Scenarios.Lock, Lesson(LockScope.WholeLoop)));
        Assert.Equal([1, 2, 3, 4, 5, 8, 11, 14, 17, 20], outcome.Prints);
        Assert.Equal(20, outcome.FinalValues[BuiltInPrograms.Counter]);
    }

    [Theory]
    [InlineData(Scenarios.NoLock, LockScope.None, 0)]
    [InlineData(Scenarios.LockPerStep, LockScope.PerStep, 0)]
    [InlineData(Scenarios.LostUpdate, LockScope.None, 50)]
    public void Alone_one_after_the_other_every_scenario_prints_the_same_and_ends_at_20(string scenario, LockScope lockScope, int gapMs)
    {
        var outcome = SequentialRun.Of(BuiltInPrograms.For(scenario, Lesson(lockScope, gapMs)));
        Assert.Equal([1, 2, 3, 4, 5, 8, 11, 14, 17, 20], outcome.Prints);
        Assert.Equal(20, outcome.FinalValues[BuiltInPrograms.Counter]);
    }

    [Fact]
    public void More_processes_take_their_amounts_in_turn()
    {
        var parameters = new RunParameters(3, 2, [1, 3, -2], DelayMs: 0, GapMs: 0, LockScope.None, StartMode.Simultaneous);
        var outcome = SequentialRun.Of(BuiltInPrograms.For(Scenarios.NoLock, parameters));
        Assert.Equal([1, 2, 5, 8, 6, 4], outcome.Prints);
        Assert.Equal(parameters.ExpectedFinalValue, outcome.FinalValues[BuiltInPrograms.Counter]);
    }

    [Fact]
    public void The_scenarios_are_the_worker_job_written_as_steps()
    {
        Assert.Equal("""
            shared counter = 0
            lock l
            process p1:
              repeat 5 {
                sleep 100
                acquire l
                add counter 1
                print counter
                release l
              }
            process p2:
              repeat 5 {
                sleep 100
                acquire l
                add counter 3
                print counter
                release l
              }

            """.ReplaceLineEndings("\n"), ProgramText.Format(BuiltInPrograms.For(Scenarios.LockPerStep, Lesson(LockScope.PerStep))));
        Assert.Equal("""
            shared counter = 0
            process p1:
              repeat 5 {
                sleep 100
                read counter
                sleep 50
                write counter 1
                print counter
              }
            process p2:
              repeat 5 {
                sleep 100
                read counter
                sleep 50
                write counter 3
                print counter
              }

            """.ReplaceLineEndings("\n"), ProgramText.Format(BuiltInPrograms.For(Scenarios.LostUpdate, Lesson(LockScope.None, 50))));
        // The stress loop is nothing but v += n (and the lock): no sleep, no print.
        Assert.Equal("shared counter = 0\nprocess p1:\n  repeat 10000 {\n    add counter 1\n  }\nprocess p2:\n  repeat 10000 {\n    add counter 1\n  }\n",
            ProgramText.Format(BuiltInPrograms.For(Scenarios.Stress,
                new RunParameters(2, 10_000, [1, 1], 0, 0, LockScope.None, StartMode.Simultaneous, Rounds: 100, ReportsSteps: false))));
    }

    [Fact]
    public void The_lock_scenarios_events_counted_by_hand()
    {
        // Each process: acquire (lock-wait, lock-acquired) = 2; five rounds of add (read, write) + print = 15;
        // release = 1; exit = 1. Two processes: 2 × 19 = 38.
        var program = BuiltInPrograms.For(Scenarios.Lock, Lesson(LockScope.WholeLoop));
        Assert.Equal(38, ProgramTotals.Events(program));
        var outcome = SequentialRun.Of(program);
        Assert.Equal(38, outcome.Events.Count);
        Assert.Equal(
            [EventKind.LockWait, EventKind.LockAcquired, EventKind.Read, EventKind.Write, EventKind.Print],
            outcome.Events.Take(5).Select(e => e.Kind));
        Assert.Equal([EventKind.LockReleased, EventKind.Exit], outcome.Events.Skip(17).Take(2).Select(e => e.Kind));
        Assert.All(outcome.Events.Take(19), e => Assert.Equal("p1", e.Process));
    }

    [Fact]
    public void The_semaphore_experiments_events_counted_by_hand()
    {
        // Each process: acquire pool 2, acquire l 2, add 2, print 1, release l 1, sleep 0, acquire l 2, add 2,
        // release l 1, release pool 1, exit 1 = 15. Five processes: 75.
        var program = BuiltInPrograms.Semaphore(permits: 2, processes: 5);
        Assert.Equal(75, ProgramTotals.Events(program));
        Assert.Equal(75, SequentialRun.Of(program).Events.Count);
        Assert.Equal(5 * 200, ProgramTotals.SleepMs(program));
    }

    [Theory]
    [InlineData(2, 5, LockScope.None, 0)]
    [InlineData(2, 5, LockScope.WholeLoop, 0)]
    [InlineData(2, 5, LockScope.PerStep, 0)]
    [InlineData(2, 5, LockScope.None, 50)]
    [InlineData(8, 1, LockScope.PerStep, 0)]
    [InlineData(3, 7, LockScope.WholeLoop, 20)]
    [InlineData(8, 1000, LockScope.PerStep, 2000)]
    public void A_scenario_as_a_program_reports_exactly_the_events_the_server_counts_for_it_today(
        int processes, int iterations, LockScope lockScope, int gapMs)
    {
        var amounts = Enumerable.Range(0, processes).Select(i => i % 2 == 0 ? 1 : 3).ToArray();
        var parameters = new RunParameters(processes, iterations, amounts, DelayMs: 100, gapMs, lockScope, StartMode.Lesson);
        var program = BuiltInPrograms.For(Scenarios.NoLock, parameters);
        var expected = RunRequestValidator.EventsReported(processes, iterations, lockScope, rounds: 1);
        Assert.Equal(expected, ProgramTotals.Events(program));
        if (expected < 10_000) Assert.Equal(expected, SequentialRun.Of(program).Events.Count);
    }

    [Fact]
    public void The_deadlock_program_takes_the_locks_in_opposite_orders_and_lock_ordering_in_the_same()
    {
        Assert.Equal("""
            shared counter = 0
            lock a
            lock b
            process p1:
              acquire a
              sleep 100
              acquire b
              add counter 1
              print counter
              release b
              release a
            process p2:
              acquire b
              sleep 100
              acquire a
              add counter 3
              print counter
              release a
              release b

            """.ReplaceLineEndings("\n"), ProgramText.Format(BuiltInPrograms.Deadlock()));
        var ordered = BuiltInPrograms.LockOrdering();
        Assert.Equal(ProgramText.Format(ordered.Processes[0] with { Name = "p2" } is var p1 ? ordered with { Processes = [p1] } : ordered)
            .Replace("add counter 1", "add counter 3", StringComparison.Ordinal),
            ProgramText.Format(ordered with { Processes = [ordered.Processes[1]] }));
        foreach (var program in new[] { BuiltInPrograms.Deadlock(), ordered })
        {
            var outcome = SequentialRun.Of(program);
            Assert.Equal([1, 4], outcome.Prints);
            Assert.Equal(4, outcome.FinalValues[BuiltInPrograms.Counter]);
        }
    }

    [Fact]
    public void The_semaphore_program_alone_shows_one_inside_at_a_time_and_ends_empty()
    {
        for (var permits = BuiltInPrograms.SemaphorePermits.Min; permits <= BuiltInPrograms.SemaphorePermits.Max; permits++)
        {
            for (var processes = BuiltInPrograms.SemaphoreProcesses.Min; processes <= BuiltInPrograms.SemaphoreProcesses.Max; processes++)
            {
                var program = BuiltInPrograms.Semaphore(permits, processes);
                Assert.Empty(ProgramValidator.Validate(program, ProgramLimits.Default));
                var outcome = SequentialRun.Of(program);
                Assert.Equal(Enumerable.Repeat(1L, processes), outcome.Prints);
                Assert.Equal(0, outcome.FinalValues[BuiltInPrograms.Inside]);
            }
        }
    }

    [Fact]
    public void The_semaphore_experiment_is_refused_outside_its_permits_and_processes()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => BuiltInPrograms.Semaphore(0, 4));
        Assert.Throws<ArgumentOutOfRangeException>(() => BuiltInPrograms.Semaphore(8, 4));
        Assert.Throws<ArgumentOutOfRangeException>(() => BuiltInPrograms.Semaphore(2, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => BuiltInPrograms.Semaphore(2, 9));
        Assert.Throws<ArgumentOutOfRangeException>(() => BuiltInPrograms.For("deadlock", Lesson(LockScope.None)));
    }

    [Fact]
    public void Every_classic_scenario_at_its_defaults_is_a_valid_program()
    {
        var catalog = new ScenarioCatalog(Microsoft.Extensions.Options.Options.Create(new LockLab.Server.Configuration.LockLabOptions()));
        // The lesson's five; the two-lock and semaphore scenarios have programs of their own (next test).
        foreach (var scenario in catalog.All.Where(s => Scenarios.IsClassic(s.Name)))
        {
            var program = BuiltInPrograms.For(scenario.Name, scenario.Defaults);
            // A stress run reports no steps: its size is the stress scenario's limits' business, not a program's.
            var limits = scenario.Defaults.ReportsSteps ? ProgramLimits.Default
                : ProgramLimits.Default with { MaxRepeatCount = scenario.Limits.Iterations.Max, MaxEvents = long.MaxValue };
            Assert.Empty(ProgramValidator.Validate(program, limits));
            if (scenario.Defaults.ReportsSteps)
                Assert.Equal(RunRequestValidator.EventsReported(scenario.Defaults.Processes, scenario.Defaults.Iterations,
                    scenario.Defaults.Lock, 1), ProgramTotals.Events(program));
        }
    }

    [Fact]
    public void Every_other_scenario_at_its_defaults_and_at_its_limits_is_a_valid_program()
    {
        var catalog = new ScenarioCatalog(Microsoft.Extensions.Options.Options.Create(new LockLab.Server.Configuration.LockLabOptions()));
        var others = catalog.All.Where(s => !Scenarios.IsClassic(s.Name)).ToList();
        Assert.Equal([Scenarios.Deadlock, Scenarios.LockOrdering, Scenarios.Semaphore], others.Select(s => s.Name));
        foreach (var scenario in others)
        {
            var limits = scenario.Limits;
            foreach (var p in new[]
            {
                scenario.Defaults,
                scenario.Defaults with { Processes = limits.Processes.Max, DelayMs = limits.DelayMs.Max, Permits = limits.Permits?.Max },
                scenario.Defaults with { Processes = limits.Processes.Min, DelayMs = limits.DelayMs.Min, Permits = limits.Permits?.Min },
            })
            {
                var program = ScenarioCatalog.ProgramFor(scenario.Name, p);
                Assert.Empty(ProgramValidator.Validate(program, catalog.Programs));
                Assert.Equal(p.Processes, program.Processes.Count);
            }
        }
    }
}
