using LockLab.Contracts;

namespace LockLab.Client.Services;

/// <summary>Finds a room by code: in the server's registry while prerendering, over HTTP in the browser.</summary>
public interface IRoomLookup
{
    /// <returns>The room's state, or null when there is no such room (or the code is malformed).</returns>
    Task<RoomState?> FindAsync(string code);
}

public sealed class HttpRoomLookup(LabApi api) : IRoomLookup
{
    public Task<RoomState?> FindAsync(string code) =>
        api.GetAsync($"api/rooms/{Uri.EscapeDataString(code)}", ClientJsonContext.Default.RoomState, missing: [404, 400]);
}
