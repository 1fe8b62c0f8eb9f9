namespace LockLab.Server.Security;

/// <summary>
/// Response headers that keep the page to what Blazor WebAssembly needs: scripts only from this server (plus
/// compiling WebAssembly), no inline script (a lesson could not run one even if it slipped past the sanitizer),
/// connections only back to this server (the SignalR hub), no framing.
/// </summary>
public static class SecurityHeaders
{
    public const string ContentSecurityPolicy =
        "default-src 'self'; " +
        "script-src 'self' 'wasm-unsafe-eval'; " +
        "style-src 'self' 'unsafe-inline'; " + // MudBlazor positions popovers and sizes elements with inline styles
        "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; " +
        "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        var headers = context.Response.Headers;
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "no-referrer";
        await next();
    });
}
