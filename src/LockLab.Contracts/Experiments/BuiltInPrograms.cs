namespace LockLab.Contracts.Experiments;

/// <summary>
/// The lab's experiments as programs: the five scenarios, as definitions rather than code paths, and the ones the lessons
/// on deadlock and semaphores need. Each is built from parameters the server has already checked against its scenario's
/// limits (<see cref="RunParameters"/>), so these trust their arguments as far as those limits go; they are valid programs
/// (<see cref="ProgramValidator"/>), but a stress run's millions of steps are held to the stress scenario's limits, not
/// to <see cref="ProgramLimits.Default"/>'s (a stress run reports no steps).
/// </summary>
public static class BuiltInPrograms
{
    /// <summary>The shared integer of the lesson's experiments (<c>counter = mp.Value("i", 0)</c>).</summary>
    public const string Counter = "counter";

    /// <summary>The lesson's lock (<c>l = mp.Lock()</c>).</summary>
    public const string Lock = "l";

    /// <summary>
    /// The scenario <paramref name="scenario"/> with its resolved parameters, step for step what the worker's job does
    /// today (<c>job(v, num, l)</c>): each process <c>p1</c>, <c>p2</c>, … adds its amount <c>Iterations</c> times,
    /// sleeping <c>DelayMs</c> before each addition (when not 0), and prints the counter after it:
    /// <code>
    /// acquire l                  # LockScope.WholeLoop: the lock around the loop
    /// repeat ITERATIONS {
    ///   sleep DELAY
    ///   acquire l                # LockScope.PerStep: the lock around each addition
    ///   add counter AMOUNT       # with a gap: read counter / sleep GAP / write counter AMOUNT
    ///   print counter
    ///   release l                # LockScope.PerStep
    /// }
    /// release l                  # LockScope.WholeLoop
    /// </code>
    /// The stress scenario does the same without the print (its bare loop is nothing but the lock and <c>v += n</c>).
    /// What is not in the program stays a run parameter: the start mode, live or step mode, the rounds.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Not one of <see cref="Scenarios.Classic"/>, or fewer amounts than processes.</exception>
    public static ExperimentProgram For(string scenario, RunParameters parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        if (!Scenarios.IsClassic(scenario)) throw new ArgumentOutOfRangeException(nameof(scenario), scenario, "Not one of the five classic scenarios.");
        if (parameters.Amounts.Count < parameters.Processes)
            throw new ArgumentOutOfRangeException(nameof(parameters), "One amount per process is needed.");
        var prints = scenario != Scenarios.Stress;
        var lockScope = parameters.Lock;
        return new ExperimentProgram
        {
            Shared = [new SharedInteger(Counter)],
            Locks = lockScope == LockScope.None ? [] : [Lock],
            Processes = [.. Enumerable.Range(0, parameters.Processes).Select(i =>
                new ProcessProgram(RunParameters.ProcessName(i), Job(parameters.Amounts[i])))],
        };

        IReadOnlyList<ProgramStep> Job(int amount)
        {
            var step = new List<ProgramStep>();
            if (parameters.DelayMs > 0) step.Add(new SleepStep(parameters.DelayMs));
            if (lockScope == LockScope.PerStep) step.Add(new AcquireStep(Lock));
            if (parameters.GapMs > 0)
                step.AddRange([new ReadStep(Counter), new SleepStep(parameters.GapMs), new WriteStep(Counter, amount)]);
            else step.Add(new AddStep(Counter, amount));
            if (prints) step.Add(new PrintStep(Counter));
            if (lockScope == LockScope.PerStep) step.Add(new ReleaseStep(Lock));
            ProgramStep loop = new RepeatStep(parameters.Iterations, step);
            return lockScope == LockScope.WholeLoop ? [new AcquireStep(Lock), loop, new ReleaseStep(Lock)] : [loop];
        }
    }

