using System.Text.Json.Serialization;

namespace LockLab.Contracts;

[JsonConverter(typeof(JsonStringEnumConverter<RunStatus>))]
public enum RunStatus
{
    [JsonStringEnumMemberName("queued")] Queued,
    [JsonStringEnumMemberName("running")] Running,
    [JsonStringEnumMemberName("completed")] Completed,
    [JsonStringEnumMemberName("failed")] Failed,
    [JsonStringEnumMemberName("cancelled")] Cancelled,
    /// <summary>Cut off by a server restart.</summary>
    [JsonStringEnumMemberName("interrupted")] Interrupted,
}

/// <summary>A run as the REST API and the hub describe it.</summary>
public sealed record RunInfo(
    string Id,
    string Scenario,
    string Room,
    RunStatus Status,
    RunParameters Parameters,
    DateTimeOffset CreatedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? FinishedAt,
    long EventCount,
    RunSummary? Summary,
    string? Error,
    RunLinks Links)
{
    [JsonIgnore]
    public bool IsFinished => Status is not (RunStatus.Queued or RunStatus.Running);
}

public sealed record RunLinks(string Self, string Events);

/// <summary>What a finished run proved.</summary>
public sealed record RunSummary(
    long ExpectedFinalValue,
    long ActualFinalValue,
    int LostUpdates,
    double DurationMs,
    IReadOnlyList<long> Printed,
    IReadOnlyList<ProcessSummary> Processes);

public sealed record ProcessSummary(string Process, int Pid, int? ExitCode, double LockWaitMs, int Writes);

/// <summary>What <c>JoinRoom</c> answers: the room and what is running or last ran in it.</summary>
public sealed record RoomState(string Room, RunInfo? CurrentRun, IReadOnlyList<RunInfo> RecentRuns);
