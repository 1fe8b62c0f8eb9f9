using System.Net;
using System.Net.Http.Json;
using LockLab.Contracts;

namespace LockLab.Client.Services;

/// <summary>Finds a room by code: in the server's registry while prerendering, over HTTP in the browser.</summary>
public interface IRoomLookup
{
    /// <returns>The room's state, or null when there is no such room (or the code is malformed).</returns>
    Task<RoomState?> FindAsync(string code);
}

public sealed class HttpRoomLookup(HttpClient http) : IRoomLookup
{
    public async Task<RoomState?> FindAsync(string code)
    {
        using var response = await http.GetAsync($"api/rooms/{Uri.EscapeDataString(code)}");
        if (response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.BadRequest) return null;
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync(ContractsJsonContext.Default.RoomState);
    }
}
