using LockLab.Contracts;

namespace LockLab.Server.Runs;

/// <summary>What became of a request for a run: the one answer that REST, a room's REST and the hub each translate.</summary>
public abstract record LaunchResult
{
    private LaunchResult() { }

    /// <summary>Queued: it starts as soon as the server has room for it.</summary>
    public sealed record Accepted(RunInfo Run) : LaunchResult;

    /// <summary>The request itself is wrong: each field, with what is wrong with it.</summary>
    public sealed record Invalid(IDictionary<string, string[]> Errors) : LaunchResult;

    /// <summary>A valid request that cannot run now: its room is busy (<see cref="LabErrorCode.RoomFull"/>) or the
    /// server is stopping (<see cref="LabErrorCode.NotNow"/>); why, in a sentence.</summary>
    public sealed record Refused(LabErrorCode Code, string Reason) : LaunchResult
    {
        public const string ShuttingDown = "This lab server is shutting down; try again in a moment.";
        /// <summary>{0}: the room, {1}: its limit.</summary>
        public const string RoomBusy =
            "Room '{0}' already has {1} run(s) queued or running (LockLab:Limits:MaxActiveRunsPerRoom); stop one or wait for it to end.";

        // A student's run (Students/StudentRuns):
        public const string StudentRunsOff = "The presenter does not let students run experiments in this room now.";
        /// <summary>{0}: how many runs a student may have queued or running.</summary>
        public const string StudentBusy = "You already have {0} run(s) queued or running; wait for it to end.";
        /// <summary>{0}: the limit per minute.</summary>
        public const string StudentTooOften = "You may start {0} run(s) a minute; wait a moment.";
        public const string NotAStudentYet = "This page has not said which student it is (JoinAsStudent) in this room.";
        public const string NoExperimentOnPage = "The page the presenter shows has no experiment to run.";
        public const string StudentQueueFull = "Too many students' runs are waiting; try again in a moment.";
    }

    /// <summary>This client address started its runs for the minute (<see cref="RunStartLimiter"/>).</summary>
    public sealed record TooMany() : LaunchResult
    {
        public const string Reason = "This address started too many runs in the last minute; wait a moment.";
    }

    /// <summary>Too many runs wait in this server's queue.</summary>
    public sealed record QueueFull() : LaunchResult
    {
        public const string Reason = "Too many runs are queued; try again in a moment.";
    }
}

/// <summary>
/// The one way in for a run, whoever asks (<c>POST /api/runs</c>, <c>POST /api/rooms/{code}/runs</c>, the hub's
/// <c>StartRun</c>): the request is validated, then queued by the <see cref="RunOrchestrator"/>.
/// </summary>
public sealed class RunLauncher(RunRequestValidator validator, RunOrchestrator orchestrator, RunStartLimiter limiter)
{
    /// <param name="room">Where the run goes when the request names no room: the caller's room.</param>
    /// <param name="client">The caller's address: runs per minute are counted per address.</param>
    /// <param name="ct">The caller gave up (its request or connection ended).</param>
    public async Task<LaunchResult> StartAsync(RunRequest request, string room, string client, CancellationToken ct)
    {
        // Validated first: a request that would not run (a teacher's typo in a curl command) says what is wrong and
        // does not spend one of the address's runs for the minute.
        if (!validator.TryValidate(request, room, out var valid, out var errors)) return new LaunchResult.Invalid(errors);
        if (!limiter.TryTake(client)) return new LaunchResult.TooMany();
        return await orchestrator.EnqueueAsync(valid!, ct);
    }
}
