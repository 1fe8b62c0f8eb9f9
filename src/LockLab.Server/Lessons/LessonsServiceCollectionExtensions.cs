using LockLab.Client.Services;

namespace LockLab.Server.Lessons;

public static class LessonsServiceCollectionExtensions
{
    public static IServiceCollection AddLessons(this IServiceCollection services)
    {
        services.AddSingleton<LessonHtml>();
        services.AddSingleton<LessonLibrary>();
        // Prerendering reads lessons straight from the library; the WebAssembly client reads them over HTTP.
        services.AddScoped<ILessonSource, LibraryLessonSource>();
        return services;
    }
}

/// <summary>
/// The server side of <see cref="ILessonSource"/>: no HTTP round trip while prerendering. Never with speaker notes: a
/// page request carries no presenter key, and what is prerendered is readable by whoever opened the address.
/// </summary>
public sealed class LibraryLessonSource(LessonLibrary library) : ILessonSource
{
    public Task<IReadOnlyList<LockLab.Contracts.LessonSummary>> ListAsync() => Task.FromResult(library.Catalog);

    public Task<LockLab.Contracts.LessonDocument?> GetAsync(string slug, bool withNotes = false) =>
        Task.FromResult(library.Find(slug)?.WithoutNotes());
}
