using System.Text.Json.Serialization;

namespace LockLab.Contracts;

/// <summary>Where a scenario puts the lock.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<LockScope>))]
public enum LockScope
{
    /// <summary>No lock at all: the lesson's first experiment.</summary>
    [JsonStringEnumMemberName("none")] None,
    /// <summary>Acquired before the loop, released after it: the lesson's second experiment.</summary>
    [JsonStringEnumMemberName("loop")] WholeLoop,
    /// <summary>Acquired around each increment only.</summary>
    [JsonStringEnumMemberName("step")] PerStep,
}

/// <summary>How the workers are released into their job.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<StartMode>))]
public enum StartMode
{
    /// <summary>p1 starts first and each next process starts once the previous one has begun its job
    /// (for the lock scenarios: once it holds the lock), as the lesson's <c>p1.start(); p2.start()</c> intends.</summary>
    [JsonStringEnumMemberName("ordered")] Ordered,
    /// <summary>All processes are released at the same instant: the true race for the lock.</summary>
    [JsonStringEnumMemberName("simultaneous")] Simultaneous,
}

/// <summary>How a run proceeds.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<RunMode>))]
public enum RunMode
{
    /// <summary>The processes run on their own, at the speed of their sleeps.</summary>
    [JsonStringEnumMemberName("live")] Live,
    /// <summary>Every process pauses before each step (lock, read, write, print, unlock) until someone lets it take
    /// that step: the teacher is the scheduler. Sleeps are skipped.</summary>
    [JsonStringEnumMemberName("step")] Step,
}

/// <summary>The fully resolved parameters of one run (scenario defaults with the request's overrides applied).</summary>
/// <param name="Rounds">How many times the whole experiment is repeated within the run (the stress scenario's outcome table); 1 otherwise.</param>
/// <param name="ReportsSteps">False for stress runs: they report how often each final value occurred, not every step
/// (millions of steps would swamp the page and the server's memory).</param>
public sealed record RunParameters(
    int Processes,
    int Iterations,
    IReadOnlyList<int> Amounts,
    int DelayMs,
    int GapMs,
    LockScope Lock,
    StartMode StartMode,
    RunMode Mode = RunMode.Live,
    int Rounds = 1,
    bool ReportsSteps = true)
{
    /// <summary>The value the counter must end at (in each round) if no update is lost.</summary>
    public long ExpectedFinalValue => Amounts.Sum(a => (long)a) * Iterations;


    /// <summary>Process names in start order: p1, p2, …</summary>
    public static string ProcessName(int index) => $"p{index + 1}";
}

/// <summary>An inclusive range a parameter must lie in.</summary>
public sealed record IntRange(int Min, int Max)
{
    public bool Contains(int value) => value >= Min && value <= Max;
}

/// <summary>The bounds every request is validated against; the UI shows them.</summary>
public sealed record ParameterLimits(IntRange Processes, IntRange Iterations, IntRange Amount, IntRange DelayMs, IntRange GapMs, IntRange Rounds);

/// <summary>A scenario as <c>GET /api/scenarios</c> describes it.</summary>
public sealed record ScenarioInfo(string Name, string Title, string Description, RunParameters Defaults, ParameterLimits Limits);

/// <summary>The server's limits beyond each scenario's parameters (<c>GET /api/limits</c>); the page shows them.</summary>
public sealed record LabLimits(
    int MaxConcurrentRuns,
    int MaxQueuedRuns,
    int MaxActiveRunsPerRoom,
    int MaxEventsPerRun,
    int RunTimeLimitSeconds,
    int StepRunTimeLimitSeconds,
    int RunsPerMinutePerClient);
