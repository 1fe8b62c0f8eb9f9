using LockLab.Contracts;

namespace LockLab.Client.Services;

/// <summary>Where pages get lessons: straight from the library while the server prerenders, over HTTP in the browser.</summary>
public interface ILessonSource
{
    Task<IReadOnlyList<LessonSummary>> ListAsync();
    /// <param name="withNotes">Ask for the speaker notes too: given only to a signed-in presenter.</param>
    Task<LessonDocument?> GetAsync(string slug, bool withNotes = false);
}

/// <summary>The browser side of <see cref="ILessonSource"/>: <c>GET /api/lessons</c>.</summary>
public sealed class HttpLessonSource(LabApi api, PresenterKeyStore presenter) : ILessonSource
{
    public async Task<IReadOnlyList<LessonSummary>> ListAsync() =>
        await api.GetAsync("api/lessons", ClientJsonContext.Default.LessonSummaryArray) ?? [];

    public Task<LessonDocument?> GetAsync(string slug, bool withNotes = false) =>
        api.GetAsync($"api/lessons/{Uri.EscapeDataString(slug)}", ClientJsonContext.Default.LessonDocument,
            credential: withNotes ? presenter.Credential : null, missing: 404);
}
