using LockLab.Contracts;
using LockLab.Server.Rooms;
using LockLab.Server.Runs;
using LockLab.Server.Security;
using Microsoft.AspNetCore.Http.HttpResults;

namespace LockLab.Server.Students;

/// <summary>
/// <c>/api/rooms/{code}/settings</c> and <c>/api/rooms/{code}/student-runs</c>: whether students may run experiments in
/// a room, their runs, and showing one to the room. All need the presenter key; students start runs over the hub.
/// </summary>
public static class StudentsEndpoints
{
    public static IEndpointRouteBuilder MapStudents(this IEndpointRouteBuilder app)
    {
        var rooms = app.MapGroup("/api/rooms/{code}").WithTags("Rooms")
            .RequireAuthorization(PresenterKeyAuthenticationHandler.Policy);
        rooms.MapPost("/settings", SetSettings).WithName("SetRoomSettings");
        rooms.MapGet("/student-runs", List).WithName("ListStudentRuns");
        rooms.MapPost("/student-runs/{id}/show", Show).WithName("ShowStudentRun");
        return app;
    }

    /// <summary><c>{"studentsMayRun": true}</c>: students may run the page's experiment; false cancels their queued runs.</summary>
    private static async Task<Results<Ok<RoomState>, ValidationProblem, ProblemHttpResult>> SetSettings(
        string code, RoomSettings? body, RoomRegistry registry, StudentRuns students)
    {
        if (await RoomsEndpoints.MissingAsync(code, registry) is { } missing) return missing;
        if (body?.StudentsMayRun is not { } allowed)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                ["studentsMayRun"] = ["Say whether students may run experiments: {\"studentsMayRun\": true} or false."],
            });
        }
        await students.SetAllowedAsync(code, allowed);
        return TypedResults.Ok(await registry.StateAsync(code));
    }

    private static async Task<Results<Ok<RunInfo[]>, ProblemHttpResult>> List(string code, RoomRegistry registry, StudentRuns students)
    {
        if (await RoomsEndpoints.MissingAsync(code, registry) is { } missing) return missing;
        return TypedResults.Ok(await students.InRoomAsync(code));
    }

    /// <summary>Shows a student's run to the whole room (its pages and the projector), as if the presenter had started it.</summary>
    private static async Task<Results<Ok<RunInfo>, ProblemHttpResult>> Show(
        string code, string id, RoomRegistry registry, RunCommands commands)
    {
        if (await RoomsEndpoints.MissingAsync(code, registry) is { } missing) return missing;
        return await commands.ShowToRoomAsync(id, code) is { Run: { } run }
            ? TypedResults.Ok(run)
            : TypedResults.Problem($"Room '{code}' has no run '{id}'.", statusCode: StatusCodes.Status404NotFound, title: "Run not found");
    }
}
