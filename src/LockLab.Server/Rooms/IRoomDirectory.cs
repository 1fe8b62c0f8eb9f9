using LockLab.Contracts;

namespace LockLab.Server.Rooms;

/// <summary>
/// The rooms of the deployment and what each shows: which exist, the lesson page the presenter put up, how many pages
/// watch. One server keeps it in memory (<see cref="InMemoryRoomDirectory"/>); several behind a load balancer share
/// it in Redis (<see cref="ScaleOut.RedisRoomDirectory"/>), so that a room created on one is open on all.
/// </summary>
public interface IRoomDirectory
{
    // Reads and writes that wait for an answer are asynchronous: with Redis, a join of a lecture hall's worth of pages
    // blocking a thread each on a round trip starves the thread pool that completes those very round trips.

    /// <summary>Creates a classroom with a new, unused code.</summary>
    Task<string> CreateAsync();

    Task<bool> ExistsAsync(string room);

    /// <summary>A room named by a run or a viewer comes into being (no-op when it exists).</summary>
    void Touch(string room);

    /// <summary>
    /// The presenter opens a room (no-op when it exists): done once the room exists for every instance, so that a page
    /// sent to it at once, on any instance, may join.
    /// </summary>
    Task OpenAsync(string room);

    /// <summary>Removes a room and what it shows; false when there was none.</summary>
    Task<bool> RemoveAsync(string room);

    /// <summary>How many rooms exist (their number is bounded).</summary>
    Task<long> CountAsync();

    Task SetPageAsync(string room, string lesson, int page);

    /// <summary>The page the room shows: no lesson and page 1 until a presenter chose one.</summary>
    Task<(string? Lesson, int Page)> PageOfAsync(string room);

    /// <summary>Whether students may run experiments in the room (its <see cref="RoomSettings"/>); false until a presenter allows it.</summary>
    Task<bool> StudentsMayRunAsync(string room);

    Task SetStudentsMayRunAsync(string room, bool allowed);

    /// <summary>
    /// The number the room knows a student by ("Student 3"): given in order of first asking, kept for the room's life.
    /// Null when the room already numbers <see cref="MaxStudentsPerRoom"/> students.
    /// </summary>
    Task<int?> StudentNumberAsync(string room, string studentId);

    /// <summary>Students one room numbers at most: ids are made by pages, so their number must be bounded.</summary>
    const int MaxStudentsPerRoom = 1000;

    /// <summary>This server has <paramref name="here"/> pages watching <paramref name="room"/> now.</summary>
    void ReportViewers(string room, int here);

    /// <summary>Pages watching <paramref name="room"/> on every instance, given that this one has <paramref name="here"/>.</summary>
    Task<int> ViewersAsync(string room, int here);

    /// <summary>
    /// Something happened in the room at <paramref name="at"/> (it was opened, a page watched it, a run was on): its idle
    /// time starts again. A later mark wins; an earlier one is ignored.
    /// </summary>
    void MarkActive(string room, DateTimeOffset at);

    /// <summary>Rooms other than <c>main</c> in which nothing has happened since before <paramref name="cutoff"/>.</summary>
    Task<IReadOnlyList<string>> IdleSinceAsync(DateTimeOffset cutoff);
}

/// <summary>The rooms of a single server, in its memory: the embedded default.</summary>
public sealed class InMemoryRoomDirectory(TimeProvider clock) : IRoomDirectory
{
    private sealed class Room(DateTimeOffset openedAt)
    {
        public string? Lesson;
        public int Page = 1;
        public DateTimeOffset ActiveAt = openedAt;
        public bool StudentsMayRun;
        public readonly Dictionary<string, int> Students = new(StringComparer.Ordinal);
    }

    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, Room> _rooms = new(StringComparer.Ordinal)
    {
        [RoomNames.Main] = new Room(clock.GetUtcNow()),
    };

    private Room NewRoom(string _) => new(clock.GetUtcNow());

    public Task<string> CreateAsync()
    {
        while (true)
        {
            var code = RoomNames.NewCode();
            if (_rooms.TryAdd(code, NewRoom(code))) return Task.FromResult(code);
        }
    }

    public Task<bool> ExistsAsync(string room) => Task.FromResult(_rooms.ContainsKey(room));

    public void Touch(string room) => _rooms.GetOrAdd(room, NewRoom);

    public Task OpenAsync(string room)
    {
        Touch(room);
        return Task.CompletedTask;
    }

    public Task<bool> RemoveAsync(string room) => Task.FromResult(_rooms.TryRemove(room, out _));

    public Task<long> CountAsync() => Task.FromResult((long)_rooms.Count);

    public Task SetPageAsync(string room, string lesson, int page)
    {
        var r = _rooms.GetOrAdd(room, NewRoom);
        lock (r) (r.Lesson, r.Page) = (lesson, page);
        return Task.CompletedTask;
    }

    public Task<(string? Lesson, int Page)> PageOfAsync(string room)
    {
        if (!_rooms.TryGetValue(room, out var r)) return Task.FromResult<(string?, int)>((null, 1));
        lock (r) return Task.FromResult<(string?, int)>((r.Lesson, r.Page));
    }

    public Task<bool> StudentsMayRunAsync(string room)
    {
        if (!_rooms.TryGetValue(room, out var r)) return Task.FromResult(false);
        lock (r) return Task.FromResult(r.StudentsMayRun);
    }

    public Task SetStudentsMayRunAsync(string room, bool allowed)
    {
        var r = _rooms.GetOrAdd(room, NewRoom);
        lock (r) r.StudentsMayRun = allowed;
        return Task.CompletedTask;
    }

    public Task<int?> StudentNumberAsync(string room, string studentId)
    {
        var r = _rooms.GetOrAdd(room, NewRoom);
        lock (r)
        {
            if (r.Students.TryGetValue(studentId, out var known)) return Task.FromResult<int?>(known);
            if (r.Students.Count >= IRoomDirectory.MaxStudentsPerRoom) return Task.FromResult<int?>(null);
            var number = r.Students.Count + 1;
            r.Students[studentId] = number;
            return Task.FromResult<int?>(number);
        }
    }

    public void ReportViewers(string room, int here)
    {
    }

    public Task<int> ViewersAsync(string room, int here) => Task.FromResult(here);

    public void MarkActive(string room, DateTimeOffset at)
    {
        if (!_rooms.TryGetValue(room, out var r)) return;
        lock (r) if (at > r.ActiveAt) r.ActiveAt = at;
    }

    public Task<IReadOnlyList<string>> IdleSinceAsync(DateTimeOffset cutoff)
    {
        var idle = new List<string>();
        foreach (var (name, r) in _rooms)
        {
            if (name == RoomNames.Main) continue;
            lock (r) if (r.ActiveAt < cutoff) idle.Add(name);
        }
        return Task.FromResult<IReadOnlyList<string>>(idle);
    }
}
