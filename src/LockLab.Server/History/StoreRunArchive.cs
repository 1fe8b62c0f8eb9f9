using LockLab.Client.Services;
using LockLab.Contracts;
using LockLab.Server.Runs;
using LockLab.Server.Security;

namespace LockLab.Server.History;

/// <summary>
/// The server side of the client's <see cref="IRunArchive"/>: the history's list, each run as fresh as
/// <see cref="RunLookup"/> has it. It serves prerendering, whose page requests carry no presenter session (a list of
/// every room's runs, which names every room, is never prerendered), and pages that run on the server, over their
/// circuit, which hold the session this browser keeps once they have read it (<see cref="PresenterKeyStore"/>). As over
/// HTTP (<c>GET /api/runs</c>), anyone else naming a room is counted as guessing its code.
/// </summary>
public sealed class StoreRunArchive(
    RunStore store, RunLookup runs, RunHistory history, PresenterKeyStore presenter, PresenterSessions sessions,
    RoomCodeGuesses guesses, IHttpContextAccessor http) : IRunArchive
{
    public async Task<RunInfo[]> ListAsync(string? room, string? scenario, RunStatus? status)
    {
        var isPresenter = presenter.Credential is { } credential && sessions.IsValid(credential);
        async Task<RunInfo[]> ListAsync() =>
            (await history.ListAsync(new HistoryQuery(room, scenario, status, 200)))
                .Select(r => store.Find(r.Id)?.ToInfo() ?? r).ToArray();
        if (string.IsNullOrWhiteSpace(room)) return isPresenter ? await ListAsync() : [];
        if (isPresenter) return await ListAsync();
        var asked = await guesses.AskAsync(ClientAddress.Of(http.HttpContext), room, async () => await ListAsync() is { Length: > 0 } found ? found : null);
        return asked.Found ?? [];
    }

    public Task<RunInfo?> GetAsync(string id) => runs.InfoAsync(id);

    public async Task<IReadOnlyList<RunEvent>> GetEventsAsync(string id, int max = IRunArchive.MaxEvents) =>
        await runs.EventsAfterAsync(id, 0, max) ?? [];
}
