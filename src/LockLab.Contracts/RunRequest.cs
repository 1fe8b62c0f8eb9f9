namespace LockLab.Contracts;

/// <summary>
/// Body of <c>POST /api/runs</c> and argument of the hub's <c>StartRun</c>. Every override is optional and
/// validated against the scenario's limits.
/// </summary>
public sealed record RunRequest
{
    public string? Scenario { get; init; }
    public string? Room { get; init; }
    public int? Processes { get; init; }
    public int? Iterations { get; init; }
    public int[]? Amounts { get; init; }
    public int? DelayMs { get; init; }
    public int? GapMs { get; init; }
    public StartMode? StartMode { get; init; }
    /// <summary>Lock off (<c>none</c>), around the whole loop (<c>loop</c>) or around each increment (<c>step</c>).</summary>
    public LockScope? Lock { get; init; }
    /// <summary><c>live</c>, or <c>step</c>: the processes wait before each step for someone to choose who moves.</summary>
    public RunMode? Mode { get; init; }
    /// <summary>How many times to repeat the experiment (stress runs).</summary>
    public int? Rounds { get; init; }
    /// <summary>The <c>semaphore</c> scenario: how many processes may hold the semaphore at once.</summary>
    public int? Permits { get; init; }
    /// <summary>An experiment of its own instead of a scenario's: its text or its model (<see cref="Experiments.ProgramSource"/>),
    /// checked against the server's program limits. With a program, <see cref="Scenario"/> is left out.</summary>
    public Experiments.ProgramSource? Program { get; init; }
}
