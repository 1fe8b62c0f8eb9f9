namespace LockLab.Contracts.Experiments;

/// <summary>
/// What the parser and the validator say about a program, as templates (<c>{0}</c>: the value filled in), so that a
/// translation can be keyed by the English text as the server's other texts are (<see cref="TextTemplates"/>).
/// </summary>
public static class ProgramMessages
{
    // The text form.
    /// <summary>{0}: the text's length, {1}: the limit.</summary>
    public const string TextTooLong = "The program is {0:N0} characters long; at most {1:N0} are read.";
    /// <summary>{0}: the word.</summary>
    public const string NotAStep = "'{0}' is not a step: a step is sleep, acquire, release, read, write, add, print or repeat.";
    /// <summary>{0}: the word.</summary>
    public const string NotADeclaration =
        "'{0}' is not a declaration: above the processes come 'shared NAME = 0', 'lock NAME' and " +
        "'semaphore NAME permits 2', then 'process NAME:'.";
    /// <summary>{0}: the step's word.</summary>
    public const string StepOutsideProcess = "'{0}' is a step, and a step belongs to a process: write 'process p1:' above it.";
    /// <summary>{0}: the word, {1}: how it is written.</summary>
    public const string Usage = "'{0}' is written like this: {1}";

    /// <summary>
    /// Each keyword as an author writes it: the example <see cref="Usage"/> shows. Code, but for the words in brackets,
    /// which a translation of <see cref="Usage"/> translates too (keyed by the whole example).
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string> Usages = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["shared"] = "shared counter = 0",
        ["lock"] = "lock l",
        ["semaphore"] = "semaphore pool permits 2",
        ["process"] = "process p1:",
        ["sleep"] = "sleep 100 (milliseconds)",
        ["acquire"] = "acquire l",
        ["release"] = "release l",
        ["read"] = "read counter",
        ["write"] = "write counter 1 (stores the value last read, plus 1)",
        ["add"] = "add counter 1",
        ["print"] = "print counter",
        ["repeat"] = "repeat 5 { (the steps on the lines below, then } alone on a line)",
        ["}"] = "} (alone on its line, closing a repeat)",
    };
    /// <summary>{0}: the text.</summary>
    public const string NotANumber = "'{0}' is not a whole number (like 100 or -3).";
    public const string DeclarationAfterProcess = "Declare shared integers, locks and semaphores above the first process.";
    public const string UnmatchedClose = "This '}' closes no repeat.";
    public const string UnclosedRepeat = "This repeat is never closed: a '}' is missing.";
    public const string UnexpectedOpen = "This '{' opens nothing: a '{' belongs after 'repeat N'.";
    /// <summary>{0}: the limit.</summary>
    public const string TooManyErrors = "More than {0} errors; the rest are not listed.";

    // The program as a whole, and its declarations.
    public const string NoProcess = "A program needs at least one process.";
    /// <summary>{0}: processes, {1}: the limit.</summary>
    public const string TooManyProcesses = "The program has {0} processes; at most {1}.";
    /// <summary>{0}: the list's JSON name.</summary>
    public const string EmptyEntry = "An entry of the program's '{0}' is empty (null).";
    /// <summary>{0}: the name, {1}: the longest a name may be.</summary>
    public const string NotAName =
        "'{0}' is not a name: letters, digits and _, not starting with a digit, at most {1} characters, and not a word " +
        "of the language (sleep, lock, repeat, …).";
    /// <summary>{0}: the name.</summary>
    public const string NameTakenTwice =
        "'{0}' is declared twice: shared integers, locks and semaphores each need a name of their own.";
    /// <summary>{0}: its place (1 for the first), {1}: the name it was given, {2}: the name it must have.</summary>
    public const string ProcessNameOutOfOrder =
        "Process {0} is called '{1}': the lab calls processes p1, p2, … in the order they are written (its output, lanes " +
        "and step buttons go by these names), so call it '{2}'.";
    /// <summary>{0}: how many, {1}: the limit.</summary>
    public const string TooManyShared = "The program declares {0} shared integers; at most {1}.";
    /// <summary>{0}: how many, {1}: the limit.</summary>
    public const string TooManyLocks = "The program declares {0} locks and semaphores; at most {1}.";
    /// <summary>{0}: the name, {1}: the value, {2}: the lowest allowed, {3}: the highest.</summary>
    public const string InitialValueOutOfRange = "Shared integer '{0}' starts at {1}; it must start between {2} and {3}.";
    /// <summary>{0}: the name, {1}: the permits, {2}: the limit.</summary>
    public const string PermitsOutOfRange = "Semaphore '{0}' has {1} permits; a semaphore has 1 to {2}.";

    // A process and its steps.
    public const string NoSteps = "The process has no steps.";
    /// <summary>{0}: the steps, {1}: the limit.</summary>
    public const string TooManySteps = "The process has {0} steps; at most {1} (a repeat and each step in it count once).";
    public const string EmptyStep = "The step is empty (null).";
    /// <summary>{0}: the sleep, {1}: the limit.</summary>
    public const string SleepOutOfRange = "Sleeps {0} ms; a sleep is 0 to {1} ms.";
    /// <summary>{0}: the name.</summary>
    public const string UnknownLock = "'{0}' is not a declared lock or semaphore.";
    /// <summary>{0}: the name.</summary>
    public const string SharedIsNotALock = "'{0}' is a shared integer, not a lock or semaphore.";
    /// <summary>{0}: the name.</summary>
    public const string UnknownShared = "'{0}' is not a declared shared integer.";
    /// <summary>{0}: the name.</summary>
    public const string LockIsNotShared = "'{0}' is a lock or semaphore, not a shared integer.";
    /// <summary>{0}: the lock.</summary>
    public const string LockAlreadyHeld =
        "Acquires lock '{0}', which this process already holds: a lock is not re-entrant, the process would wait for " +
        "itself forever.";
    /// <summary>{0}: the semaphore, {1}: its permits.</summary>
    public const string AllPermitsHeld =
        "Acquires semaphore '{0}' while this process holds all its {1} permit(s): it would wait for itself forever.";
    /// <summary>{0}: the lock or semaphore.</summary>
    public const string ReleaseNotHeld = "Releases '{0}', which this process does not hold here.";
    /// <summary>{0}: the shared integer.</summary>
    public const string WriteWithoutRead =
        "Writes '{0}' without having read it: a write stores the value this process last read, plus the amount. " +
        "Read it first, or use add.";
    /// <summary>{0}: the amount, {1}: the limit.</summary>
    public const string AmountOutOfRange = "Adds {0}; an amount is between -{1} and {1}.";
    /// <summary>{0}: the count, {1}: the limit.</summary>
    public const string RepeatCountOutOfRange = "Repeats {0} times; a repeat is 1 to {1} times.";
    /// <summary>{0}: the limit.</summary>
    public const string RepeatTooDeep = "A repeat inside {0} others; repeats go at most {0} deep.";
    public const string EmptyRepeat = "The repeat has no steps.";
    /// <summary>{0}: the lock or semaphore.</summary>
    public const string RepeatKeepsLock =
        "Each round of this repeat acquires '{0}' and does not release it: release it inside the repeat, or acquire it " +
        "before the repeat.";
    /// <summary>{0}: the lock or semaphore.</summary>
    public const string RepeatReleasesLock =
        "Each round of this repeat releases '{0}' without acquiring it: acquire it inside the repeat, or release it " +
        "after the repeat.";
    /// <summary>{0}: the lock or semaphore.</summary>
    public const string EndsHolding =
        "The process ends holding '{0}', taken here: release it, or every process that asks for it waits forever.";

    // What the program adds up to.
    /// <summary>{0}: the events, {1}: the limit.</summary>
    public const string TooManyEvents = "The program would report {0:N0} events; at most {1:N0}.";
    /// <summary>{0}: the sleeps' total, {1}: the limit.</summary>
    public const string TooMuchSleep =
        "The processes' sleeps add up to {0:N0} ms; at most {1:N0} ms, so that the run ends in time even when the " +
        "processes take turns.";
    /// <summary>{0}: the shared integer, {1}: how far from 0 it could get.</summary>
    public const string ValueOutOfRange =
        "Shared integer '{0}' could reach ±{1:N0}: it holds 32 bits, as Python's Value('i') does (at most ±2,147,483,647).";

    public static readonly IReadOnlyList<string> All =
    [
        TextTooLong, NotAStep, NotADeclaration, StepOutsideProcess, Usage, NotANumber, DeclarationAfterProcess,
        UnmatchedClose, UnclosedRepeat, UnexpectedOpen, TooManyErrors, NoProcess, TooManyProcesses, EmptyEntry, NotAName,
        NameTakenTwice, ProcessNameOutOfOrder, TooManyShared, TooManyLocks, InitialValueOutOfRange, PermitsOutOfRange,
        NoSteps, TooManySteps, EmptyStep, SleepOutOfRange, UnknownLock, SharedIsNotALock, UnknownShared, LockIsNotShared,
        LockAlreadyHeld, AllPermitsHeld, ReleaseNotHeld, WriteWithoutRead, AmountOutOfRange, RepeatCountOutOfRange,
        RepeatTooDeep, EmptyRepeat, RepeatKeepsLock, RepeatReleasesLock, EndsHolding, TooManyEvents, TooMuchSleep,
        ValueOutOfRange,
    ];
}
