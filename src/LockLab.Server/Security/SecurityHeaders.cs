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
        var response = context.Response;
        response.Headers.XContentTypeOptions = "nosniff";
        response.OnStarting(() =>
        {
            // A WebAssembly module is never a document, a frame or a worker, so these would say nothing, and a lesson
            // page fetches about fifty of them: ≈ 20 KB of headers on a cold load (docs/benchmarks.md, "page").
            if (response.ContentType == "application/wasm") return Task.CompletedTask;
            var headers = response.Headers;
            headers.ContentSecurityPolicy = ContentSecurityPolicy;
            headers.XFrameOptions = "DENY";
            headers["Referrer-Policy"] = "no-referrer";
            return Task.CompletedTask;
        });
        await next();
    });
}
