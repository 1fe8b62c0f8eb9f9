using Microsoft.AspNetCore.DataProtection;

namespace LockLab.Server.Security;

public static class SecurityExtensions
{
    public static IServiceCollection AddPresenterKeyAuthentication(this IServiceCollection services)
    {
        services.AddSingleton<PresenterKey>();
        services.AddSingleton<KeyAttemptLimiter>();
        services.AddSingleton<PresenterSessions>();
        services.AddDataProtection().SetApplicationName("LockLab"); // with Redis, ScaleOut shares its keys
        services.AddAuthentication(PresenterKeyAuthenticationHandler.SchemeName)
            .AddScheme<Microsoft.AspNetCore.Authentication.AuthenticationSchemeOptions, PresenterKeyAuthenticationHandler>(
                PresenterKeyAuthenticationHandler.SchemeName, _ => { });
        services.AddAuthorizationBuilder()
            .AddPolicy(PresenterKeyAuthenticationHandler.Policy, p => p.RequireRole(PresenterKeyAuthenticationHandler.Role));
        return services;
    }

    /// <summary>
    /// When the key was generated, say it once, with a link that signs a browser in (the page stores the key and
    /// removes it from the address bar).
    /// </summary>
    public static void LogPresenterKeyOnStart(this WebApplication app)
    {
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            var key = app.Services.GetRequiredService<PresenterKey>();
            if (!key.IsGenerated) return;
            // The HTTPS address when there is one: the link carries the key.
            var address = app.Urls.OrderByDescending(u => u.StartsWith("https://", StringComparison.Ordinal)).FirstOrDefault() ?? "http://localhost:5080";
            app.Logger.LogWarning(
                "No LockLab:PresenterKey configured; generated one for this start: {PresenterKey}. Presenter link: {PresenterLink}",
                key.Value, $"{address.Replace("://0.0.0.0", "://localhost").Replace("://[::]", "://localhost")}/?key={key.Value}");
        });
    }
}
