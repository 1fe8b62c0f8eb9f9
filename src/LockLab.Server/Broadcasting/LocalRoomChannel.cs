using LockLab.Server.Rooms;

namespace LockLab.Server.Broadcasting;

/// <summary>One server: each message goes straight to this server's pages in the room, through their own feeds.</summary>
public sealed class LocalRoomChannel(ViewerFeeds feeds, RoomConnections connections) : IRoomChannel
{
    public void Send(string room, string method, params object?[] args) => feeds.Send(connections.In(room), method, args);

    public void SendBigRun(string room, string method, object?[]? toEveryEvent, object?[]? toLatestOnly) =>
        feeds.SendSplit(connections.In(room), method, toEveryEvent, toLatestOnly);
}
