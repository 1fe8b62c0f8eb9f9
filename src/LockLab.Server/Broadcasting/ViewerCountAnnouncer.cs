using System.Collections.Concurrent;
using LockLab.Contracts;
using LockLab.Server.Rooms;

namespace LockLab.Server.Broadcasting;

/// <summary>
/// Tells a room how many pages watch it, at most once per <see cref="Interval"/>. When a lecture hall opens the
/// room at once, announcing each join to everyone already there would cost n² messages (5,000 viewers: 12 million);
/// coalesced, it is a handful. A joining page does not wait for this: <c>JoinRoom</c> answers the count directly.
/// With several instances, each reports its own pages to the room directory and announces the total.
/// </summary>
public sealed class ViewerCountAnnouncer(
    IRoomChannel channel, IRoomDirectory directory, RoomConnections connections, ILogger<ViewerCountAnnouncer> logger)
{
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(250);

    private readonly ConcurrentDictionary<string, byte> _pending = new(StringComparer.Ordinal);

    public void Changed(IEnumerable<string> changedRooms)
    {
        foreach (var room in changedRooms)
        {
            // Reported at once, announced a moment later: whichever instance announces last then counts every page
            // that any instance reported before it, so the number the room settles on is the true one.
            Report(room);
            if (_pending.TryAdd(room, 0)) _ = AnnounceLaterAsync(room);
        }
    }

    private void Report(string room)
    {
        try
        {
            directory.ReportViewers(room, connections.Count(room));
        }
        catch (Exception ex)
        {
            logger.LogWarning(ex, "Could not report the viewers of room {Room}", room);
        }
    }

    private async Task AnnounceLaterAsync(string room)
    {
        await Task.Delay(Interval);
        // Unmark before reading the count: a change from here on schedules its own announcement.
        _pending.TryRemove(room, out _);
        try
        {
            Report(room); // again: two joins reported at once may have reached the directory in either order
            channel.Send(room, nameof(ILabClient.ViewersChanged), room, await directory.ViewersAsync(room, connections.Count(room)));
        }
        catch (Exception ex)
        {
            // A count is cosmetic: the next change announces again.
            logger.LogWarning(ex, "Could not announce the viewers of room {Room}", room);
        }
    }
}
