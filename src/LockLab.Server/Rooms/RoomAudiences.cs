using System.Collections.Concurrent;

namespace LockLab.Server.Rooms;

/// <summary>
/// Parts of a room that are sent news the rest of it is not: one student's pages (their own runs) and the presenter's
/// pages (the list of students' runs). An audience is named like a room, with a name no room can have (a room name
/// starts with a letter or digit), so that it travels the rooms' one delivery path (<see cref="IRoomChannel"/>, through
/// Redis to every instance too) and each instance hands it to its own connections of that audience.
/// Which connections belong to which audience is this server's alone, as <see cref="RoomConnections"/> is.
/// </summary>
public sealed class RoomAudiences
{
    private const char Mark = '~';

    /// <summary>The pages of one student of <paramref name="room"/>, known by the id their page keeps.</summary>
    public static string StudentOf(string room, string studentId) => $"{Mark}student/{room}/{studentId}";

    /// <summary>The pages in <paramref name="room"/> that hold the presenter key.</summary>
    public static string PresentersOf(string room) => $"{Mark}presenters/{room}";

    /// <summary>Whether <paramref name="name"/> names an audience rather than a whole room.</summary>
    public static bool IsAudience(string name) => name.StartsWith(Mark);

    private readonly ConcurrentDictionary<string, HashSet<string>> _byAudience = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, HashSet<string>> _ofConnection = new(StringComparer.Ordinal);

    public void Join(string connectionId, string audience)
    {
        var members = _byAudience.GetOrAdd(audience, _ => []);
        lock (members) members.Add(connectionId);
        var joined = _ofConnection.GetOrAdd(connectionId, _ => []);
        lock (joined) joined.Add(audience);
    }

    /// <summary>The connection left its room (for another, or for good): it belongs to none of that room's audiences.</summary>
    public void LeaveAll(string connectionId)
    {
        if (!_ofConnection.TryRemove(connectionId, out var joined)) return;
        string[] audiences;
        lock (joined) audiences = [.. joined];
        foreach (var audience in audiences)
        {
            if (!_byAudience.TryGetValue(audience, out var members)) continue;
            lock (members)
            {
                members.Remove(connectionId);
                // An empty audience is dropped: students come and go, and their ids must not pile up here.
                if (members.Count == 0) _byAudience.TryRemove(new KeyValuePair<string, HashSet<string>>(audience, members));
            }
        }
    }

    /// <summary>This server's connections in <paramref name="audience"/> now.</summary>
    public IReadOnlyList<string> In(string audience)
    {
        if (!_byAudience.TryGetValue(audience, out var members)) return [];
        lock (members) return [.. members];
    }
}
