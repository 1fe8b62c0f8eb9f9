using LockLab.Server.Rooms;

namespace LockLab.Server.Broadcasting;

/// <summary>
/// One server: each message goes straight to this server's pages in the room (or in one of its audiences: a student's
/// pages, the presenter's, <see cref="RoomAudiences"/>), through their own feeds.
/// </summary>
public sealed class LocalRoomChannel(ViewerFeeds feeds, RoomConnections connections, RoomAudiences audiences) : IRoomChannel
{
    public void Send(string room, string method, params object?[] args) => feeds.Send(PagesOf(room), method, args);

    public void SendBigRun(string room, string method, object?[]? toEveryEvent, object?[]? toLatestOnly) =>
        feeds.SendSplit(PagesOf(room), method, toEveryEvent, toLatestOnly);

    private IReadOnlyList<string> PagesOf(string roomOrAudience) =>
        RoomAudiences.IsAudience(roomOrAudience) ? audiences.In(roomOrAudience) : connections.In(roomOrAudience);
}
