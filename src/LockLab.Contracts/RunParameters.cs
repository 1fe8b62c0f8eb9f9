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

/// <summary>How the workers are released into their job. <see cref="StartModes.Describe"/> says it in one line.</summary>
[JsonConverter(typeof(StartModeJsonConverter))]
public enum StartMode
{
    /// <summary>A fixed teaching schedule: p1 starts, p2 a fixed 5 ms after p1 has begun (for the lock scenarios: once
    /// it holds the lock), and every process keeps its sleeps on schedule (no drift). It reproduces the lesson's printed
    /// output every time, which Python's own script does only usually. JSON: <c>lesson</c> (<c>ordered</c> is read too).</summary>
    Lesson,
    /// <summary>As the lesson's Python script runs: each process starts a couple of milliseconds after the one
    /// before it has begun, as <c>p1.start(); p2.start()</c> spaces them (the time to create a process), and
    /// each sleeps from the moment it asks, so late wake-ups add up and nothing keeps the processes
    /// aligned.</summary>
    Python,
    /// <summary>All processes are released at the same instant: the true race for the lock.</summary>
    Simultaneous,
}

/// <summary>The start modes' names and one-line explanations, shared by the API, the page and the lesson files.</summary>
public static class StartModes
{
    public static string Name(StartMode mode) => mode switch
    {
        StartMode.Lesson => "lesson",
        StartMode.Python => "python",
        StartMode.Simultaneous => "simultaneous",
        _ => throw new ArgumentOutOfRangeException(nameof(mode)),
    };

    /// <summary>A name as the API or a lesson file gives it; <c>ordered</c> is the lesson schedule's earlier name.</summary>
    public static StartMode? Parse(string? name) => name?.Trim().ToLowerInvariant() switch
    {
        "lesson" or "ordered" => StartMode.Lesson,
        "python" => StartMode.Python,
        "simultaneous" => StartMode.Simultaneous,
        _ => null,
    };

    public const string Rule = "Must be 'lesson', 'python' or 'simultaneous'.";

    public static string Describe(StartMode mode) => mode switch
    {
        StartMode.Lesson => "A fixed schedule that reproduces the lesson's printed output.",
        StartMode.Python => "As the lesson's Python script: started one after the other, each sleeping from now — " +
            "the output varies from run to run.",
        StartMode.Simultaneous => "All processes released at the same instant: a true race.",
        _ => "",
    };
}

/// <summary>Reads and writes <see cref="StartMode"/> by its name, accepting the lesson schedule's earlier name.</summary>
public sealed class StartModeJsonConverter : JsonConverter<StartMode>
{
    public override StartMode Read(
        ref System.Text.Json.Utf8JsonReader reader, Type typeToConvert, System.Text.Json.JsonSerializerOptions options) =>
        reader.TokenType == System.Text.Json.JsonTokenType.String && StartModes.Parse(reader.GetString()) is { } mode
            ? mode
            : throw new System.Text.Json.JsonException($"startMode: {StartModes.Rule}");

    public override void Write(System.Text.Json.Utf8JsonWriter writer, StartMode value, System.Text.Json.JsonSerializerOptions options) =>
        writer.WriteStringValue(StartModes.Name(value));
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
/// <param name="Rounds">How many times the whole experiment is repeated within the run (the stress scenario's
/// outcome table); 1 otherwise.</param>
/// <param name="ReportsSteps">False for stress runs: they report how often each final value occurred, not every step
/// (millions of steps would swamp the page and the server's memory).</param>
/// <param name="Permits">The <c>semaphore</c> scenario: how many processes may hold the semaphore at once; null for the others.</param>
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
    bool ReportsSteps = true,
    int? Permits = null)
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
/// <param name="Permits">The <c>semaphore</c> scenario's permits; null where a scenario has none.</param>
public sealed record ParameterLimits(
    IntRange Processes, IntRange Iterations, IntRange Amount, IntRange DelayMs, IntRange GapMs, IntRange Rounds,
    IntRange? Permits = null);

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
