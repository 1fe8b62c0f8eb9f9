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
}
