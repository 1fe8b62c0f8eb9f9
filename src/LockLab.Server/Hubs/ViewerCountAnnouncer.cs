using System.Collections.Concurrent;
using LockLab.Server.Rooms;

namespace LockLab.Server.Hubs;

/// <summary>
/// Tells a room how many pages watch it, at most once per <see cref="Interval"/>. When a lecture hall opens the
/// room at once, announcing each join to everyone already there would cost n² messages (5,000 viewers: 12 million);
/// coalesced, it is a handful. A joining page does not wait for this: <c>JoinRoom</c> answers the count directly.
/// </summary>
public sealed class ViewerCountAnnouncer(ViewerFeeds feeds, RoomRegistry rooms)
{
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(250);

    private readonly ConcurrentDictionary<string, byte> _pending = new(StringComparer.Ordinal);

    public void Changed(IEnumerable<string> changedRooms)
    {
        foreach (var room in changedRooms)
        {
            if (_pending.TryAdd(room, 0)) _ = AnnounceLaterAsync(room);
        }
    }

    private async Task AnnounceLaterAsync(string room)
    {
        await Task.Delay(Interval);
        // Unmark before reading the count: a change from here on schedules its own announcement.
        _pending.TryRemove(room, out _);
        if (rooms.State(room) is { } state) feeds.Send(rooms.ConnectionsIn(room), nameof(ILabClient.ViewersChanged), room, state.Viewers);
    }
}
