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
}
