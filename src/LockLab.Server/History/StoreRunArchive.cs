using LockLab.Client.Services;
using LockLab.Contracts;
using LockLab.Server.Runs;

namespace LockLab.Server.History;

/// <summary>The server side of the client's <see cref="IRunArchive"/>: memory first (live runs), then the database.</summary>
public sealed class StoreRunArchive(RunStore store, RunHistory history) : IRunArchive
{
    public Task<RunInfo[]> ListAsync(string? room, string? scenario, RunStatus? status) =>
        Task.FromResult(history.List(new HistoryQuery(room, scenario, status, 200)).Select(r => store.Find(r.Id)?.ToInfo() ?? r).ToArray());

    public Task<RunInfo?> GetAsync(string id) => Task.FromResult(store.Find(id)?.ToInfo() ?? history.GetRun(id));

    public Task<IReadOnlyList<RunEvent>> GetEventsAsync(string id) =>
        Task.FromResult<IReadOnlyList<RunEvent>>(store.Find(id)?.AllEvents() ?? history.GetEvents(id, 0, int.MaxValue));
}
