namespace LockLab.Contracts.Experiments;

/// <summary>
/// What a program adds up to, computed exactly before it runs: the events its processes will report and the time they
/// will sleep. Without a loop whose count is not a number in the program, there is nothing to estimate.
/// </summary>
public static class ProgramTotals
{
    /// <summary>Each process reports one <see cref="EventKind.Exit"/> when it has taken its last step.</summary>
    public const int ExitEventsPerProcess = 1;

    /// <summary>
    /// The events one step reports (<see cref="ProgramSteps.KindsOf"/>), a repeat's N times its steps'. Counts saturate
    /// (at <see cref="Saturated"/>) rather than overflow, so that a hostile program's total is still "too many".
    /// </summary>
    public static long EventsOf(ProgramStep? step) => step switch
    {
        RepeatStep r => Times(Math.Max(r.Count, 0), Events(r.Steps)),
        _ => ProgramSteps.KindsOf(step).Count,
    };

    /// <summary>The events of a list of steps taken once.</summary>
    public static long Events(IReadOnlyList<ProgramStep?>? steps) => Sum(steps, EventsOf);

    /// <summary>Every event of the run of <paramref name="program"/>: each process's steps and its exit.</summary>
    public static long Events(ExperimentProgram program) =>
        Sum(program.Processes, p => p is null ? 0 : Plus(Events(p.Steps), ExitEventsPerProcess));

    /// <summary>The milliseconds one step sleeps, its repeats included.</summary>
    public static long SleepMsOf(ProgramStep? step) => step switch
    {
        SleepStep s => Math.Max(s.Ms, 0),
        RepeatStep r => Times(Math.Max(r.Count, 0), SleepMs(r.Steps)),
        _ => 0,
    };

    public static long SleepMs(IReadOnlyList<ProgramStep?>? steps) => Sum(steps, SleepMsOf);

    /// <summary>
    /// All the processes' sleeps added up: how long the run lasts when its processes take turns (a lock held around
    /// each one's loop, the lesson's second experiment). Run at the same time they take less; no schedule takes more,
    /// but for the lock waits and steps themselves, which are microseconds.
    /// </summary>
    public static long SleepMs(ExperimentProgram program) => Sum(program.Processes, p => p is null ? 0 : SleepMs(p.Steps));

    /// <summary>
    /// How far the shared integer <paramref name="shared"/> can get from its initial value: whichever updates are lost, its
    /// value is its initial value plus some of the amounts written to it (a write stores a value read plus its amount), so
    /// at most the sum of their sizes away.
    /// </summary>
    public static long MaxChange(ExperimentProgram program, string shared) =>
        Sum(program.Processes, p => p is null ? 0 : MaxChange(p.Steps, shared));

    private static long MaxChange(IReadOnlyList<ProgramStep?>? steps, string shared) => Sum(steps, step => step switch
    {
        WriteStep w when w.Shared == shared => Math.Abs((long)w.Amount),
        AddStep a when a.Shared == shared => Math.Abs((long)a.Amount),
        RepeatStep r => Times(Math.Max(r.Count, 0), MaxChange(r.Steps, shared)),
        _ => 0,
    });

    /// <summary>Where counts stop growing: far beyond any limit, far below overflow.</summary>
    public const long Saturated = long.MaxValue / 4;

    private static long Sum<T>(IReadOnlyList<T>? items, Func<T, long> of)
    {
        long total = 0;
        if (items is null) return 0;
        foreach (var item in items) total = Plus(total, of(item));
        return total;
    }

    private static long Plus(long a, long b) => Math.Min(a + b, Saturated);

    private static long Times(long a, long b) => a == 0 || b == 0 ? 0 : b > Saturated / a ? Saturated : Math.Min(a * b, Saturated);
}
