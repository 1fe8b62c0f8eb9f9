using LockLab.Server.Diagnostics;
using LockLab.Server.Runs;
using Serilog;
using Serilog.Events;

namespace LockLab.Server.Operations;

/// <summary>
/// One Serilog line per request (method, path, status, time), at a level that keeps the log readable, with the
/// run and room the request concerns as properties (<see cref="LogProperties"/>).
/// </summary>
public static class RequestLogging
{
    public static IApplicationBuilder UseLabRequestLogging(this IApplicationBuilder app) =>
        app.UseSerilogRequestLogging(o =>
        {
            // This host's own logger, not Serilog's static one: that is whichever host set it last, so in a process
            // with several hosts (the test suite's servers) request lines would go to another host's sinks.
            o.Logger = app.ApplicationServices.GetService<Serilog.ILogger>();
            o.GetLevel = LevelFor;
            o.EnrichDiagnosticContext = Enrich;
        });

    /// <summary>
    /// One log line per request is useful for the API and the hub, noise for the ~50 static files a page load
    /// fetches: successful static-file requests are logged at Debug, errors at Warning or Error. Probes and scrapes
    /// (<c>/healthz</c>, <c>/readyz</c>, <c>/metrics</c>) arrive every few seconds from machines: always Debug unless
    /// they throw. A failing readiness check is logged by the health check service itself, with its reason.
    /// </summary>
    public static LogEventLevel LevelFor(HttpContext context, double elapsedMs, Exception? error)
    {
        if (error is not null) return LogEventLevel.Error;
        var path = context.Request.Path;
        if (OperationsEndpoints.IsOperationsPath(path)) return LogEventLevel.Debug;
        if (context.Response.StatusCode >= 500) return LogEventLevel.Error;
        if (context.Response.StatusCode >= 400) return LogEventLevel.Warning;
        return path.StartsWithSegments("/api") || path.StartsWithSegments("/hubs") ? LogEventLevel.Information : LogEventLevel.Debug;
    }

    /// <summary>
    /// Which run and room a request concerns, read after it was answered: the route (<c>/api/runs/{id}…</c>,
    /// <c>/api/rooms/{code}…</c>), else the resource a 201/202 answer points to (<c>Location: /api/runs/{id}</c> for a
    /// run just started). A run's room comes from the run itself, so <c>POST /api/runs</c> with a room in its body is
    /// logged with that room.
    /// </summary>
    public static void Enrich(IDiagnosticContext log, HttpContext http)
    {
        var path = http.Request.Path;
        var runId = path.StartsWithSegments("/api/runs") ? http.GetRouteValue("id") as string : null;
        var room = path.StartsWithSegments("/api/rooms") ? http.GetRouteValue("code") as string : null;
        if (http.Response.Headers.Location.ToString() is { Length: > 0 } location)
        {
            runId ??= LastSegmentUnder(location, "/api/runs/");
            room ??= LastSegmentUnder(location, "/api/rooms/");
        }
        if (runId is not null)
        {
            log.Set(LogProperties.RunId, runId);
            room ??= http.RequestServices.GetRequiredService<RunStore>().Find(runId)?.Room;
        }
        if (room is not null) log.Set(LogProperties.Room, room);
    }

    private static string? LastSegmentUnder(string location, string prefix) =>
        location.StartsWith(prefix, StringComparison.Ordinal) && location[prefix.Length..] is { Length: > 0 } rest && !rest.Contains('/')
            ? rest
            : null;
}
