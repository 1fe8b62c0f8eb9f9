using System.Globalization;
using LockLab.Contracts;
using LockLab.Server.Broadcasting;
using LockLab.Server.Lessons;
using LockLab.Server.Localization;
using LockLab.Server.Rooms;
using LockLab.Server.Runs;
using LockLab.Server.Security;
using LockLab.Server.Students;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Localization;
using Microsoft.AspNetCore.SignalR;

namespace LockLab.Server.Hubs;

/// <summary>
/// <c>/hubs/lab</c>. Thin on purpose: a run outlives any connection, so it lives in <see cref="RunOrchestrator"/>
/// and reaches rooms through <see cref="RunBroadcaster"/>. Anyone may watch; starting a run needs the presenter key
/// (sent as the connection's access token).
/// </summary>
public sealed class LabHub(
    RunLookup runs,
    RunCommands commands,
    RunLauncher launcher,
    ScenarioCatalog scenarios,
    RoomRegistry rooms,
    LessonLibrary lessons,
    ViewerFeeds feeds,
    ViewerCountAnnouncer viewerCounts,
    ConnectionsPerAddress addresses,
    RoomCodeGuesses guesses,
    ProblemTranslation translation,
    StudentRuns students,
    RoomAudiences audiences) : Hub<ILabClient>, ILabHub
{
    public const string Path = "/hubs/lab";
    private const string RoomKey = "room";
    private const string AddressKey = "address";
    private const string CultureKey = "culture";
    private const string StudentKey = "student";

    /// <summary>The room this connection last joined; null before its first join.</summary>
    private string? JoinedRoom => Context.Items.TryGetValue(RoomKey, out var room) ? room as string : null;

    /// <summary>Joins a room (leaving the previous one) and returns what it shows now.</summary>
    public async Task<RoomState> JoinRoom(string room)
    {
        if (!RoomNames.IsValid(room)) throw Error(LabErrorCode.InvalidRequest, $"Invalid room '{room}'. {RoomNames.Rule}");
        if (!JoinAllowance.Of(Context).TryTake())
        {
            throw Error(LabErrorCode.NotNow, "This page changed rooms too often; wait a few seconds and try again.");
        }
        var presenter = Context.User?.IsInRole(PresenterKeyAuthenticationHandler.Role) == true;
        var address = Context.Items.TryGetValue(AddressKey, out var a) && a is string known ? known : "";
        if (!presenter && !guesses.MayAsk(address, room)) throw Error(LabErrorCode.NotNow, RoomCodeGuesses.Refusal);
        // Rooms are this lab's own (RoomConnections), not SignalR groups: every message reaches a page through its feed.
        try
        {
            viewerCounts.Changed(await rooms.JoinAsync(Context.ConnectionId, room, mayOpen: presenter));
        }
        catch (RoomNotOpenException notOpen)
        {
            guesses.Answered(address, room, exists: false);
            throw Error(LabErrorCode.NotFound, notOpen.Message);
        }
        catch (TooManyRoomsException full)
        {
            throw Error(LabErrorCode.RoomFull, full.Message);
        }
        if (!presenter) guesses.Answered(address, room, exists: true);
        Context.Items[RoomKey] = room;
        if (Context.ConnectionAborted.IsCancellationRequested)
        {
            // The page went away while the join awaited Redis, and its disconnect may already have been handled: it
            // must not stay counted as watching.
            viewerCounts.Changed(rooms.Leave(Context.ConnectionId));
        }
        // A page needs a summary's first lines only (RunSummary.ViewerListLimit).
        var state = await rooms.StateAsync(room);
        return state with
        {
            CurrentRun = state.CurrentRun?.ForViewers(),
            RecentRuns = state.RecentRuns.Select(r => r.ForViewers()).ToArray(),
        };
    }

    public override Task OnConnectedAsync()
    {
        var address = ClientAddress.Of(Context.GetHttpContext());
        if (!addresses.TryOpen(address))
        {
            throw Error(LabErrorCode.NotNow, "Too many connections from this address; close some pages and try again.");
        }
        Context.Items[AddressKey] = address;
        // The page's language, as its connection request carried it (the language cookie, Accept-Language): hub errors
        // are written in it.
        Context.Items[CultureKey] = Context.GetHttpContext()?.Features.Get<IRequestCultureFeature>()?.RequestCulture.UICulture;
        feeds.Open(Context);
        return base.OnConnectedAsync();
    }

    public override async Task OnDisconnectedAsync(Exception? exception)
    {
        if (Context.Items.TryGetValue(AddressKey, out var address) && address is string counted) addresses.Close(counted);
        feeds.Close(Context.ConnectionId);
        viewerCounts.Changed(rooms.Leave(Context.ConnectionId));
        await base.OnDisconnectedAsync(exception);
    }

    /// <summary>
    /// This connection shows a big run's latest lines only (<see cref="LatestLines"/>): from now on it is sent a big
    /// run's latest events ten times a second, not every event. Every other message, and every run that is not big,
    /// reaches it as before; catching up (<see cref="GetEvents"/>) and the run's record stay whole. Answers whether this
    /// server does so (this one always does, with several instances too; a page keeps reading an older one's batches).
    /// </summary>
    public bool ShowLatestOnly()
    {
        feeds.ShowLatestOnly(Context.ConnectionId);
        return true;
    }

    /// <summary>Creates a classroom and answers its code.</summary>
    [Authorize(Policy = PresenterKeyAuthenticationHandler.Policy)]
    public Task<string> CreateRoom() => rooms.CreateAsync();

    /// <summary>Moves everyone following the caller's room to a lesson page.</summary>
    [Authorize(Policy = PresenterKeyAuthenticationHandler.Policy)]
    public async Task SetPage(PageRequest request)
    {
        if (lessons.CheckPage(request) is { } errors)
        {
            throw Error(LabErrorCode.InvalidRequest, "Invalid page: " + Describe(errors));
        }
        var room = JoinedRoom ?? RoomNames.Main;
        await rooms.ShowPageAsync(room, request.Lesson!, request.Page ?? 1);
    }

    /// <summary>The scenarios with their defaults and limits (as <c>GET /api/scenarios</c>).</summary>
    public ScenarioInfo[] GetScenarios() => [.. scenarios.All];

    /// <summary>The server's limits on concurrency, volume and time (as <c>GET /api/limits</c>).</summary>
    public LabLimits GetLimits() => scenarios.Limits;

    /// <summary>Starts a run; without a room it goes to the caller's room (or <c>main</c>).</summary>
    [Authorize(Policy = PresenterKeyAuthenticationHandler.Policy)]
    public async Task<RunInfo> StartRun(RunRequest request)
    {
        if (request is null) throw Error(LabErrorCode.InvalidRequest, "A run request is required.");
        var client = ClientAddress.Of(Context.GetHttpContext());
        return ToRun(await launcher.StartAsync(request, JoinedRoom ?? RoomNames.Main, client, Context.ConnectionAborted));
    }

    /// <summary>The run a launch accepted, or the hub error that says why not.</summary>
    private RunInfo ToRun(LaunchResult result) =>
        result switch
        {
            LaunchResult.Accepted { Run: var run } => run,
            LaunchResult.Invalid { Errors: var errors } =>
                throw Error(LabErrorCode.InvalidRequest, "Invalid run request: " + Describe(errors)),
            LaunchResult.Refused { Code: var code, Reason: var reason } => throw Error(code, reason),
            LaunchResult.QueueFull => throw Error(LabErrorCode.QueueFull, LaunchResult.QueueFull.Reason),
            LaunchResult.TooMany => throw Error(LabErrorCode.NotNow, LaunchResult.TooMany.Reason),
            var other => throw new InvalidOperationException($"Unknown launch result {other}."),
        };

    /// <summary>Changes the joined room's settings: students may run experiments, or (switched off) their queued runs are cancelled.</summary>
    [Authorize(Policy = PresenterKeyAuthenticationHandler.Policy)]
    public async Task<RoomState> SetRoomSettings(RoomSettings settings)
    {
        if (settings?.StudentsMayRun is not { } allowed)
        {
            throw Error(LabErrorCode.InvalidRequest, "Say whether students may run experiments: {\"studentsMayRun\": true} or false.");
        }
        var room = JoinedRoom ?? RoomNames.Main;
        await students.SetAllowedAsync(room, allowed);
        return await rooms.StateAsync(room);
    }

    /// <summary>Which student of the joined room this connection is (a page's own random id): their runs stream to it.</summary>
    public async Task<StudentSeat> JoinAsStudent(string studentId)
    {
        if (!StudentIds.IsValid(studentId)) throw Error(LabErrorCode.InvalidRequest, StudentIds.Rule);
        if (JoinedRoom is not { } room) throw Error(LabErrorCode.NotNow, "Join a room first.");
        var label = await rooms.StudentLabelAsync(room, studentId)
            ?? throw Error(LabErrorCode.RoomFull, "This room has as many students as it can tell apart.");
        Context.Items[StudentKey] = (room, new StudentOwner(studentId, label));
        audiences.Join(Context.ConnectionId, RoomAudiences.StudentOf(room, studentId));
        return new StudentSeat(room, label, await students.OfAsync(room, new StudentOwner(studentId, label)));
    }

    /// <summary>A student runs the joined room's page experiment (their own parameters), when the presenter allows it.</summary>
    public async Task<RunInfo> StartStudentRun(RunRequest request)
    {
        if (request is null) throw Error(LabErrorCode.InvalidRequest, "A run request is required.");
        var (room, student) = Seat ?? throw Error(LabErrorCode.NotNow, LaunchResult.Refused.NotAStudentYet);
        var client = ClientAddress.Of(Context.GetHttpContext());
        return ToRun(await students.StartAsync(request, room, student, client, Context.ConnectionAborted));
    }

    /// <summary>A student stops a run of their own, queued or running.</summary>
    public async Task StopStudentRun(string runId)
    {
        if (!RunIds.IsValid(runId)) throw Error(LabErrorCode.InvalidRequest, RunIds.Described);
        var (room, student) = Seat ?? throw Error(LabErrorCode.NotNow, LaunchResult.Refused.NotAStudentYet);
        Check(await commands.StopOwnAsync(runId, room, student), runId);
    }

    /// <summary>The student this connection belongs to in the room it joined (<see cref="JoinAsStudent"/>); null before.</summary>
    private (string Room, StudentOwner Student)? Seat =>
        JoinedRoom is { } room && Context.Items.TryGetValue(StudentKey, out var seat)
        && seat is (string seatRoom, StudentOwner student) && seatRoom == room
            ? (room, student)
            : null;

    /// <summary>The students' runs in the joined room, newest first.</summary>
    [Authorize(Policy = PresenterKeyAuthenticationHandler.Policy)]
    public Task<RunInfo[]> GetStudentRuns() => students.InRoomAsync(JoinedRoom ?? RoomNames.Main);

    /// <summary>Shows a student's run to everyone in the joined room, the projector included.</summary>
    [Authorize(Policy = PresenterKeyAuthenticationHandler.Policy)]
    public async Task<RunInfo> ShowRunToRoom(string runId) =>
        (await commands.ShowToRoomAsync(runId ?? "", JoinedRoom ?? RoomNames.Main)).Run
        ?? throw Error(LabErrorCode.NotFound, $"No run '{runId}'.");

    /// <summary>Step mode: lets <paramref name="process"/> take its next step in the run.</summary>
    [Authorize(Policy = PresenterKeyAuthenticationHandler.Policy)]
    public async Task StepRun(string runId, string process) => Check(await commands.StepAsync(runId ?? "", process ?? ""), runId);

    /// <summary>Stops a queued or running run.</summary>
    [Authorize(Policy = PresenterKeyAuthenticationHandler.Policy)]
    public async Task StopRun(string runId) => Check(await commands.StopAsync(runId ?? ""), runId);

    private void Check(RunCommandResult result, string? runId)
    {
        if (!result.Found) throw Error(LabErrorCode.NotFound, $"No run '{runId}'.");
        if (result.Refusal is { } refusal) throw Error(LabErrorCode.NotNow, refusal);
    }

    /// <summary>A hub error a page can act on: its code and its sentence (<see cref="LabError"/>), in the page's language.</summary>
    private HubException Error(LabErrorCode code, string message) =>
        new(new LabError(code, translation.Translate(message, PageCulture)).ToHubMessage());

    /// <summary>Each field and what is wrong with it, the latter in the page's language (<see cref="Error"/> translates
    /// the sentence around them).</summary>
    private string Describe(IDictionary<string, string[]> errors)
    {
        translation.TranslateErrors(errors, PageCulture);
        return string.Join(" ", errors.Select(e => $"{e.Key}: {string.Join(" ", e.Value)}"));
    }

    private CultureInfo? PageCulture => Context.Items.TryGetValue(CultureKey, out var c) ? c as CultureInfo : null;

    /// <summary>A run's events after <paramref name="after"/>: how a client that joined late or reconnected catches up.</summary>
    public async Task<RunEvent[]> GetEvents(string runId, long after)
    {
        if (after < 0) throw Error(LabErrorCode.InvalidRequest, "'after' must be 0 or more.");
        return await runs.EventsAfterAsync(runId ?? "", after, RunBroadcaster.MaxBatch * 10)
            ?? throw Error(LabErrorCode.NotFound, $"No run '{runId}'.");
    }

    /// <summary>Most events <see cref="GetLatestEvents"/> answers with.</summary>
    public const int MaxLatestEvents = 1000;

    /// <summary>
    /// A run's last <paramref name="count"/> events: where a page that shows only the latest lines of a big run starts
    /// (catching up with millions of events is what it must not do).
    /// </summary>
    public async Task<RunEvent[]> GetLatestEvents(string runId, int count)
    {
        if (count is < 1 or > MaxLatestEvents)
        {
            throw Error(LabErrorCode.InvalidRequest, $"'count' must be between 1 and {MaxLatestEvents}.");
        }
        return await runs.LatestEventsAsync(runId ?? "", count) ?? throw Error(LabErrorCode.NotFound, $"No run '{runId}'.");
    }
}

/// <summary>
/// Room joins one connection may make: a page joins once and again after each reconnect or room change, so a burst of
/// <see cref="Burst"/> and then one every <see cref="Every"/> is plenty; a script trying room names is held to that.
/// </summary>
internal sealed class JoinAllowance
{
    public const int Burst = 10;
    public static readonly TimeSpan Every = TimeSpan.FromSeconds(2);
    private const string Key = "join-allowance";

    private double _joins = Burst;
    private long _at = System.Diagnostics.Stopwatch.GetTimestamp();

    public static JoinAllowance Of(HubCallerContext context)
    {
        lock (context.Items)
        {
            if (context.Items.TryGetValue(Key, out var existing) && existing is JoinAllowance allowance) return allowance;
            var created = new JoinAllowance();
            context.Items[Key] = created;
            return created;
        }
    }

    public bool TryTake()
    {
        lock (this)
        {
            var now = System.Diagnostics.Stopwatch.GetTimestamp();
            _joins = Math.Min(Burst, _joins + System.Diagnostics.Stopwatch.GetElapsedTime(_at, now) / Every);
            _at = now;
            if (_joins < 1) return false;
            _joins -= 1;
            return true;
        }
    }
}
