namespace LockLab.Contracts;

/// <summary>The names and titles of the lab's scenarios: one place, shared by the server's catalog, lessons and the page.</summary>
public static class Scenarios
{
    public const string NoLock = "no-lock";
    public const string Lock = "lock";
    public const string LockPerStep = "lock-per-step";
    public const string LostUpdate = "lost-update";
    public const string Stress = "stress";
    public const string Deadlock = "deadlock";
    public const string LockOrdering = "lock-ordering";
    public const string Semaphore = "semaphore";
    /// <summary>Not a scenario: the name a run started from a program of its own goes by.</summary>
    public const string Program = "program";

    public static IReadOnlyList<string> All { get; } = [NoLock, Lock, LockPerStep, LostUpdate, Stress, Deadlock, LockOrdering, Semaphore];

    /// <summary>The lesson's five experiments over one counter and one lock, whose runs summarize as they always have. The
    /// others (and a program of one's own) are summarized per shared integer and watched for deadlocks.</summary>
    public static IReadOnlyList<string> Classic { get; } = [NoLock, Lock, LockPerStep, LostUpdate, Stress];

    public static bool IsClassic(string scenario) => Classic.Contains(scenario);

    /// <summary>The experiments with more than one lock, or a semaphore: the lesson on deadlocks.</summary>
    public static IReadOnlyList<string> ManyLocks { get; } = [Deadlock, LockOrdering, Semaphore];

    /// <summary>
    /// The scenarios a page offers beside its own experiment: those of the same lesson (the classic five beside a classic
    /// one or none; the deadlock lesson's beside a scenario of it or a program), so that a lesson's page is not crowded
    /// with another lesson's buttons.
    /// </summary>
    public static IReadOnlyList<string> OfferedBeside(string? scenario) =>
        scenario is null || IsClassic(scenario) ? Classic : ManyLocks;

    /// <summary>What a button or heading calls the scenario.</summary>
    public static string Title(string scenario) => scenario switch
    {
        NoLock => "Without a lock",
        Lock => "With a lock",
        LockPerStep => "Lock around each step",
        LostUpdate => "Lost update",
        Stress => "Stress test",
        Deadlock => "Deadlock",
        LockOrdering => "Lock ordering",
        Semaphore => "Semaphore",
        Program => "The lesson's program",
        _ => scenario,
    };

    /// <summary>The verb phrase on a run button: "Run without lock", "Run with lock", …</summary>
    public static string RunLabel(string scenario) => scenario switch
    {
        NoLock => "Run without lock",
        Lock => "Run with lock",
        LockPerStep => "Run with a lock per step",
        LostUpdate => "Run the lost update",
        Stress => "Run the stress test",
        Deadlock => "Run into a deadlock",
        LockOrdering => "Run with ordered locks",
        Semaphore => "Run with a semaphore",
        Program => "Run the program",
        _ => $"Run {scenario}",
    };
}
