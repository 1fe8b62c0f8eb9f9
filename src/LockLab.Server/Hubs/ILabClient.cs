using LockLab.Contracts;

namespace LockLab.Server.Hubs;

/// <summary>What the server sends to everyone in a room (the public hub contract; see DESIGN.md §3).</summary>
public interface ILabClient
{
    Task RunStarted(RunInfo run);
    Task RunEvents(string runId, RunEvent[] events);
    Task RunCompleted(RunInfo run);
    /// <summary>The presenter moved the room to a lesson page: followers go there.</summary>
    Task PageChanged(string room, string lesson, int page);
    /// <summary>How many pages watch the room now.</summary>
    Task ViewersChanged(string room, int viewers);
}
