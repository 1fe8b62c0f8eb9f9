namespace LockLab.Contracts.Experiments;

/// <summary>
/// The events a process of a program reports, in order (<see cref="ProgramTotals.EventsOf"/>'s table), and from them what
/// it does next: the step-mode view of a program, as <see cref="NextStep"/> is of the classic scenarios' loop.
/// </summary>
public static class ProgramSteps
{
    /// <summary>The kinds of the events <paramref name="steps"/> report, in order, the exit excluded (lazily: a repeat is
    /// not unrolled ahead of need).</summary>
    public static IEnumerable<EventKind> Kinds(IReadOnlyList<ProgramStep> steps)
    {
        foreach (var step in steps)
        {
            switch (step)
            {
                case AcquireStep:
                    yield return EventKind.LockWait;
                    yield return EventKind.LockAcquired;
                    break;
                case ReleaseStep:
                    yield return EventKind.LockReleased;
                    break;
                case ReadStep:
                    yield return EventKind.Read;
                    break;
                case WriteStep:
                    yield return EventKind.Write;
                    break;
                case AddStep:
                    yield return EventKind.Read;
                    yield return EventKind.Write;
                    break;
                case PrintStep:
                    yield return EventKind.Print;
                    break;
                case RepeatStep repeat:
                    for (var i = 0; i < repeat.Count; i++)
                    {
                        foreach (var kind in Kinds(repeat.Steps)) yield return kind;
                    }
                    break;
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
