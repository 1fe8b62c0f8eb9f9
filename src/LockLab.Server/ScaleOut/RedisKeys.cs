using StackExchange.Redis;

namespace LockLab.Server.ScaleOut;

/// <summary>
/// Every Redis key and channel the lab uses, under the deployment's prefix (<c>LockLab:RedisChannelPrefix</c>):
/// two schools sharing one Redis server never see each other's rooms.
/// </summary>
public sealed class RedisKeys(string prefix)
{
    public string Prefix { get; } = prefix;

    /// <summary>The stream every room's messages go through, to every instance (<see cref="RedisRoomChannel"/>).</summary>
    public RedisKey RoomMessageLog => $"{Prefix}:room-message-log";

    /// <summary>Rung after each message added to <see cref="RoomMessageLog"/>: instances read it at once.</summary>
    public string RoomMessageBell => $"{Prefix}:room-messages";

    public RedisKey Rooms => $"{Prefix}:rooms";
    public RedisKey Room(string room) => $"{Prefix}:room:{room}";
    public RedisKey Viewers(string room) => $"{Prefix}:viewers:{room}";
    /// <summary>Student id → the number the room knows the student by ("Student 3").</summary>
    public RedisKey RoomStudents(string room) => $"{Prefix}:room-students:{room}";
    /// <summary>Room → when something last happened in it (Unix milliseconds): how idle rooms are found.</summary>
    public RedisKey RoomActivity => $"{Prefix}:room-activity";

    public RedisKey Instances => $"{Prefix}:instances";
    public RedisKey Heartbeat(string instance) => $"{Prefix}:instance:{instance}";

    public RedisKey Run(string runId) => $"{Prefix}:run:{runId}";
    public RedisKey RunEvents(string runId) => $"{Prefix}:run-events:{runId}";
    public RedisKey RoomRuns(string room) => $"{Prefix}:room-runs:{room}";
    /// <summary>Runs queued or running on some instance: run id → the instance executing it.</summary>
    public RedisKey UnfinishedRuns => $"{Prefix}:unfinished-runs";
    /// <summary>The runs holding one of the room's slots (<see cref="RedisRoomRunSlots"/>): run id → when its lease ends.</summary>
    public RedisKey RoomRunSlots(string room) => $"{Prefix}:room-run-slots:{room}";

    public RedisKey PresenterKey => $"{Prefix}:presenter-key";
    public RedisKey DataProtectionKeys => $"{Prefix}:data-protection-keys";
}
