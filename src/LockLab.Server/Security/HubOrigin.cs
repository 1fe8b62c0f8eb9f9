using LockLab.Server.Configuration;
using Microsoft.Extensions.Options;

namespace LockLab.Server.Security;

/// <summary>
/// The hub answers pages of the lab's own origin only. A browser sends <c>Origin</c> with every WebSocket and
/// cross-site request, and a page on another site could otherwise open a connection to the lab from a student's
/// browser (cross-site WebSocket hijacking): refused with 403. Accepted: the origin the request was addressed to (the
/// host and port the browser used, which a proxy passes on), and <c>LockLab:PublicUrl</c>'s. A client that is not a
/// browser sends no <c>Origin</c> and is not affected; what it may do is up to the presenter key.
/// </summary>
public static class HubOrigin
{
    /// <param name="paths">Where the lab's SignalR connections are: its hub, and the circuits of pages that run on the
    /// server (Blazor's <c>/_blazor</c>), which carry what the page does as much as the hub does.</param>
    public static IApplicationBuilder UseHubOriginCheck(this IApplicationBuilder app, params PathString[] paths) =>
        app.UseWhen(context => paths.Any(path => context.Request.Path.StartsWithSegments(path)), branch => branch.Use(async (context, next) =>
        {
            if (IsAllowed(context))
            {
                await next();
                return;
            }
            await Problems.WriteAsync(context, StatusCodes.Status403Forbidden, "Another site's page",
                "The lab's hub answers the lab's own pages only. Open the lab at its own address "
                    + "(or set LockLab:PublicUrl to the address students use).");
        }));

    private static bool IsAllowed(HttpContext context)
    {
        string? origin = context.Request.Headers.Origin;
        if (string.IsNullOrEmpty(origin)) return true;
        if (!Uri.TryCreate(origin, UriKind.Absolute, out var from)) return false;
        if (string.Equals(from.Authority, context.Request.Host.Value, StringComparison.OrdinalIgnoreCase)) return true;
        var publicUrl = context.RequestServices.GetRequiredService<IOptions<LockLabOptions>>().Value.PublicUrl;
        return Uri.TryCreate(publicUrl, UriKind.Absolute, out var lab)
            && string.Equals(from.Authority, lab.Authority, StringComparison.OrdinalIgnoreCase);
    }
}
