using LockLab.Contracts;

namespace LockLab.Server.Runs;

/// <summary>
/// The runs of every instance of the deployment, as far as the other instances need them: a page connected to
/// instance B must see, and catch up with, a run that instance A executes. The broadcaster of the run's own instance
/// writes here before it sends the news, so anything a page received can be fetched again from any instance.
/// One server needs none of this (<see cref="NoSharedRuns"/>); several share it in Redis
/// (<see cref="ScaleOut.RedisSharedRuns"/>). The writes never throw for the store's trouble: they retry for a bounded
/// while and then let the broadcast go on.
/// </summary>
public interface ISharedRuns
{
    /// <summary>The run as it is now (status changes); <paramref name="owner"/> is the instance executing it.</summary>
    Task PublishAsync(RunInfo run, string owner);

    /// <summary>A batch of the run's events, in seq order, as it is about to be sent to the room.</summary>
    Task AppendAsync(string runId, RunEvent[] events);

    Task<RunInfo?> FindAsync(string runId);

    /// <summary>
    /// Events with seq &gt; <paramref name="after"/>, at most <paramref name="max"/>; null when the run's
    /// events are not held.
    /// </summary>
    Task<RunEvent[]?> EventsAfterAsync(string runId, long after, int max);

    /// <summary>The room's runs, newest first.</summary>
    Task<IReadOnlyList<RunInfo>> InRoomAsync(string room, int max);
}

/// <summary>One server: its own memory and history hold every run there is.</summary>
public sealed class NoSharedRuns : ISharedRuns
{
    public Task PublishAsync(RunInfo run, string owner) => Task.CompletedTask;
    public Task AppendAsync(string runId, RunEvent[] events) => Task.CompletedTask;
    public Task<RunInfo?> FindAsync(string runId) => Task.FromResult<RunInfo?>(null);
    public Task<RunEvent[]?> EventsAfterAsync(string runId, long after, int max) => Task.FromResult<RunEvent[]?>(null);
    public Task<IReadOnlyList<RunInfo>> InRoomAsync(string room, int max) => Task.FromResult<IReadOnlyList<RunInfo>>([]);
}
