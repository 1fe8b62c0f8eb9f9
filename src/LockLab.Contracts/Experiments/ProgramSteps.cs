namespace LockLab.Contracts.Experiments;

/// <summary>
/// The events a process of a program reports, in order, and from them what
/// it does next: the step-mode view of a program, as <see cref="NextStep"/> is of the classic scenarios' loop.
/// </summary>
public static class ProgramSteps
{
    /// <summary>
    /// The events one step reports, in order, as the worker reports them: the one table of it (<see cref="ProgramTotals"/>
    /// counts from it).
    /// <list type="table">
    /// <item><term>sleep</term><description>none</description></item>
    /// <item><term>acquire</term><description><c>lock-wait</c> (it asks, and may now block), then <c>lock-acquired</c></description></item>
    /// <item><term>release</term><description><c>lock-released</c></description></item>
    /// <item><term>read</term><description><c>read</c></description></item>
    /// <item><term>write</term><description><c>write</c></description></item>
    /// <item><term>add</term><description><c>read</c>, then <c>write</c> (it is a read and a write)</description></item>
    /// <item><term>print</term><description><c>print</c></description></item>
    /// </list>
    /// A semaphore's acquire and release report the same as a lock's. A repeat reports its steps' events, N times
    /// (<see cref="Kinds"/>); here it reports none of its own.
    /// </summary>
    public static IReadOnlyList<EventKind> KindsOf(ProgramStep? step) => step switch
    {
        AcquireStep => Acquire,
        ReleaseStep => Release,
        ReadStep => Read,
        WriteStep => Write,
        AddStep => Add,
        PrintStep => Print,
        _ => [],
    };

    private static readonly EventKind[] Acquire = [EventKind.LockWait, EventKind.LockAcquired];
    private static readonly EventKind[] Release = [EventKind.LockReleased];
    private static readonly EventKind[] Read = [EventKind.Read];
    private static readonly EventKind[] Write = [EventKind.Write];
    private static readonly EventKind[] Add = [EventKind.Read, EventKind.Write];
    private static readonly EventKind[] Print = [EventKind.Print];

    /// <summary>The kinds of the events <paramref name="steps"/> report, in order, the exit excluded (lazily: a repeat is
    /// not unrolled ahead of need).</summary>
    public static IEnumerable<EventKind> Kinds(IReadOnlyList<ProgramStep> steps)
    {
        foreach (var step in steps)
        {
            if (step is RepeatStep repeat)
            {
                for (var i = 0; i < repeat.Count; i++)
                {
                    foreach (var kind in Kinds(repeat.Steps)) yield return kind;
                }
            }
            else
            {
                foreach (var kind in KindsOf(step)) yield return kind;
            }
        }
    }

    /// <returns>The kind of the process's next step; <see cref="EventKind.LockAcquired"/> while it is blocked waiting for
    /// a lock or a semaphore, <see cref="EventKind.Exit"/> once it has nothing left to do.</returns>
    public static EventKind Next(ProcessProgram process, IEnumerable<RunEvent> eventsOfProcess)
    {
        var taken = 0;
        var last = default(RunEvent);
        foreach (var e in eventsOfProcess)
        {
            last = e;
            if (e.Kind != EventKind.Exit) taken++;
        }
        if (last?.Kind == EventKind.Exit) return EventKind.Exit;
        return Kinds(process.Steps).Skip(taken).Select(k => (EventKind?)k).FirstOrDefault() ?? EventKind.Exit;
    }
}
