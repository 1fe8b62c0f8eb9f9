using LockLab.Contracts;
using LockLab.Server.Runs;

namespace LockLab.Server.Rooms;

/// <summary>
/// The rooms as pages and endpoints see them: what each shows (lesson page, current and recent runs, viewers), who
/// watches it here, and the presenter's page changes. A room exists once it was created (a classroom code) or used
/// (a run or a viewer named it); <c>main</c> always exists.
/// </summary>
public sealed class RoomRegistry(
    IRoomDirectory directory, RoomConnections connections, RoomAudiences audiences, RunLookup runs, IRoomChannel channel,
    TimeProvider clock) : IRunObserver
{
    /// <summary>Rooms a deployment keeps at most: joining is open to anyone, so their number must be bounded.</summary>
    public const int MaxRooms = 10_000;

    /// <summary>Creates a classroom with a new code.</summary>
    public Task<string> CreateAsync() => directory.CreateAsync();

    public async Task<bool> ExistsAsync(string room) => room == RoomNames.Main || await directory.ExistsAsync(room);

    /// <summary>A room named by a run or a viewer comes into being.</summary>
    public void Touch(string room) => directory.Touch(room);

    /// <summary>A run accepted for a room brings the room into being (or keeps it alive: <see cref="RoomExpiry"/>).</summary>
    void IRunObserver.Follow(Run run)
    {
        Touch(run.Room);
        directory.MarkActive(run.Room, clock.GetUtcNow());
    }

    /// <summary>
    /// A connection watches <paramref name="room"/> (and no longer its previous room). Returns the rooms whose viewer
    /// counts changed. Only the presenter (<paramref name="mayOpen"/>) brings a room into being by joining it; anyone
    /// else joins rooms that exist, so a student cannot fill the lab with rooms of their own.
    /// </summary>
    /// <exception cref="RoomNotOpenException">No such room, and the caller may not open one.</exception>
    /// <exception cref="TooManyRoomsException">The room is new and the deployment already has <see cref="MaxRooms"/>.</exception>
    public async Task<IReadOnlyList<string>> JoinAsync(string connectionId, string room, bool mayOpen)
    {
        if (!await ExistsAsync(room))
        {
            if (!mayOpen) throw new RoomNotOpenException(room);
            await OpenNewAsync(room);
        }
        // The audiences of the room it was in are behind it; a student says again who they are (JoinAsStudent).
        audiences.LeaveAll(connectionId);
        if (mayOpen) audiences.Join(connectionId, RoomAudiences.PresentersOf(room));
        return connections.Join(connectionId, room);
    }

    /// <summary>The presenter opens a room under a name of their choice (when it exists: its idle time starts again).</summary>
    /// <exception cref="TooManyRoomsException">The deployment already has <see cref="MaxRooms"/>.</exception>
    public async Task OpenAsync(string room)
    {
        if (!await ExistsAsync(room)) await OpenNewAsync(room);
        else directory.MarkActive(room, clock.GetUtcNow());
    }

    private async Task OpenNewAsync(string room)
    {
        if (await directory.CountAsync() >= MaxRooms)
        {
            throw new TooManyRoomsException(MaxRooms);
        }
        await directory.OpenAsync(room);
    }

    /// <summary>The presenter closes a room: it no longer exists (pages in it stay, and may not rejoin). Not <c>main</c>.</summary>
    public Task<bool> CloseAsync(string room) => room == RoomNames.Main ? Task.FromResult(false) : directory.RemoveAsync(room);

    /// <summary>
    /// A connection went away. Returns the room whose viewer count changed, if any. A room's idle time counts from its
    /// last viewer's leaving (<see cref="RoomExpiry"/>).
    /// </summary>
    public IReadOnlyList<string> Leave(string connectionId)
    {
        audiences.LeaveAll(connectionId);
        var left = connections.Leave(connectionId);
        foreach (var room in left) directory.MarkActive(room, clock.GetUtcNow());
        return left;
    }

    /// <summary>Moves the room (and everyone following it) to a lesson page.</summary>
    public async Task ShowPageAsync(string room, string lesson, int page)
    {
        await directory.SetPageAsync(room, lesson, page);
        directory.MarkActive(room, clock.GetUtcNow());
        channel.Send(room, nameof(ILabClient.PageChanged), room, lesson, page);
    }

    /// <summary>Lets students run experiments in the room, or stops letting them; every page in the room is told.</summary>
    public async Task SetStudentsMayRunAsync(string room, bool allowed)
    {
        await directory.SetStudentsMayRunAsync(room, allowed);
        directory.MarkActive(room, clock.GetUtcNow());
        channel.Send(room, nameof(ILabClient.RoomSettingsChanged), room, new RoomSettings(allowed));
    }

    public Task<bool> StudentsMayRunAsync(string room) => directory.StudentsMayRunAsync(room);

    /// <summary>The lesson page the room shows: no lesson and page 1 until a presenter chose one.</summary>
    public Task<(string? Lesson, int Page)> PageOfAsync(string room) => directory.PageOfAsync(room);

    /// <summary>"Student 3": how the room labels a student's runs. Null when the room numbers as many students as it may.</summary>
    public async Task<string?> StudentLabelAsync(string room, string studentId) =>
        await directory.StudentNumberAsync(room, studentId) is { } number ? TextTemplates.Fill(StudentLabels.Numbered, number) : null;

    /// <summary>Pages watching the room, on every instance.</summary>
    public Task<int> ViewersAsync(string room) => directory.ViewersAsync(room, connections.Count(room));

    /// <summary>What the room shows; null when there is no such room.</summary>
    public async Task<RoomState?> FindAsync(string room) => await ExistsAsync(room) ? await StateAsync(room) : null;

    /// <summary>What a room known to exist (just joined, created or moved) shows: its page, its runs, its viewers.</summary>
    public async Task<RoomState> StateAsync(string room)
    {
        var shown = directory.PageOfAsync(room);
        var state = runs.RoomStateAsync(room);
        var viewers = ViewersAsync(room);
        var studentsMayRun = directory.StudentsMayRunAsync(room);
        // Independent reads: with Redis they share one round trip's wait instead of taking one each.
        var (lesson, page) = await shown;
        return await state with
        {
            Lesson = lesson, Page = page, Viewers = await viewers, StudentsMayRun = await studentsMayRun,
        };
    }
}

