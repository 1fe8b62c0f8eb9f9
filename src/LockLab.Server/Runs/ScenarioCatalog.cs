using LockLab.Contracts;
using LockLab.Contracts.Experiments;
using LockLab.Server.Configuration;
using Microsoft.Extensions.Options;

namespace LockLab.Server.Runs;

/// <summary>
/// The experiments the lab can run. The lesson's own numbers are the defaults: two processes adding 1 and 3,
/// five times each (<c>range(5)</c>), sleeping 100 ms (<c>time.sleep(0.1)</c>) before each step.
/// </summary>
public sealed class ScenarioCatalog
{
    private readonly Dictionary<string, ScenarioInfo> _byName;

    public ScenarioCatalog(IOptions<LockLabOptions> options)
    {
        var l = options.Value.Limits;
        var limits = new ParameterLimits(
            Processes: new IntRange(2, l.MaxProcesses),
            Iterations: new IntRange(1, l.MaxIterations),
            Amount: new IntRange(-l.MaxAmount, l.MaxAmount),
            DelayMs: new IntRange(0, l.MaxDelayMs),
            GapMs: new IntRange(0, l.MaxGapMs),
            Rounds: new IntRange(1, l.MaxRepeats)); // "Run 100 times": the experiment again and again, in one run
        var stressLimits = limits with
        {
            Iterations = new IntRange(1, l.MaxStressIterations),
            Rounds = new IntRange(1, l.MaxStressRounds),
        };
        var lesson = new RunParameters(2, 5, [1, 3], DelayMs: 100, GapMs: 0, LockScope.None, StartMode.Lesson);
        // The two-lock experiments: two processes, once each; the delay is how long each holds its first lock before it
        // asks for the second. Started together, so that each has its first lock when it asks for the second.
        var twoLocks = new RunParameters(2, 1, [1, 3], DelayMs: 100, GapMs: 0, LockScope.None, StartMode.Simultaneous);
        var twoLockLimits = limits with
        {
            Processes = new IntRange(2, 2), Iterations = new IntRange(1, 1), GapMs = new IntRange(0, 0), Rounds = new IntRange(1, 1),
        };
        var semaphoreProcesses = BuiltInPrograms.SemaphoreProcesses;

        All =
        [
            new(Scenarios.NoLock, Scenarios.Title(Scenarios.NoLock),
                "The lesson's first experiment: p1 adds 1 and p2 adds 3 to a shared value, five times each, with no " +
                    "lock. Their prints interleave.",
                lesson, limits),
            new(Scenarios.Lock, Scenarios.Title(Scenarios.Lock),
                "The lesson's second experiment: each process holds the lock for its whole loop, so whoever takes it " +
                    "first runs to the end before the other starts.",
                lesson with { Lock = LockScope.WholeLoop }, limits),
            new(Scenarios.LockPerStep, Scenarios.Title(Scenarios.LockPerStep),
                "The lock is held only around each increment: prints interleave, yet no update is lost.",
                lesson with { Lock = LockScope.PerStep }, limits),
            new(Scenarios.LostUpdate, Scenarios.Title(Scenarios.LostUpdate),
                "No lock, and a pause between reading the value and writing it back: both processes read the same " +
                    "value and one overwrites the other's update.",
                lesson with { GapMs = 50 }, limits),
            new(Scenarios.Stress, Scenarios.Title(Scenarios.Stress),
                "No sleeps, many increments, repeated round after round: a table of how often each final value came " +
                    "out, and increments per second. Switch the lock on to see every round come out right.",
                new RunParameters(2, 10_000, [1, 1], DelayMs: 0, GapMs: 0, LockScope.None, StartMode.Simultaneous,
                    RunMode.Live, Rounds: 100, ReportsSteps: false), stressLimits),
            new(Scenarios.Deadlock, Scenarios.Title(Scenarios.Deadlock),
                "p1 takes lock a, then b; p2 takes b, then a, each holding its first lock for the delay. Each ends up " +
                    "holding one lock and waiting for the other: the lab sees the cycle and ends the run deadlocked.",
                twoLocks, twoLockLimits),
            new(Scenarios.LockOrdering, Scenarios.Title(Scenarios.LockOrdering),
                "The cure for the deadlock: both processes take lock a before lock b, so whoever has a can always get b.",
                twoLocks, twoLockLimits),
            new(Scenarios.Semaphore, Scenarios.Title(Scenarios.Semaphore),
                "A semaphore of a few permits shared by more processes: each takes a permit, counts itself in, prints how " +
                    "many are inside, stays for the delay and leaves. Never more inside than there are permits.",
                new RunParameters(4, 1, [1], DelayMs: 200, GapMs: 0, LockScope.None, StartMode.Simultaneous, Permits: 2),
                limits with
                {
                    Processes = new IntRange(semaphoreProcesses.Min, Math.Min(semaphoreProcesses.Max, l.MaxProcesses)),
                    Iterations = new IntRange(1, 1), Amount = new IntRange(1, 1), GapMs = new IntRange(0, 0),
                    Rounds = new IntRange(1, 1), Permits = BuiltInPrograms.SemaphorePermits,
                }),
        ];
        // A run of a program of its own: not listed (there is nothing to choose), but a run goes by this name.
        ProgramScenario = new(Scenarios.Program, Scenarios.Title(Scenarios.Program),
            "An experiment written as a program: its processes, their steps, its shared integers, locks and semaphores.",
            new RunParameters(1, 1, [0], DelayMs: 0, GapMs: 0, LockScope.None, StartMode.Lesson),
            limits with { Iterations = new IntRange(1, 1), Rounds = new IntRange(1, 1) });
        // Programs are held to the lab's own limits: as many processes, as long a repeat, as long a sleep and as large an
        // amount as a scenario may have, no more events than a run may report, and sleeps that fit well in the run's time.
        Programs = ProgramLimits.Default with
        {
            MaxProcesses = Math.Min(ProgramLimits.Default.MaxProcesses, l.MaxProcesses),
            MaxRepeatCount = Math.Min(ProgramLimits.Default.MaxRepeatCount, l.MaxIterations),
            MaxSleepMs = Math.Min(ProgramLimits.Default.MaxSleepMs, Math.Max(l.MaxDelayMs, l.MaxGapMs)),
            MaxAmount = Math.Min(ProgramLimits.Default.MaxAmount, l.MaxAmount),
            MaxEvents = Math.Min(ProgramLimits.Default.MaxEvents, l.MaxEventsPerRun),
            MaxTotalSleepMs = Math.Min(ProgramLimits.Default.MaxTotalSleepMs, l.RunTimeLimitSeconds * 1000L / 2),
            MaxTextChars = Math.Min(ProgramLimits.Default.MaxTextChars, RunsEndpoints.MaxProgramTextChars),
        };
        _byName = All.ToDictionary(s => s.Name, StringComparer.Ordinal);
        Limits = new LabLimits(l.MaxConcurrentRuns, l.MaxQueuedRuns, l.MaxActiveRunsPerRoom, l.MaxEventsPerRun,
            l.RunTimeLimitSeconds, l.StepRunTimeLimitSeconds, l.RunsPerMinutePerClient);
    }

