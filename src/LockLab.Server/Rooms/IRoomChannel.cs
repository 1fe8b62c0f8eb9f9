using LockLab.Contracts;

namespace LockLab.Server.Rooms;

/// <summary>
/// Sends a message to every page watching a room, wherever it is connected: the one way runs, page changes and
/// viewer counts reach rooms. Never waits for a page. Every page gets it through its own bounded feed on the server it
/// is connected to (<see cref="Broadcasting.LocalRoomChannel"/>); with several instances, by way of Redis
/// (<see cref="ScaleOut.RedisRoomChannel"/>). Messages to one room arrive in the order they were sent.
/// </summary>
public interface IRoomChannel
{
    void Send(string room, string method, params object?[] args);

    /// <summary>
    /// A big run's message (<see cref="LatestLines"/>), which differs by page: <paramref name="toEveryEvent"/> as the
    /// arguments for every connection that takes every event, <paramref name="toLatestOnly"/> for the pages that show
    /// only the latest lines; null sends that side nothing (a batch whose latest events are not due yet).
    /// </summary>
    void SendBigRun(string room, string method, object?[]? toEveryEvent, object?[]? toLatestOnly);
}
