namespace LockLab.Server.Runs;

/// <summary>
/// A room's share of runs (<c>LockLab:Limits:MaxActiveRunsPerRoom</c>) across the whole deployment: the orchestrator
/// takes a slot for each run it admits, and the run's end gives it back. One server counts its own runs
/// (<see cref="LocalRoomRunSlots"/>); several take slots in Redis (<see cref="ScaleOut.RedisRoomRunSlots"/>), so that
/// requests reaching two instances in the same moment cannot both take the room's last slot.
/// </summary>
public interface IRoomRunSlots
{
    /// <summary>Takes one of the room's <paramref name="slots"/> for the run; false when every one is taken.</summary>
    Task<bool> TryTakeAsync(string room, string runId, int slots);

    /// <summary>Gives the slot back before the run ends: it was never queued after all.</summary>
    Task ReturnAsync(string room, string runId);
}

/// <summary>
/// One server: the room's runs are the ones in its memory, and admission is one request at a time, so counting them
/// is taking a slot.
/// </summary>
public sealed class LocalRoomRunSlots(RunStore store) : IRoomRunSlots
{
    public Task<bool> TryTakeAsync(string room, string runId, int slots) => Task.FromResult(store.CountActive(room) < slots);

    public Task ReturnAsync(string room, string runId) => Task.CompletedTask;
}