    public IReadOnlyList<ScenarioInfo> All { get; }

    /// <summary>What a run of a request's own program goes by (<see cref="Scenarios.Program"/>).</summary>
    public ScenarioInfo ProgramScenario { get; }

    /// <summary>The limits a request's program is held to.</summary>
    public ProgramLimits Programs { get; }

    /// <summary>
    /// What a scenario's run executes, from its resolved parameters: the lesson's five experiments as programs
    /// (<see cref="BuiltInPrograms.For"/>), the deadlock (the delay is how long each holds its first lock), lock ordering,
    /// the semaphore (the delay is how long each stays inside).
    /// </summary>
    public static ExperimentProgram ProgramFor(string scenario, RunParameters p) => scenario switch
    {
        Scenarios.Deadlock => BuiltInPrograms.Deadlock(p.DelayMs),
        Scenarios.LockOrdering => BuiltInPrograms.LockOrdering(p.DelayMs),
        Scenarios.Semaphore => BuiltInPrograms.Semaphore(p.Permits ?? 1, p.Processes, p.DelayMs),
        _ => BuiltInPrograms.For(scenario, p),
    };

    /// <summary>The limits that are not a scenario's parameters: concurrency, volume, time.</summary>
    public LabLimits Limits { get; }

    public ScenarioInfo? Find(string? name) => name is not null && _byName.TryGetValue(name, out var s) ? s : null;
}
