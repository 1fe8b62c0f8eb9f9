using System.Collections.Concurrent;

namespace LockLab.Server.Rooms;

/// <summary>
/// Which of this server's connections watch which room. Always local: a connection lives on the instance it is
/// connected to. (What a room shows, and how many watch it across instances, is the <see cref="IRoomDirectory"/>'s.)
/// </summary>
public sealed class RoomConnections
{
    private readonly ConcurrentDictionary<string, HashSet<string>> _byRoom = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _roomOfConnection = new(StringComparer.Ordinal);

    /// <summary>
    /// A connection watches <paramref name="room"/> (and no longer its previous room). Returns the rooms whose viewer
    /// counts changed.
    /// </summary>
    public IReadOnlyList<string> Join(string connectionId, string room)
    {
        var changed = new List<string>();
        if (_roomOfConnection.TryGetValue(connectionId, out var previous) && previous != room) changed.AddRange(Leave(connectionId));
        var target = _byRoom.GetOrAdd(room, _ => []);
        lock (target)
        {
            if (target.Add(connectionId)) changed.Add(room);
        }
        _roomOfConnection[connectionId] = room;
        return changed;
    }

    /// <summary>A connection went away. Returns the room whose viewer count changed, if any.</summary>
    public IReadOnlyList<string> Leave(string connectionId)
    {
        if (!_roomOfConnection.TryRemove(connectionId, out var room) || !_byRoom.TryGetValue(room, out var connections)) return [];
        lock (connections) connections.Remove(connectionId);
        return [room];
    }

    /// <summary>The connections watching <paramref name="room"/> now.</summary>
    public IReadOnlyList<string> In(string room)
    {
        if (!_byRoom.TryGetValue(room, out var connections)) return [];
        lock (connections) return connections.ToList();
    }

    /// <summary>Pages of this server watching <paramref name="room"/> now (cheap: no copy).</summary>
    public int Count(string room)
    {
        if (!_byRoom.TryGetValue(room, out var connections)) return 0;
        lock (connections) return connections.Count;
    }

    /// <summary>Rooms watched by at least one connection of this server, with how many (for the viewers metric).</summary>
    public IEnumerable<(string Room, int Viewers)> Counts()
    {
        foreach (var (room, connections) in _byRoom)
        {
            int viewers;
            lock (connections) viewers = connections.Count;
            if (viewers > 0) yield return (room, viewers);
        }
    }
}