    /// <summary>The two locks of the deadlock experiments.</summary>
    public const string LockA = "a";
    public const string LockB = "b";

    /// <summary>
    /// Deadlock: p1 takes lock a then b, p2 takes b then a, each sleeping <paramref name="holdMs"/> in between so that
    /// both hold their first lock when they ask for their second. Started together, each waits for the other forever
    /// (the worker's wait-for graph sees the cycle); one after the other, p1 prints 1 and p2 prints 4.
    /// </summary>
    public static ExperimentProgram Deadlock(int holdMs = 100) => TwoLocks(holdMs, p2TakesBFirst: true);

    /// <summary>The cure for <see cref="Deadlock"/>: both processes take the locks in the same order, a then b, so the one
    /// that has a can always get b. The same steps otherwise.</summary>
    public static ExperimentProgram LockOrdering(int holdMs = 100) => TwoLocks(holdMs, p2TakesBFirst: false);

    private static ExperimentProgram TwoLocks(int holdMs, bool p2TakesBFirst)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(holdMs);
        return new ExperimentProgram
        {
            Shared = [new SharedInteger(Counter)],
            Locks = [LockA, LockB],
            Processes =
            [
                new ProcessProgram("p1", Both(LockA, LockB, 1)),
                new ProcessProgram("p2", p2TakesBFirst ? Both(LockB, LockA, 3) : Both(LockA, LockB, 3)),
            ],
        };

        IReadOnlyList<ProgramStep> Both(string first, string second, int amount) =>
        [
            new AcquireStep(first), new SleepStep(holdMs), new AcquireStep(second),
            new AddStep(Counter, amount), new PrintStep(Counter),
            new ReleaseStep(second), new ReleaseStep(first),
        ];
    }

    /// <summary>The semaphore's name, the integer counting who is inside, and the lock that keeps that count right.</summary>
    public const string Pool = "pool";
    public const string Inside = "inside";

    /// <summary>A semaphore's permits in the semaphore experiment.</summary>
    public static IntRange SemaphorePermits { get; } = new(1, 7);

    /// <summary>Processes in the semaphore experiment: at least two to share it, at most the lab's eight.</summary>
    public static IntRange SemaphoreProcesses { get; } = new(2, 8);

    /// <summary>
    /// A semaphore of <paramref name="permits"/> shared by <paramref name="processes"/> processes: each takes a permit,
    /// counts itself in (under the lock, so the count is right), prints how many are inside, stays
    /// <paramref name="insideMs"/>, counts itself out and gives the permit back. The prints never exceed the permits;
    /// one after the other, each prints 1 and <c>inside</c> ends at 0.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Outside <see cref="SemaphorePermits"/> or <see cref="SemaphoreProcesses"/>.</exception>
    public static ExperimentProgram Semaphore(int permits, int processes, int insideMs = 200)
    {
        if (!SemaphorePermits.Contains(permits)) throw new ArgumentOutOfRangeException(nameof(permits), permits, null);
        if (!SemaphoreProcesses.Contains(processes)) throw new ArgumentOutOfRangeException(nameof(processes), processes, null);
        ArgumentOutOfRangeException.ThrowIfNegative(insideMs);
        IReadOnlyList<ProgramStep> steps =
        [
            new AcquireStep(Pool),
            new AcquireStep(Lock), new AddStep(Inside, 1), new PrintStep(Inside), new ReleaseStep(Lock),
            new SleepStep(insideMs),
            new AcquireStep(Lock), new AddStep(Inside, -1), new ReleaseStep(Lock),
            new ReleaseStep(Pool),
        ];
        return new ExperimentProgram
        {
            Shared = [new SharedInteger(Inside)],
            Locks = [Lock],
            Semaphores = [new SemaphoreDeclaration(Pool, permits)],
            Processes = [.. Enumerable.Range(0, processes).Select(i => new ProcessProgram(RunParameters.ProcessName(i), steps))],
        };
    }
}