/// <summary>
/// The server side of the client's <see cref="LockLab.Client.Services.IRoomLookup"/>: no HTTP round trip while
/// prerendering. A room page tells whether a code exists, so it counts as a guess (<see cref="Security.RoomCodeGuesses"/>); a
/// refused caller's page says the room was not found, and the page's own lookup once it runs says why.
/// </summary>
public sealed class RegistryRoomLookup(RoomRegistry registry, Security.RoomCodeGuesses guesses, IHttpContextAccessor http)
    : LockLab.Client.Services.IRoomLookup
{
    public async Task<RoomState?> FindAsync(string code)
    {
        if (!RoomNames.IsValid(code)) return null;
        var context = http.HttpContext;
        if (context?.User.IsInRole(Security.PresenterKeyAuthenticationHandler.Role) == true) return await registry.FindAsync(code);
        // A page that runs on the server looks rooms up from its circuit, where the request may be gone: counted then
        // under one address for all such callers ("unknown"), never not at all.
        return (await guesses.AskAsync(Security.ClientAddress.Of(context), code, () => registry.FindAsync(code))).Found;
    }
}

/// <summary>A room that nobody with the presenter key has opened (or that was closed).</summary>
public sealed class RoomNotOpenException(string room) : Exception(TextTemplates.Fill(Text, room))
{
    /// <summary>The message (a 404's detail, the hub's error), {0} the room.</summary>
    public const string Text = "There is no room '{0}' open now. Check the code the presenter shows; only the presenter opens rooms.";
}

/// <summary>A new room when the deployment already has as many as it may (<see cref="RoomRegistry.MaxRooms"/>).</summary>
public sealed class TooManyRoomsException(int max) : Exception(TextTemplates.Fill(Text, max))
{
    /// <summary>The message (a 409's detail, the hub's error), {0} the limit.</summary>
    public const string Text = "This lab already has {0} rooms; close one or join an existing one.";
}
