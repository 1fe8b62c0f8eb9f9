using LockLab.Client.Services;

namespace LockLab.Server.Lessons;

public static class LessonsServiceCollectionExtensions
{
    public static IServiceCollection AddLessons(this IServiceCollection services)
    {
        services.AddSingleton<LessonHtml>();
        services.AddSingleton<LessonLibrary>();
        // Prerendering and pages on the server read lessons straight from the library; WebAssembly reads them over HTTP.
        services.AddScoped<ILessonSource, LibraryLessonSource>();
        return services;
    }
}

/// <summary>
/// The server side of <see cref="ILessonSource"/>: no HTTP round trip while prerendering, or for a page that runs on the
/// server. Speaker notes only for a page that holds a valid presenter session, which only a page on its circuit can: it
/// reads the session this browser keeps (<see cref="PresenterKeyStore"/>). A prerendered page has none, and what is
/// prerendered is readable by whoever opened the address, so it never carries notes.
/// </summary>
public sealed class LibraryLessonSource(LessonLibrary library, PresenterKeyStore presenter, Security.PresenterSessions sessions)
    : ILessonSource
{
    public Task<IReadOnlyList<LockLab.Contracts.LessonSummary>> ListAsync() => Task.FromResult(library.Catalog);

    public Task<LockLab.Contracts.LessonDocument?> GetAsync(string slug, bool withNotes = false)
    {
        var lesson = library.Find(slug);
        var presenting = withNotes && presenter.Credential is { } credential && sessions.IsValid(credential);
        return Task.FromResult(presenting ? lesson : lesson?.WithoutNotes());
    }
}
