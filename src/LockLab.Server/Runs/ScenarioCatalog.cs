using LockLab.Contracts;
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
        ];
        _byName = All.ToDictionary(s => s.Name, StringComparer.Ordinal);
        Limits = new LabLimits(l.MaxConcurrentRuns, l.MaxQueuedRuns, l.MaxActiveRunsPerRoom, l.MaxEventsPerRun,
            l.RunTimeLimitSeconds, l.StepRunTimeLimitSeconds, l.RunsPerMinutePerClient);
    }

    public IReadOnlyList<ScenarioInfo> All { get; }

    /// <summary>The limits that are not a scenario's parameters: concurrency, volume, time.</summary>
    public LabLimits Limits { get; }

    public ScenarioInfo? Find(string? name) => name is not null && _byName.TryGetValue(name, out var s) ? s : null;
}
