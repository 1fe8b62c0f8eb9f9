using System.Collections.Concurrent;
using LockLab.Contracts;
using LockLab.Server.Runs;

namespace LockLab.Server.Rooms;

/// <summary>
/// The rooms of this server: which lesson page each shows and which connections watch it. A room exists once it
/// was created (a classroom code) or used (a run or a viewer named it); <c>main</c> always exists.
/// </summary>
public sealed class RoomRegistry(RunStore runs)
{
    private sealed class Room(string name)
    {
        public string Name { get; } = name;
        public string? Lesson;
        public int Page = 1;
        public readonly HashSet<string> Connections = [];
    }

    private readonly ConcurrentDictionary<string, Room> _rooms = new(StringComparer.Ordinal)
    {
        [RoomNames.Main] = new Room(RoomNames.Main),
    };
    private readonly ConcurrentDictionary<string, string> _roomOfConnection = new(StringComparer.Ordinal);

    /// <summary>Creates a classroom with a new code.</summary>
    public string Create()
    {
        while (true)
        {
            var code = RoomNames.NewCode();
            if (_rooms.TryAdd(code, new Room(code))) return code;
        }
    }

    public bool Exists(string room) => _rooms.ContainsKey(room);

    /// <summary>A room named by a run or a viewer comes into being.</summary>
    public void Touch(string room) => _rooms.GetOrAdd(room, name => new Room(name));

    /// <summary>Rooms a server keeps at most: joining is open to anyone, so their number must be bounded.</summary>
    public const int MaxRooms = 10_000;

    /// <summary>A connection watches <paramref name="room"/> (and no longer its previous room). Returns the rooms whose viewer counts changed.</summary>
    /// <exception cref="InvalidOperationException">The room is new and the server already has <see cref="MaxRooms"/>.</exception>
    public IReadOnlyList<string> Join(string connectionId, string room)
    {
        if (!_rooms.ContainsKey(room) && _rooms.Count >= MaxRooms)
        {
            throw new InvalidOperationException($"This server already has {MaxRooms} rooms; join an existing one.");
        }
        var changed = new List<string>();
        if (_roomOfConnection.TryGetValue(connectionId, out var previous) && previous != room) changed.AddRange(Leave(connectionId));
        var target = _rooms.GetOrAdd(room, name => new Room(name));
        lock (target)
        {
            if (target.Connections.Add(connectionId)) changed.Add(room);
        }
        _roomOfConnection[connectionId] = room;
        return changed;
    }

    /// <summary>A connection went away. Returns the room whose viewer count changed, if any.</summary>
    public IReadOnlyList<string> Leave(string connectionId)
    {
        if (!_roomOfConnection.TryRemove(connectionId, out var room) || !_rooms.TryGetValue(room, out var r)) return [];
        lock (r) r.Connections.Remove(connectionId);
        return [room];
    }

    /// <summary>The connections watching <paramref name="room"/> now.</summary>
    public IReadOnlyList<string> ConnectionsIn(string room)
    {
        if (!_rooms.TryGetValue(room, out var r)) return [];
        lock (r) return r.Connections.ToList();
    }

    /// <summary>Rooms watched by at least one connection, with how many (for the viewers metric).</summary>
    public IEnumerable<(string Room, int Viewers)> ViewerCounts()
    {
        foreach (var r in _rooms.Values)
        {
            int viewers;
            lock (r) viewers = r.Connections.Count;
            if (viewers > 0) yield return (r.Name, viewers);
        }
    }

    public void SetPage(string room, string lesson, int page)
    {
        var r = _rooms.GetOrAdd(room, name => new Room(name));
        lock (r)
        {
            r.Lesson = lesson;
            r.Page = page;
        }
    }

    /// <summary>Pages watching <paramref name="room"/> now (cheap: no copy).</summary>
    public int ViewerCount(string room)
    {
        if (!_rooms.TryGetValue(room, out var r)) return 0;
        lock (r) return r.Connections.Count;
    }

    public RoomState? State(string room)
    {
        if (!_rooms.TryGetValue(room, out var r)) return null;
        var runState = runs.RoomState(room);
        lock (r) return runState with { Lesson = r.Lesson, Page = r.Page, Viewers = r.Connections.Count };
    }
}

/// <summary>The server side of the client's <see cref="LockLab.Client.Services.IRoomLookup"/>: no HTTP round trip while prerendering.</summary>
public sealed class RegistryRoomLookup(RoomRegistry registry) : LockLab.Client.Services.IRoomLookup
{
    public Task<RoomState?> FindAsync(string code) => Task.FromResult(RoomNames.IsValid(code) ? registry.State(code) : null);
}
