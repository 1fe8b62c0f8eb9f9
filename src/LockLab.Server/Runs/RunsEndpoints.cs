using System.Text.Json;
using LockLab.Contracts;
using LockLab.Server.Security;
using Microsoft.AspNetCore.Http.HttpResults;

namespace LockLab.Server.Runs;

/// <summary><c>/api/scenarios</c> and <c>/api/runs</c>: the REST half of the public contract.</summary>
public static class RunsEndpoints
{
    /// <summary>A run request is a few hundred bytes, one with a program a few thousand (<see cref="MaxProgramTextChars"/>);
    /// anything far larger is a mistake or an attack.</summary>
    public const int MaxBodyBytes = 16 * 1024;

    /// <summary>A request's program text, at most: with room to spare in <see cref="MaxBodyBytes"/> for JSON's escapes of
    /// its line breaks and quotes (a lesson's program is a few hundred characters).</summary>
    public const int MaxProgramTextChars = 12_000;
    public const int MaxEventsPerPage = 10_000;

    public static IEndpointRouteBuilder MapScenarios(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/scenarios", (ScenarioCatalog catalog) => TypedResults.Ok(catalog.All))
            .WithName("ListScenarios").WithTags("Runs");
        app.MapGet("/api/limits", (ScenarioCatalog catalog) => TypedResults.Ok(catalog.Limits))
            .WithName("GetLimits").WithTags("Runs");
        return app;
    }

    public static IEndpointRouteBuilder MapRuns(this IEndpointRouteBuilder app)
    {
        var runs = app.MapGroup("/api/runs").WithTags("Runs");
        runs.MapPost("/", StartRun).RequireAuthorization(PresenterKeyAuthenticationHandler.Policy).WithName("StartRun");
        runs.MapGet("/{id}", GetRun).WithName("GetRun");
        runs.MapGet("/{id}/events", GetEvents).WithName("GetRunEvents");
        runs.MapGet("/{id}/timings", GetTimings).WithName("GetRunTimings");
        runs.MapPost("/{id}/step", Step).RequireAuthorization(PresenterKeyAuthenticationHandler.Policy).WithName("StepRun");
        runs.MapPost("/{id}/stop", Stop).RequireAuthorization(PresenterKeyAuthenticationHandler.Policy).WithName("StopRun");
        return app;
    }

    /// <summary>Body of <c>POST /api/runs/{id}/step</c>: which process takes its next step.</summary>
    public sealed record StepRequest(string? Process);

