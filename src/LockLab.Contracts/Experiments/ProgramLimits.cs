namespace LockLab.Contracts.Experiments;

/// <summary>
/// The bounds a program from a lesson or a request must keep (<see cref="ProgramValidator"/>). With the only loop a
/// <see cref="RepeatStep"/> of a literal count, these bounds make every program's length finite and known before it runs:
/// its events and its sleeps are computed exactly (<see cref="ProgramTotals"/>), not estimated.
/// </summary>
/// <param name="MaxProcesses">Processes: 1 to this. Each is a real worker process, as the scenarios' (8).</param>
/// <param name="MaxStepsPerProcess">Steps a process's program may write down, those inside a repeat and the repeat
/// itself counted each once (a lesson's loop is a handful).</param>
/// <param name="MaxRepeatCount">A repeat's count: 1 to this (the scenarios' iterations).</param>
/// <param name="MaxRepeatDepth">Repeats inside repeats: at most this many levels.</param>
/// <param name="MaxEvents">Events the whole program may report (<see cref="ProgramTotals.Events(ExperimentProgram)"/>): the server's
/// <c>MaxEventsPerRun</c> by default, so that a program accepted is never stopped for reporting too many.</param>
/// <param name="MaxSleepMs">One sleep: 0 to this many milliseconds (the scenarios' delay and gap).</param>
/// <param name="MaxTotalSleepMs">All sleeps of all processes together (<see cref="ProgramTotals.SleepMs(ExperimentProgram)"/>): how long
/// the run lasts at most when locks make the processes take turns; well within the server's run time limit (60 s).</param>
/// <param name="MaxAmount">What a write or an add may add: within ± this (the scenarios' amounts).</param>
/// <param name="MaxInitialValue">A shared integer's initial value: within ± this.</param>
/// <param name="MaxSharedIntegers">Shared integers a program may declare.</param>
/// <param name="MaxLocks">Locks and semaphores together a program may declare.</param>
/// <param name="MaxPermits">A semaphore's permits: 1 to this (with at most 8 processes, 7 still leaves one waiting).</param>
/// <param name="MaxNameLength">A name's length; a name is letters, digits and <c>_</c>, not starting with a digit.</param>
/// <param name="MaxTextChars">The text form's length, checked before anything else is read.</param>
/// <param name="MaxErrors">Errors reported for one program; a hostile one gets this many and a note, not thousands.</param>
public sealed record ProgramLimits(
    int MaxProcesses = 8,
    int MaxStepsPerProcess = 64,
    int MaxRepeatCount = 1000,
    int MaxRepeatDepth = 3,
    long MaxEvents = 200_000,
    int MaxSleepMs = 2000,
    long MaxTotalSleepMs = 30_000,
    int MaxAmount = 1000,
    int MaxInitialValue = 1_000_000,
    int MaxSharedIntegers = 8,
    int MaxLocks = 8,
    int MaxPermits = 7,
    int MaxNameLength = 32,
    int MaxTextChars = 20_000,
    int MaxErrors = 20)
{
    /// <summary>The limits a program from a lesson or a request is held to unless the server is configured otherwise.</summary>
    public static ProgramLimits Default { get; } = new();
}
