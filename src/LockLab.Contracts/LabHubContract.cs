namespace LockLab.Contracts;

/// <summary>
/// The hub at <c>/hubs/lab</c>, as a page or any SignalR client calls it. The server's hub implements it; everyone else
/// names its methods with <c>nameof</c>, so that a renamed method cannot leave a caller behind.
/// </summary>
public interface ILabHub
{
    /// <summary>Joins a room (leaving the previous one) and returns what it shows now.</summary>
    Task<RoomState> JoinRoom(string room);

    /// <summary>From now on this connection is sent only a big run's latest events (<see cref="LatestLines"/>).</summary>
    bool ShowLatestOnly();

    /// <summary>A new classroom; needs the presenter key.</summary>
    Task<string> CreateRoom();

    /// <summary>Moves the room to a lesson page; needs the presenter key.</summary>
    Task SetPage(PageRequest request);

    ScenarioInfo[] GetScenarios();

    LabLimits GetLimits();

    /// <summary>Starts (or queues) a run; needs the presenter key.</summary>
    Task<RunInfo> StartRun(RunRequest request);

    /// <summary>Step mode: lets <paramref name="process"/> take its next step; needs the presenter key.</summary>
    Task StepRun(string runId, string process);

    /// <summary>Stops a run; needs the presenter key.</summary>
    Task StopRun(string runId);

    /// <summary>The presenter changes the joined room's settings (students may run or not); needs the presenter key.</summary>
    Task<RoomState> SetRoomSettings(RoomSettings settings);

    /// <summary>
    /// This connection belongs to a student of the joined room, known by <paramref name="studentId"/> (a random id the
    /// page keeps): their own runs stream to it. Called after each join; the id only groups a student's pages.
    /// </summary>
    Task<StudentSeat> JoinAsStudent(string studentId);

    /// <summary>A student runs the room page's experiment (their parameters, within the usual limits), when the room allows it.</summary>
    Task<RunInfo> StartStudentRun(RunRequest request);

    /// <summary>A student stops a run of their own, queued or running (nobody else's: that is the presenter's <see cref="StopRun"/>).</summary>
    Task StopStudentRun(string runId);

    /// <summary>The students' runs in the joined room, newest first; needs the presenter key.</summary>
    Task<RunInfo[]> GetStudentRuns();

    /// <summary>Shows a student's run to the whole room, as if the presenter had started it; needs the presenter key.</summary>
    Task<RunInfo> ShowRunToRoom(string runId);

    /// <summary>A run's events after sequence number <paramref name="after"/> (a page catching up after a reconnect).</summary>
    Task<RunEvent[]> GetEvents(string runId, long after);

    /// <summary>A run's latest <paramref name="count"/> events (a page joining a big run midway).</summary>
    Task<RunEvent[]> GetLatestEvents(string runId, int count);
}

/// <summary>What the server sends to everyone in a room.</summary>
public interface ILabClient
{
    Task RunStarted(RunInfo run);

    Task RunEvents(string runId, RunEvent[] events);

    Task RunCompleted(RunInfo run);

    /// <summary>The presenter moved the room to a lesson page: followers go there.</summary>
    Task PageChanged(string room, string lesson, int page);

    /// <summary>How many pages watch the room now.</summary>
    Task ViewersChanged(string room, int viewers);

    /// <summary>The presenter changed the room's settings (all of them, as they are now).</summary>
    Task RoomSettingsChanged(string room, RoomSettings settings);

    /// <summary>
    /// A student's run was queued, moved up the queue, started or ended: sent to that student's pages and to the room's
    /// presenter pages (their list of student runs).
    /// </summary>
    Task StudentRunChanged(RunInfo run);
}
