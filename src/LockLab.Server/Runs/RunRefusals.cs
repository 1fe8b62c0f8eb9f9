namespace LockLab.Server.Runs;

/// <summary>
/// Why a stop, step or show is refused (<see cref="RunCommandResult.Refusal"/>): the detail of a 409 and the
/// hub's error, in English; <see cref="Localization.ProblemTranslation"/> answers them in the caller's language.
/// </summary>
public static class RunRefusals
{
    // {0}: the run's status, by its wire name (queued, completed, …).
    public const string AlreadyFinished = "The run is already {0}.";
    public const string NotRunning = "The run is {0}, not running.";
    public const string NotRunningYet = "The run is {0}.";
    /// <summary>A student's stop of their own run while the presenter shows it to the class.</summary>
    public const string ShownToClass = "The presenter is showing this run to the class; only the presenter can stop it now.";

    public const string NotInStepMode = "This run is not in step mode.";
    /// <summary>{0}: the process named, {1}: how many processes the run has.</summary>
    public const string NoSuchProcess = "This run has no process '{0}'; it has p1 to p{1}.";
    public const string Ended = "The run has ended.";

    // {0}: the process (p1).
    public const string StillStepping = "{0} is still taking its last step.";
    public const string ProcessFinished = "{0} has finished.";
    public const string WaitingForLock = "{0} is waiting for the lock; step the process that holds it.";

    /// <summary>The refusals whose {0} is a run status: a translation names the status in the caller's language too.</summary>
    public static readonly IReadOnlySet<string> NamingAStatus = new HashSet<string>(StringComparer.Ordinal)
    {
        AlreadyFinished, NotRunning, NotRunningYet,
    };
}