    /// <summary>Step mode: let one process take its next step (<c>{"process":"p1"}</c>).</summary>
    private static async Task<Results<Accepted<RunInfo>, ProblemHttpResult, ValidationProblem>> Step(
        string id, StepRequest? body, RunCommands commands)
    {
        if (string.IsNullOrWhiteSpace(body?.Process))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                ["process"] = ["Name the process to step, e.g. {\"process\":\"p1\"}."]
            });
        }
        return await commands.StepAsync(id, body.Process) switch
        {
            { Found: false } => RunNotFound(id),
            { Refusal: { } refusal } => TypedResults.Problem(refusal, statusCode: StatusCodes.Status409Conflict, title: "Cannot step now"),
            var done => TypedResults.Accepted($"/api/runs/{id}", done.Run),
        };
    }

    /// <summary>Stops a queued or running run; its workers are killed and it ends <c>cancelled</c>.</summary>
    private static async Task<Results<Accepted<RunInfo>, ProblemHttpResult>> Stop(string id, RunCommands commands) =>
        await commands.StopAsync(id) switch
        {
            { Found: false } => RunNotFound(id),
            { Refusal: { } refusal } =>
                TypedResults.Problem(refusal, statusCode: StatusCodes.Status409Conflict, title: "Run already finished"),
            var done => TypedResults.Accepted($"/api/runs/{id}", done.Run),
        };

    /// <summary>
    /// Reads the body itself rather than binding it: <c>curl -d '{…}'</c> sends no JSON content type, and a
    /// teacher's first try should work, while malformed JSON or an unknown field still gets a clear 400.
    /// </summary>
    private static async Task<Results<Accepted<RunInfo>, ValidationProblem, ProblemHttpResult>> StartRun(
        HttpRequest http, RunLauncher launcher, CancellationToken ct)
    {
        var (request, problem) = await ReadRequestAsync(http, ct);
        if (problem is not null) return problem;
        return ToHttp(await launcher.StartAsync(request!, RoomNames.Main, ClientAddress.Of(http.HttpContext), ct));
    }

    /// <summary>
    /// A launch's outcome over HTTP: 202 with the run, 400 naming each bad field, 409 with the reason, 429 when the
    /// address started too many runs, or 503 when the queue is full.
    /// </summary>
    public static Results<Accepted<RunInfo>, ValidationProblem, ProblemHttpResult> ToHttp(LaunchResult result) => result switch
    {
        LaunchResult.Accepted { Run: var info } => TypedResults.Accepted(info.Links.Self, info),
        LaunchResult.Invalid { Errors: var errors } => TypedResults.ValidationProblem(errors),
        LaunchResult.Refused { Reason: var reason } => TypedResults.Problem(reason,
            statusCode: StatusCodes.Status409Conflict, title: "Cannot start the run now"),
        LaunchResult.QueueFull => TypedResults.Problem(LaunchResult.QueueFull.Reason,
            statusCode: StatusCodes.Status503ServiceUnavailable, title: "Run queue full"),
        LaunchResult.TooMany => TypedResults.Problem(LaunchResult.TooMany.Reason,
            statusCode: StatusCodes.Status429TooManyRequests, title: "Too many runs"),
        _ => throw new ArgumentOutOfRangeException(nameof(result)),
    };

    public static async Task<(RunRequest? Request, ProblemHttpResult? Problem)> ReadRequestAsync(HttpRequest http, CancellationToken ct)
    {
        if (http.ContentLength > MaxBodyBytes) return (null, TooLarge());
        using var buffer = new MemoryStream();
        var chunk = new byte[4096];
        int read;
        while ((read = await http.Body.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + read > MaxBodyBytes) return (null, TooLarge());
            buffer.Write(chunk, 0, read);
        }
        if (buffer.Length == 0)
        {
            return (null, TypedResults.Problem("Send a JSON body such as {\"scenario\":\"lock\"}.",
                statusCode: 400, title: "Missing run request"));
        }
        try
        {
            var request = JsonSerializer.Deserialize(buffer.ToArray(), RunRequestJson.Strict);
            return request is null
                ? (null, TypedResults.Problem("The body is JSON null; send an object such as {\"scenario\":\"lock\"}.",
                    statusCode: 400, title: "Invalid run request"))
                : (request, null);
        }
        catch (JsonException ex)
        {
            return (null, TypedResults.Problem($"The body is not a valid run request: {ex.Message}",
                statusCode: 400, title: "Invalid run request"));
        }
    }

    private static ProblemHttpResult TooLarge() =>
        TypedResults.Problem($"A run request may be at most {MaxBodyBytes} bytes.",
            statusCode: StatusCodes.Status413PayloadTooLarge, title: "Request too large");

    /// <summary>
    /// From memory while this server holds the run, else from the other instances or the history
    /// (<see cref="RunLookup"/>).
    /// </summary>
    private static async Task<Results<Ok<RunInfo>, ProblemHttpResult>> GetRun(string id, RunLookup runs) =>
        await runs.InfoAsync(id) is { } run ? TypedResults.Ok(run) : RunNotFound(id);

    private static async Task<Results<Ok<RunEvent[]>, ProblemHttpResult, ValidationProblem>> GetEvents(
        string id, RunLookup runs, long after = 0, int limit = MaxEventsPerPage)
    {
        var errors = new Dictionary<string, string[]>();
        if (after < 0) errors["after"] = ["Must be 0 or more."];
        if (limit is < 1 or > MaxEventsPerPage) errors["limit"] = [$"Must be between 1 and {MaxEventsPerPage}."];
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors);
        return await runs.EventsAfterAsync(id, after, limit) is { } events ? TypedResults.Ok(events) : RunNotFound(id);
    }

    /// <summary>
    /// Where the run's time went on this server (<see cref="RunTimeline"/>): kept with the run in memory, so only for
    /// runs this instance carried out and still holds, not for runs from the history or another instance.
    /// </summary>
    private static Results<Ok<RunTimings>, ProblemHttpResult, ValidationProblem> GetTimings(string id, RunStore store)
    {
        if (!RunIds.IsValid(id))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["id"] = [RunIds.Described] });
        }
        if (store.Find(id) is { } run) return TypedResults.Ok(run.Timeline.ToTimings(run.Id));
        return TypedResults.Problem(
            $"This server holds no timings for a run '{id}'. Timings are kept in memory with the runs this server " +
                $"carried out lately, and forgotten when it restarts.",
            statusCode: StatusCodes.Status404NotFound, title: "Run not found");
    }

    private static ProblemHttpResult RunNotFound(string id) =>
        TypedResults.Problem($"There is no run '{id}'. Runs are kept in memory and forgotten when the server restarts.",
            statusCode: StatusCodes.Status404NotFound, title: "Run not found");
}
