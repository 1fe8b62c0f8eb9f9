using LockLab.Client.Services;
using LockLab.Contracts;
using LockLab.Server.Runs;

namespace LockLab.Server.History;

/// <summary>
/// The server side of the client's <see cref="IRunArchive"/>: the history's list, each run as fresh as
/// <see cref="RunLookup"/> has it. It serves prerendering, whose page requests carry no presenter key: a list of every
/// room's runs (which names every room) is never prerendered.
/// </summary>
public sealed class StoreRunArchive(RunStore store, RunLookup runs, RunHistory history) : IRunArchive
{
    public async Task<RunInfo[]> ListAsync(string? room, string? scenario, RunStatus? status) =>
        string.IsNullOrWhiteSpace(room)
            ? []
            : (await history.ListAsync(new HistoryQuery(room, scenario, status, 200)))
                .Select(r => store.Find(r.Id)?.ToInfo() ?? r).ToArray();

    public Task<RunInfo?> GetAsync(string id) => runs.InfoAsync(id);

    public async Task<IReadOnlyList<RunEvent>> GetEventsAsync(string id, int max = IRunArchive.MaxEvents) =>
        await runs.EventsAfterAsync(id, 0, max) ?? [];
}
