namespace LockLab.Contracts;

/// <summary>
/// What a process of a step-mode run will do when it is next allowed to move, worked out from the job it runs
/// (the scenario's loop) and the events it has reported so far. The page shows it on the process's step button;
/// a student predicting the next print uses it to know when a print comes.
/// </summary>
public static class NextStep
{
    /// <returns>The kind of the next step, <see cref="EventKind.LockAcquired"/> while blocked waiting for the lock,
    /// or <see cref="EventKind.Exit"/> when the process has finished.</returns>
    public static EventKind For(RunParameters parameters, IEnumerable<RunEvent> eventsOfProcess)
    {
        var last = default(RunEvent);
        var prints = 0;
        foreach (var e in eventsOfProcess)
        {
            last = e;
            if (e.Kind == EventKind.Print) prints++;
        }
        var scope = parameters.Lock;
        var moreIterations = prints < parameters.Iterations;
        if (last is null) return scope == LockScope.None ? EventKind.Read : EventKind.LockWait;
        return last.Kind switch
        {
            EventKind.LockWait => EventKind.LockAcquired, // blocked in the real lock until its holder releases it
            EventKind.LockAcquired => EventKind.Read,
            EventKind.Read => EventKind.Write,
            EventKind.Write => EventKind.Print,
            EventKind.Print when scope == LockScope.PerStep => EventKind.LockReleased,
            EventKind.Print when moreIterations => EventKind.Read,
            EventKind.Print when scope == LockScope.WholeLoop => EventKind.LockReleased,
            EventKind.LockReleased when moreIterations && scope == LockScope.PerStep => EventKind.LockWait,
            _ => EventKind.Exit,
        };
    }
}
