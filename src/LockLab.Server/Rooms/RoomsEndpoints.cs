using LockLab.Contracts;
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
        rooms.MapPut("/{code}", Open).RequireAuthorization(PresenterKeyAuthenticationHandler.Policy).WithName("OpenRoom");
        rooms.MapDelete("/{code}", Close).RequireAuthorization(PresenterKeyAuthenticationHandler.Policy).WithName("CloseRoom");
        rooms.MapPost("/{code}/runs", StartRun).RequireAuthorization(PresenterKeyAuthenticationHandler.Policy).WithName("StartRoomRun");
        rooms.MapPost("/{code}/page", SetPage).RequireAuthorization(PresenterKeyAuthenticationHandler.Policy).WithName("SetRoomPage");
        rooms.MapGet("/{code}/qr.svg", QrCode).WithName("RoomQrCode");
        app.MapGet("/api/join-addresses", JoinAddressesOf).WithTags("Rooms").WithName("GetJoinAddresses");
        return app;
    }

    private static async Task<Created<RoomState>> Create(RoomRegistry registry)
    {
        var code = await registry.CreateAsync();
        return TypedResults.Created($"/api/rooms/{code}", await registry.StateAsync(code));
    }

    /// <summary>Opens a room under a name the presenter chose (<c>period-3</c>): students may join it from now on.</summary>
    private static async Task<Results<Ok<RoomState>, ProblemHttpResult>> Open(string code, RoomRegistry registry)
    {
        if (InvalidCode(code) is { } invalid) return invalid;
        try
        {
            await registry.OpenAsync(code);
        }
        catch (TooManyRoomsException full)
        {
            return TypedResults.Problem(full.Message, statusCode: StatusCodes.Status409Conflict, title: "Too many rooms");
        }
        return TypedResults.Ok(await registry.StateAsync(code));
    }

    /// <summary>Closes a room: nobody may join it any more (<c>main</c> is always open).</summary>
    private static async Task<Results<NoContent, ProblemHttpResult>> Close(string code, RoomRegistry registry)
    {
        if (InvalidCode(code) is { } invalid) return invalid;
        if (code == RoomNames.Main)
        {
            return TypedResults.Problem("The lab's own room, main, is always open.",
                statusCode: StatusCodes.Status409Conflict, title: "Room cannot be closed");
        }
        return await registry.CloseAsync(code) ? TypedResults.NoContent() : NotFound(code);
    }

    private static async Task<Results<Ok<RoomState>, ProblemHttpResult>> Get(
        string code, HttpContext http, RoomRegistry registry, RoomCodeGuesses guesses)
    {
        if (InvalidCode(code) is { } invalid) return invalid;
        if (IsPresenter(http)) return await registry.FindAsync(code) is { } found ? TypedResults.Ok(found) : NotFound(code);
        var asked = await guesses.AskAsync(ClientAddress.Of(http), code, () => registry.FindAsync(code));
        if (asked.Refused) return RoomCodeGuesses.TooMany(http);
        return asked.Found is { } state ? TypedResults.Ok(state) : NotFound(code);
    }

    private static async Task<Results<Accepted<RunInfo>, ValidationProblem, ProblemHttpResult>> StartRun(
        string code, HttpRequest http, RoomRegistry registry, RunLauncher launcher, CancellationToken ct)
    {
        if (await MissingAsync(code, registry) is { } missing) return missing;
        var (request, problem) = await RunsEndpoints.ReadRequestAsync(http, ct);
        if (problem is not null) return problem;
        return RunsEndpoints.ToHttp(
            await launcher.StartAsync(request! with { Room = code }, code, ClientAddress.Of(http.HttpContext), ct));
    }

    private static async Task<Results<Accepted<RoomState>, ValidationProblem, ProblemHttpResult>> SetPage(
        string code, PageRequest? body, RoomRegistry registry, LessonLibrary lessons)
    {
        if (await MissingAsync(code, registry) is { } missing) return missing;
        if (lessons.CheckPage(body) is { } errors) return TypedResults.ValidationProblem(errors);
        await registry.ShowPageAsync(code, body!.Lesson!, body.Page ?? 1);
        return TypedResults.Accepted($"/api/rooms/{code}", await registry.StateAsync(code));
    }

    /// <summary>Where other devices can open this lab (never loopback), or why they cannot and what to do.</summary>
    private static Ok<JoinAddresses> JoinAddressesOf(HttpRequest http, JoinAddressFinder finder) =>
        TypedResults.Ok(finder.Find(http.Host, http.Scheme));

    /// <summary>
    /// The room's join link as a QR code (SVG), for students to scan off the projector: at <paramref name="address"/>
    /// (one of <c>/api/join-addresses</c>, as the presenter chose), else at the first address the lab offers, else
    /// (it offers none: the presenter's view says why) at the address this request used.
    /// </summary>
    private static async Task<Results<ContentHttpResult, ProblemHttpResult>> QrCode(
        string code, string? address, HttpRequest http, RoomRegistry registry, JoinAddressFinder finder, RoomCodeGuesses guesses)
    {
        if (InvalidCode(code) is { } invalid) return invalid;
        if (!IsPresenter(http.HttpContext))
        {
            var asked = await guesses.AskAsync(ClientAddress.Of(http.HttpContext), code,
                async () => await registry.ExistsAsync(code) ? code : null);
            if (asked.Refused) return RoomCodeGuesses.TooMany(http.HttpContext);
        }
        if (await MissingAsync(code, registry) is { } missing) return missing;
        var offered = finder.Find(http.Host, http.Scheme).Addresses;
        if (address is not null && !offered.Contains(address.TrimEnd('/'), StringComparer.OrdinalIgnoreCase))
        {
            return TypedResults.Problem(
                $"'{address}' is not an address of this lab. "
                    + $"Choose one of GET /api/join-addresses: {string.Join(", ", offered)}.",
                statusCode: StatusCodes.Status400BadRequest, title: "Unknown join address");
        }
        var origin = address?.TrimEnd('/') ?? offered.FirstOrDefault() ?? $"{http.Scheme}://{http.Host}";
        var link = $"{origin}/rooms/{Uri.EscapeDataString(code)}";
        using var generator = new QRCodeGenerator();
        using var data = generator.CreateQrCode(link, QRCodeGenerator.ECCLevel.M);
        var svg = new SvgQRCode(data).GetGraphic(8);
        return TypedResults.Content(svg, "image/svg+xml");
    }

    /// <summary>
    /// The problem to answer when <paramref name="code"/> names no room: 400 for a malformed code, 404 for one that does
    /// not exist.
    /// </summary>
    public static async Task<ProblemHttpResult?> MissingAsync(string code, RoomRegistry registry) =>
        InvalidCode(code) ?? (await registry.ExistsAsync(code) ? null : NotFound(code));

    private static ProblemHttpResult? InvalidCode(string code) => RoomNames.IsValid(code)
        ? null
        : TypedResults.Problem($"'{code}' is not a room code. {RoomNames.Rule}",
            statusCode: StatusCodes.Status400BadRequest, title: "Invalid room code");

    private static bool IsPresenter(HttpContext http) => http.User.IsInRole(PresenterKeyAuthenticationHandler.Role);

    private static ProblemHttpResult NotFound(string code) =>
        TypedResults.Problem($"There is no room '{code}'. Check the code on the projector.",
            statusCode: StatusCodes.Status404NotFound, title: "Room not found");
}
