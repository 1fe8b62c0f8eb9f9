using LockLab.Server.Configuration;
using LockLab.Server.Security;
using Microsoft.Extensions.Options;

namespace LockLab.Server.Hubs;

/// <summary>
/// The circuits of pages that run on the server (a browser's first visit: Components/PageInteractivity), Blazor's own
/// SignalR connections at <see cref="Path"/>. Each holds its page's components in the server's memory for as long as it
/// is open, so they are bounded per client address as the hub's connections are (<c>LockLab:MaxConnectionsPerAddress</c>,
/// counted apart: a page holds one of each).
/// </summary>
public static class CircuitConnections
{
    public const string Path = "/_blazor";

    /// <summary>Refuses a circuit's connection (429) from an address that has its fill open; negotiation is not counted.</summary>
    public static IApplicationBuilder UseCircuitLimitPerAddress(this IApplicationBuilder app)
    {
        var open = new ConnectionsPerAddress(app.ApplicationServices.GetRequiredService<IOptions<LockLabOptions>>());
        return app.UseWhen(
            context => context.Request.Path.StartsWithSegments(Path) && !context.Request.Path.StartsWithSegments(Path + "/negotiate"),
            branch => branch.Use(async (context, next) =>
            {
                var address = ClientAddress.Of(context);
                if (!open.TryOpen(address))
                {
                    await Problems.WriteAsync(context, StatusCodes.Status429TooManyRequests, "Too many connections",
                        "Too many connections from this address; close some pages and try again.");
                    return;
                }
                try
                {
                    await next(); // a WebSocket (or Server-Sent Events) request lasts as long as its connection
                }
                finally
                {
                    open.Close(address);
                }
            }));
    }
}
