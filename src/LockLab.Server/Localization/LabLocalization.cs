using System.Globalization;
using LockLab.Contracts;
using LockLab.Server.Lessons;
using LockLab.Server.Rooms;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Localization;

namespace LockLab.Server.Localization;

/// <summary>
/// The language of each request (<see cref="LabCultures"/>): the prerendered page, the culture the WebAssembly page
/// then starts in (the page's <c>lang</c> attribute) and the API's problem details all follow it.
/// </summary>
public static class LabLocalization
{
    public static IServiceCollection AddLabLocalization(this IServiceCollection services)
    {
        services.AddLocalization();
        services.AddSingleton<ProblemTranslation>();
        services.AddOptions<ProblemDetailsOptions>().Configure<ProblemTranslation>((options, translation) =>
        {
            var before = options.CustomizeProblemDetails;
            options.CustomizeProblemDetails = context =>
            {
                before?.Invoke(context);
                translation.Translate(context);
            };
        });
        services.Configure<RequestLocalizationOptions>(options =>
        {
            var cultures = LabCultures.Supported.Select(c => new CultureInfo(c)).ToList();
            options.DefaultRequestCulture = new RequestCulture(LabCultures.English);
            options.SupportedCultures = cultures;
            options.SupportedUICultures = cultures;
            options.RequestCultureProviders =
            [
                new CircuitCultureProvider(), // a page running on the server: the language it was served in
                new CookieRequestCultureProvider { CookieName = LabCultures.CookieName }, // the user's own choice
                new ShownLessonCultureProvider(), // the lesson on the page
                new BrowserLanguageProvider(), // Accept-Language, any variant of a language the lab speaks
            ];
        });
        return services;
    }

    /// <summary>
    /// <c>GET /culture?set=zh-CN&amp;return=/lessons/x</c>: the language switch. Remembers the choice for a year and goes
    /// back to the page (a local path only: this must not send anyone elsewhere).
    /// </summary>
    public static IEndpointRouteBuilder MapLanguageSwitch(this IEndpointRouteBuilder app)
    {
        app.MapGet("/culture", SetCulture).WithTags("Language").WithName("SetCulture");
        return app;
    }

    private static Results<RedirectHttpResult, ProblemHttpResult> SetCulture(HttpContext http, string? set, string? @return)
    {
        if (LabCultures.Supported.FirstOrDefault(c => c == set) is not { } culture)
        {
            return TypedResults.Problem($"'{set}' is not a language of this lab: one of {string.Join(", ", LabCultures.Supported)}.",
                statusCode: StatusCodes.Status400BadRequest, title: "Unknown language");
        }
        var back = IsLocalPath(@return) ? @return! : "/";
        http.Response.Cookies.Append(LabCultures.CookieName, LabCultures.CookieValue(culture), new CookieOptions
        {
            Expires = DateTimeOffset.UtcNow.AddYears(1),
            IsEssential = true,
            SameSite = SameSiteMode.Lax,
            Secure = http.Request.IsHttps,
            HttpOnly = true,
        });
        return TypedResults.Redirect(back);
    }

    /// <summary>A path on this site: <c>/x</c>, never <c>//host</c> or <c>/\host</c> (which browsers read as another site).</summary>
    public static bool IsLocalPath(string? path) =>
        path is { Length: > 0 } && path[0] == '/' && (path.Length == 1 || (path[1] != '/' && path[1] != '\\'));

    /// <summary>
    /// A page that runs on the server (interactive server mode) does so in its circuit, whose connection
    /// (<c>/_blazor?culture=…</c>, js/start.js) says the language the page was served in: the same one, whatever chose it
    /// (the lesson on the page, which the circuit's address does not name), as a WebAssembly page takes it from
    /// <c>&lt;html lang&gt;</c>.
    /// </summary>
    private sealed class CircuitCultureProvider : RequestCultureProvider
    {
        public const string Path = "/_blazor";

        public override Task<ProviderCultureResult?> DetermineProviderCultureResult(HttpContext http)
        {
            if (!http.Request.Path.StartsWithSegments(Path)) return NullProviderCultureResult;
            var match = LabCultures.Match(http.Request.Query["culture"].ToString());
            return Task.FromResult(match is null ? null : new ProviderCultureResult(match));
        }
    }

    /// <summary>The page shows a lesson (<c>/lessons/{slug}</c>), or a room showing one: the lab speaks its language.</summary>
    private sealed class ShownLessonCultureProvider : RequestCultureProvider
    {
        public override async Task<ProviderCultureResult?> DetermineProviderCultureResult(HttpContext http)
        {
            var segments = http.Request.Path.Value?.Split('/', StringSplitOptions.RemoveEmptyEntries) ?? [];
            string? slug = null;
            if (segments is ["lessons", var lesson, ..]) slug = lesson;
            else if (segments is ["rooms", var code, ..] && RoomNames.IsValid(code))
            {
                var directory = http.RequestServices.GetRequiredService<IRoomDirectory>();
                slug = (await directory.PageOfAsync(code)).Lesson;
            }
            if (slug is null) return null;
            var document = http.RequestServices.GetRequiredService<LessonLibrary>().Find(slug);
            return document?.Summary.Language is { } language ? new ProviderCultureResult(language) : null;
        }
    }

    /// <summary>
    /// The browser's languages in its order of preference, the first the lab speaks in any variant (<c>zh-TW</c>,
    /// <c>zh-Hans</c>, <c>zh</c> → Chinese): ASP.NET Core's own provider matches only the exact cultures listed.
    /// </summary>
    private sealed class BrowserLanguageProvider : RequestCultureProvider
    {
        public override Task<ProviderCultureResult?> DetermineProviderCultureResult(HttpContext http)
        {
            var languages = http.Request.GetTypedHeaders().AcceptLanguage;
            var match = languages
                .Where(l => (l.Quality ?? 1) > 0)
                .OrderByDescending(l => l.Quality ?? 1) // stable: equal weights keep the browser's order
                .Select(l => LabCultures.Match(l.Value.Value))
                .FirstOrDefault(c => c is not null);
            return Task.FromResult(match is null ? null : new ProviderCultureResult(match));
        }
    }
}
