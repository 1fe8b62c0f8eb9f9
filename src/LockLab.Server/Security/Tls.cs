namespace LockLab.Server.Security;

/// <summary>
/// HTTPS served by the lab itself (Kestrel), for a school without a proxy in front: a certificate from configuration
/// (Kestrel's own <c>Kestrel:Certificates:Default:Path</c> / <c>KeyPath</c> / <c>Password</c>, a PEM or PFX file) and an
/// <c>https://</c> address. On plain HTTP anyone on the classroom network can read the presenter key as it travels
/// (SECURITY.md); once HTTPS is configured, plain HTTP is redirected to it and browsers are told to keep to HTTPS (HSTS).
/// </summary>
public static class Tls
{
    /// <summary>
    /// True when the lab listens on HTTPS: an <c>https://</c> URL (<c>--urls</c>, <c>ASPNETCORE_URLS</c>, a Kestrel
    /// endpoint) or HTTPS ports.
    /// </summary>
    public static bool IsConfigured(IConfiguration configuration) =>
        (configuration["urls"] ?? "").Contains("https://", StringComparison.OrdinalIgnoreCase)
        || !string.IsNullOrWhiteSpace(configuration["https_ports"])
        || configuration.GetSection("Kestrel:Endpoints").GetChildren()
            .Any(endpoint => (endpoint["Url"] ?? "").StartsWith("https://", StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// With HTTPS configured: HTTP requests are redirected to it (307, so a POST keeps its body), and answers over HTTPS
    /// carry <c>Strict-Transport-Security</c> (not for localhost, where a developer's browser would remember it for
    /// every local project). Without, nothing: the lab on plain HTTP logs no warning about a missing HTTPS port.
    /// </summary>
    /// <param name="probes">Paths answered on plain HTTP as well: health probes (a container's check asks over HTTP).</param>
    public static WebApplication UseTlsWhenConfigured(this WebApplication app, Func<PathString, bool> probes)
    {
        if (!IsConfigured(app.Configuration)) return app;
        app.UseHsts();
        app.UseWhen(context => !probes(context.Request.Path), branch => branch.UseHttpsRedirection());
        return app;
    }
}
