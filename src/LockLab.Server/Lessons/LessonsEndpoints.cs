using System.Security.Claims;
using LockLab.Contracts;
using LockLab.Server.Security;
using Microsoft.AspNetCore.Http.HttpResults;

namespace LockLab.Server.Lessons;

/// <summary>
/// <c>/api/lessons</c>: the catalog and one lesson with its pages (rendered HTML), experiments and warnings (and, for
/// the presenter, speaker notes).
/// </summary>
public static class LessonsEndpoints
{
    public static IEndpointRouteBuilder MapLessons(this IEndpointRouteBuilder app)
    {
        var lessons = app.MapGroup("/api/lessons").WithTags("Lessons");
        lessons.MapGet("/", (LessonLibrary library) => TypedResults.Ok(library.Catalog)).WithName("ListLessons");
        lessons.MapGet("/{slug}", GetLesson).WithName("GetLesson");
        return app;
    }

    /// <summary>The lesson; its speaker notes only for the presenter (key or session in <c>Authorization</c>).</summary>
    private static Results<Ok<LessonDocument>, ProblemHttpResult> GetLesson(string slug, LessonLibrary library, ClaimsPrincipal caller) =>
        library.Find(slug) is { } lesson
            ? TypedResults.Ok(caller.IsInRole(PresenterKeyAuthenticationHandler.Role) ? lesson : lesson.WithoutNotes())
            : TypedResults.Problem($"There is no lesson '{slug}'. GET /api/lessons lists them.",
                statusCode: StatusCodes.Status404NotFound, title: "Lesson not found");
}
