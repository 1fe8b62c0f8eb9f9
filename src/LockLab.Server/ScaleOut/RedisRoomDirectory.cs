using LockLab.Server.Rooms;
using StackExchange.Redis;

namespace LockLab.Server.ScaleOut;

/// <summary>
/// The rooms of a deployment of several instances, in Redis: a set of room names, a hash per room (lesson, page) and
/// a hash per room of pages watching it per instance (a dead instance's entry is removed by <see cref="InstanceLiveness"/>).
/// </summary>
public sealed class RedisRoomDirectory(IConnectionMultiplexer redis, RedisKeys keys, LabInstance instance) : IRoomDirectory
{
    private IDatabase Db => redis.GetDatabase();

    public string Create()
    {
        while (true)
        {
            var code = RoomNames.NewCode();
            if (Db.SetAdd(keys.Rooms, code)) return code;
        }
    }

    public bool Exists(string room) => Db.SetContains(keys.Rooms, room);

    public void Touch(string room) => Db.SetAdd(keys.Rooms, room, CommandFlags.FireAndForget);

    public long Count => Db.SetLength(keys.Rooms);

    public void SetPage(string room, string lesson, int page)
    {
        var batch = Db.CreateBatch();
        _ = batch.SetAddAsync(keys.Rooms, room);
        var set = batch.HashSetAsync(keys.Room(room), [new("lesson", lesson), new("page", page)]);
        batch.Execute();
        set.GetAwaiter().GetResult();
    }

    public (string? Lesson, int Page) PageOf(string room)
    {
        var values = Db.HashGet(keys.Room(room), ["lesson", "page"]);
        return (values[0].IsNull ? null : (string?)values[0], values[1].TryParse(out int page) ? page : 1);
    }

    public void ReportViewers(string room, int here)
    {
        // Fire and forget: a join must not wait for Redis; commands on the one connection still reach it in order.
        if (here > 0) Db.HashSet(keys.Viewers(room), instance.Id, here, flags: CommandFlags.FireAndForget);
        else Db.HashDelete(keys.Viewers(room), instance.Id, CommandFlags.FireAndForget);
    }

    public int Viewers(string room, int here)
    {
        var others = Db.HashGetAll(keys.Viewers(room)).Where(e => e.Name != instance.Id).Sum(e => (int)e.Value);
        return others + here;
    }
}
