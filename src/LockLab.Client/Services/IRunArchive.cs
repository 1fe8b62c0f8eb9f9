using LockLab.Contracts;

namespace LockLab.Client.Services;

/// <summary>Past runs and their events (the history): from the server's stores while prerendering, over HTTP in the browser.</summary>
public interface IRunArchive
{
    /// <summary>
    /// Past runs, newest first; of every room (<paramref name="room"/> empty) only for the signed-in presenter, else
    /// none.
    /// </summary>
    Task<RunInfo[]> ListAsync(string? room, string? scenario, RunStatus? status);
    Task<RunInfo?> GetAsync(string id);
    /// <summary>The run's first <paramref name="max"/> events, in order: all of a lesson's runs; the beginning of a big
    /// one, whose every event only the export holds (<c>/api/runs/{id}/export</c>).</summary>
    Task<IReadOnlyList<RunEvent>> GetEventsAsync(string id, int max = MaxEvents);

    /// <summary>
    /// Events a page loads to replay or compare a run: far more than a lesson's runs have, far fewer than a
    /// stress run's millions.
    /// </summary>
    const int MaxEvents = 20_000;
}

public sealed class HttpRunArchive(LabApi api, PresenterKeyStore presenter) : IRunArchive
{
    private const int Page = 10_000;

    public async Task<RunInfo[]> ListAsync(string? room, string? scenario, RunStatus? status)
    {
        var credential = await presenter.LoadAsync();
        if (string.IsNullOrWhiteSpace(room) && credential is null) return [];
        var query = new List<string> { "limit=200" };
        if (!string.IsNullOrWhiteSpace(room)) query.Add($"room={Uri.EscapeDataString(room)}");
        if (!string.IsNullOrWhiteSpace(scenario)) query.Add($"scenario={Uri.EscapeDataString(scenario)}");
        if (status is { } s) query.Add($"status={WireNames.Name(s)}");
        return await api.GetAsync($"api/runs?{string.Join('&', query)}", ClientJsonContext.Default.RunInfoArray, credential) ?? [];
    }

    public Task<RunInfo?> GetAsync(string id) =>
        api.GetAsync($"api/runs/{Uri.EscapeDataString(id)}", ClientJsonContext.Default.RunInfo, missing: 404);

    public async Task<IReadOnlyList<RunEvent>> GetEventsAsync(string id, int max = IRunArchive.MaxEvents)
    {
        var all = new List<RunEvent>();
        while (all.Count < max)
        {
            var after = all.Count == 0 ? 0 : all[^1].Seq;
            var limit = Math.Min(Page, max - all.Count);
            var page = await api.GetAsync($"api/runs/{Uri.EscapeDataString(id)}/events?after={after}&limit={limit}",
                ClientJsonContext.Default.RunEventArray) ?? [];
            all.AddRange(page);
            if (page.Length < limit) break;
        }
        return all;
    }
}
