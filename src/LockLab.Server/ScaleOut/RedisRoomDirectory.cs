using LockLab.Contracts;
using LockLab.Server.Rooms;
using LockLab.Server.Runs;
using StackExchange.Redis;

namespace LockLab.Server.ScaleOut;

/// <summary>
/// The rooms of a deployment of several instances, in Redis: a set of room names, a hash per room (lesson, page) and
/// a hash per room of pages watching it per instance (a dead instance's entry is removed by <see cref="InstanceLiveness"/>),
/// and a sorted set of when something last happened in each room (for <see cref="RoomExpiry"/>).
/// </summary>
public sealed class RedisRoomDirectory(IConnectionMultiplexer redis, RedisKeys keys, LabInstance instance, TimeProvider clock)
    : IRoomDirectory
{
    private IDatabase Db => redis.GetDatabase();

    private double Now => clock.GetUtcNow().ToUnixTimeMilliseconds();

    public async Task<string> CreateAsync()
    {
        while (true)
        {
            var code = RoomNames.NewCode();
            if (!await Db.SetAddAsync(keys.Rooms, code)) continue;
            Db.SortedSetAdd(keys.RoomActivity, code, Now, SortedSetWhen.NotExists, CommandFlags.FireAndForget);
            return code;
        }
    }

    public Task<bool> ExistsAsync(string room) => Db.SetContainsAsync(keys.Rooms, room);

    public void Touch(string room)
    {
        Db.SetAdd(keys.Rooms, room, CommandFlags.FireAndForget);
        Db.SortedSetAdd(keys.RoomActivity, room, Now, SortedSetWhen.NotExists, CommandFlags.FireAndForget);
    }

    public Task OpenAsync(string room) =>
        Task.WhenAll(Db.SetAddAsync(keys.Rooms, room), Db.SortedSetAddAsync(keys.RoomActivity, room, Now, SortedSetWhen.NotExists));

    public Task<long> CountAsync() => Db.SetLengthAsync(keys.Rooms);

    public async Task<bool> RemoveAsync(string room)
    {
        var removed = await Db.SetRemoveAsync(keys.Rooms, room);
        await Db.KeyDeleteAsync([keys.Room(room), keys.Viewers(room), keys.RoomStudents(room)]);
        await Db.SortedSetRemoveAsync(keys.RoomActivity, room);
        return removed;
    }

    public void MarkActive(string room, DateTimeOffset at) =>
        // GT: only ever later. Marks of rooms that were removed meanwhile are dropped by the next sweep's check.
        Db.SortedSetAdd(keys.RoomActivity, room, at.ToUnixTimeMilliseconds(), SortedSetWhen.GreaterThan, CommandFlags.FireAndForget);

    public async Task<IReadOnlyList<string>> IdleSinceAsync(DateTimeOffset cutoff)
    {
        // A room made before rooms' activity was kept (or whose mark was lost) starts its idle time now.
        var rooms = await Db.SetMembersAsync(keys.Rooms);
        if (rooms.Length > 0)
        {
            var now = Now;
            await Db.SortedSetAddAsync(keys.RoomActivity, [.. rooms.Select(r => new SortedSetEntry(r, now))], SortedSetWhen.NotExists);
        }
        var idle = await Db.SortedSetRangeByScoreAsync(
            keys.RoomActivity, double.NegativeInfinity, cutoff.ToUnixTimeMilliseconds(), Exclude.Stop);
        var names = idle.Select(r => (string)r!).Where(r => r != RoomNames.Main).ToList();
        var open = rooms.Select(r => (string)r!).ToHashSet(StringComparer.Ordinal);
        // Marks of rooms no longer in the set (a mark racing a removal) are tidied away here.
        var gone = names.Where(r => !open.Contains(r)).ToArray();
        if (gone.Length > 0) await Db.SortedSetRemoveAsync(keys.RoomActivity, [.. gone.Select(r => (RedisValue)r)]);
        return [.. names.Except(gone)];
    }

    public async Task SetPageAsync(string room, string lesson, int page)
    {
        var batch = Db.CreateBatch();
        var add = batch.SetAddAsync(keys.Rooms, room);
        var set = batch.HashSetAsync(keys.Room(room), [new("lesson", lesson), new("page", page)]);
        _ = batch.SortedSetAddAsync(keys.RoomActivity, room, Now, SortedSetWhen.NotExists, CommandFlags.FireAndForget);
        batch.Execute();
        await Task.WhenAll(add, set);
    }

    public async Task<(string? Lesson, int Page)> PageOfAsync(string room)
    {
        var values = await Db.HashGetAsync(keys.Room(room), ["lesson", "page"]);
        // A missing field is RedisValue.Null, which TryParse reads as 0: a room no presenter moved yet shows page 1.
        return (values[0].IsNull ? null : (string?)values[0], !values[1].IsNull && values[1].TryParse(out int page) ? page : 1);
    }

    public async Task<bool> StudentsMayRunAsync(string room)
    {
        var value = await Db.HashGetAsync(keys.Room(room), "studentsMayRun");
        return !value.IsNull && value == 1;
    }

    public async Task SetStudentsMayRunAsync(string room, bool allowed)
    {
        var batch = Db.CreateBatch();
        var add = batch.SetAddAsync(keys.Rooms, room);
        var set = batch.HashSetAsync(keys.Room(room), "studentsMayRun", allowed ? 1 : 0);
        batch.Execute();
        await Task.WhenAll(add, set);
    }

    /// <summary>KEYS[1]: the room's students; ARGV: student id, most students. The student's number, new ones in order; 0 when full.</summary>
    private const string NumberStudent = """
        local known = redis.call('HGET', KEYS[1], ARGV[1])
        if known then return tonumber(known) end
        local count = redis.call('HLEN', KEYS[1])
        if count >= tonumber(ARGV[2]) then return 0 end
        redis.call('HSET', KEYS[1], ARGV[1], count + 1)
        return count + 1
        """;

    public async Task<int?> StudentNumberAsync(string room, string studentId)
    {
        // One script: two pages of different students asking at once on two instances still get different numbers.
        var number = (int)await Db.ScriptEvaluateAsync(NumberStudent, [keys.RoomStudents(room)],
            [studentId, IRoomDirectory.MaxStudentsPerRoom]);
        return number > 0 ? number : null;
    }

    public void ReportViewers(string room, int here)
    {
        // Fire and forget: a join must not wait for Redis; commands on the one connection still reach it in order.
        if (here > 0) Db.HashSet(keys.Viewers(room), instance.Id, here, flags: CommandFlags.FireAndForget);
        else Db.HashDelete(keys.Viewers(room), instance.Id, CommandFlags.FireAndForget);
    }

    public async Task<int> ViewersAsync(string room, int here)
    {
        var others = (await Db.HashGetAllAsync(keys.Viewers(room))).Where(e => e.Name != instance.Id).Sum(e => (int)e.Value);
        return others + here;
    }
}
