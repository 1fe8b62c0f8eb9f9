using LockLab.Contracts;
using LockLab.Server.Hubs;
using LockLab.Server.Lessons;
using LockLab.Server.Runs;
using LockLab.Server.Security;
using Microsoft.AspNetCore.Http.HttpResults;
using QRCoder;

namespace LockLab.Server.Rooms;

/// <summary>
/// <c>/api/rooms</c>: classrooms. Creating one and driving it (runs, page changes) needs the presenter key;
/// looking at one needs only its code.
/// </summary>
public static class RoomsEndpoints
{
    public static IEndpointRouteBuilder MapRooms(this IEndpointRouteBuilder app)
    {
        var rooms = app.MapGroup("/api/rooms").WithTags("Rooms");
        rooms.MapPost("/", Create).RequireAuthorization(PresenterKeyAuthenticationHandler.Policy).WithName("CreateRoom");
        rooms.MapGet("/{code}", Get).WithName("GetRoom");
        rooms.MapPost("/{code}/runs", StartRun).RequireAuthorization(PresenterKeyAuthenticationHandler.Policy).RequireRateLimiting(RunsEndpoints.RateLimitPolicy).WithName("StartRoomRun");
        rooms.MapPost("/{code}/page", SetPage).RequireAuthorization(PresenterKeyAuthenticationHandler.Policy).WithName("SetRoomPage");
        rooms.MapGet("/{code}/qr.svg", QrCode).WithName("RoomQrCode");
        return app;
    }

    private static Created<RoomState> Create(RoomRegistry registry)
    {
        var code = registry.Create();
        return TypedResults.Created($"/api/rooms/{code}", registry.State(code));
    }

    private static Results<Ok<RoomState>, ProblemHttpResult> Get(string code, RoomRegistry registry) =>
        Find(code, registry, out var problem) is { } state ? TypedResults.Ok(state) : problem!;

    private static async Task<Results<Accepted<RunInfo>, ValidationProblem, ProblemHttpResult>> StartRun(
        string code, HttpRequest http, RoomRegistry registry, RunOrchestrator orchestrator, RunRequestValidator validator, CancellationToken ct)
    {
        if (Find(code, registry, out var notFound) is null) return notFound!;
        var (request, problem) = await RunsEndpoints.ReadRequestAsync(http, ct);
        if (problem is not null) return problem;
        return RunsEndpoints.Enqueue(request! with { Room = code }, orchestrator, validator);
    }

    private static Results<Accepted<RoomState>, ValidationProblem, ProblemHttpResult> SetPage(
        string code, PageRequest? body, RoomRegistry registry, LessonLibrary lessons)
    {
        if (Find(code, registry, out var notFound) is null) return notFound!;
        if (LabHub.ValidatePage(body, lessons) is { } errors) return TypedResults.ValidationProblem(errors);
        registry.ShowPage(code, body!.Lesson!, body.Page ?? 1);
        return TypedResults.Accepted($"/api/rooms/{code}", registry.State(code));
    }

    /// <summary>The room's join link as a QR code (SVG), for students to scan off the projector.</summary>
    private static Results<ContentHttpResult, ProblemHttpResult> QrCode(string code, HttpRequest http, RoomRegistry registry)
    {
        if (Find(code, registry, out var notFound) is null) return notFound!;
        var link = $"{http.Scheme}://{http.Host}/rooms/{Uri.EscapeDataString(code)}";
        using var generator = new QRCodeGenerator();
        using var data = generator.CreateQrCode(link, QRCodeGenerator.ECCLevel.M);
        var svg = new SvgQRCode(data).GetGraphic(8);
        return TypedResults.Content(svg, "image/svg+xml");
    }

    private static RoomState? Find(string code, RoomRegistry registry, out ProblemHttpResult? problem)
    {
        problem = null;
        if (!RoomNames.IsValid(code))
        {
            problem = TypedResults.Problem($"'{code}' is not a room code. {RoomNames.Rule}", statusCode: StatusCodes.Status400BadRequest, title: "Invalid room code");
            return null;
        }
        var state = registry.State(code);
        if (state is null)
        {
            problem = TypedResults.Problem($"There is no room '{code}'. Check the code on the projector.", statusCode: StatusCodes.Status404NotFound, title: "Room not found");
        }
        return state;
    }
}
