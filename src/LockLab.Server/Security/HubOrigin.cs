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
    public static IApplicationBuilder UseHubOriginCheck(this IApplicationBuilder app, PathString hubs) =>
        app.UseWhen(context => context.Request.Path.StartsWithSegments(hubs), branch => branch.Use(async (context, next) =>
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
