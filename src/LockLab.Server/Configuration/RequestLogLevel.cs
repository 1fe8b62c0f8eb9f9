using Serilog.Events;

namespace LockLab.Server.Configuration;

/// <summary>
/// One log line per request is useful for the API and the hub, noise for the ~50 static files a page load fetches:
/// successful static-file requests are logged at Debug, errors always at Warning or Error.
/// </summary>
public static class RequestLogLevel
{
    public static LogEventLevel For(HttpContext context, double elapsedMs, Exception? error)
    {
        if (error is not null || context.Response.StatusCode >= 500) return LogEventLevel.Error;
        if (context.Response.StatusCode >= 400) return LogEventLevel.Warning;
        var path = context.Request.Path;
        return path.StartsWithSegments("/api") || path.StartsWithSegments("/hubs") ? LogEventLevel.Information : LogEventLevel.Debug;
    }
}
