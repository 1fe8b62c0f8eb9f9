using LockLab.Contracts;

namespace LockLab.Server.Rooms;

/// <summary>
/// Sends a message to every page watching a room, wherever it is connected: the one way runs, page changes and
/// viewer counts reach rooms. Never waits for a page. One server writes to its own pages
/// (<see cref="Hubs.LocalRoomChannel"/>); several send through the SignalR Redis backplane
/// (<see cref="ScaleOut.BackplaneRoomChannel"/>). Messages to one room arrive in the order they were sent.
/// </summary>
public interface IRoomChannel
{
    void Send(string room, string method, params object?[] args);

    /// <summary>
    /// A big run's batch (<see cref="LatestLines"/>): <c>RunEvents(runId, events)</c> to every page that takes every
    /// event; to pages that show only the latest lines, <c>RunEvents(runId, latest)</c> instead, or nothing when
    /// <paramref name="latest"/> is null (their turn has not come).
    /// </summary>
    void SendEvents(string room, string runId, RunEvent[] events, RunEvent[]? latest);

    /// <summary>A big run's latest events, to the pages that show only those (the others have had them already).</summary>
    void SendLatest(string room, string runId, RunEvent[] latest);
}
