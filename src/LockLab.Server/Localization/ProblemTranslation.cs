using System.Collections.Concurrent;
using System.Globalization;
using System.Text.RegularExpressions;
using LockLab.Contracts;
using Microsoft.AspNetCore.Localization;
using Microsoft.Extensions.Localization;

namespace LockLab.Server.Localization;

/// <summary>
/// The API's problem details (and the hub's errors) in the request's language (Accept-Language, or the user's chosen language): every problem
/// the lab writes passes through here (ASP.NET Core's problem-details service), so endpoints keep writing English.
/// <c>Problems.{culture}.resx</c> maps each English title to its translation, and each English detail — with
/// <c>{0}</c>, <c>{1}</c> where a detail names a room, a run or a value — to its translation with the same holes.
/// An English text without an entry stays English: a missing translation never loses the meaning.
/// </summary>
public sealed class ProblemTranslation(IStringLocalizer<Problems> localizer)
{
    /// <summary>Per culture: the entries whose English text has holes, as patterns that capture what fills them.</summary>
    private readonly ConcurrentDictionary<string, (Regex English, string Translated)[]> _templates = new();

    public void Translate(ProblemDetailsContext context)
    {
        // The request's own culture: a status-code page may be written after the middleware restored another.
        var culture = context.HttpContext.Features.Get<IRequestCultureFeature>()?.RequestCulture.UICulture;
        var problem = context.ProblemDetails;
        if (problem.Title is { } title) problem.Title = Translate(title, culture);
        if (problem.Detail is { } detail) problem.Detail = Translate(detail, culture);
    }

    /// <summary>
    /// <paramref name="english"/> in <paramref name="culture"/>, when the lab has a translation of it (a hub error's
    /// sentence, say); else as it is.
    /// </summary>
    public string Translate(string english, CultureInfo? culture)
    {
        // Only into a language the lab has translations for: there is no resource for English, nor for the invariant culture.
        if (culture is null || LabCultures.Match(culture.Name) is not { } supported || supported == LabCultures.English) return english;
        var before = CultureInfo.CurrentUICulture;
        CultureInfo.CurrentUICulture = culture; // the resource lookup reads it
        try
        {
            return TranslateText(english, culture);
        }
        finally
        {
            CultureInfo.CurrentUICulture = before;
        }
    }

    private string TranslateText(string english, CultureInfo culture)
    {
        var exact = localizer[english];
        if (!exact.ResourceNotFound) return exact.Value;
        foreach (var (pattern, translated) in Templates(culture))
        {
            var match = pattern.Match(english);
            if (match.Success)
            {
                return string.Format(CultureInfo.InvariantCulture, translated, [.. match.Groups.Values.Skip(1).Select(g => g.Value)]);
            }
        }
        return english;
    }

    private (Regex, string)[] Templates(CultureInfo culture) => _templates.GetOrAdd(culture.Name, _ =>
        [.. localizer.GetAllStrings(includeParentCultures: false)
            .Where(s => s.Name.Contains("{0}", StringComparison.Ordinal))
            .Select(s => (ToPattern(s.Name), s.Value))]);

    /// <summary>"There is no room '{0}'." → <c>^There is no room '(.*?)'\.$</c>.</summary>
    private static Regex ToPattern(string template) =>
        new("^" + Regex.Replace(Regex.Escape(template), @"\\\{\d+}", "(.*?)") + "$",
            RegexOptions.CultureInvariant | RegexOptions.Singleline, TimeSpan.FromMilliseconds(100));
}

/// <summary>The resource the API's problem texts are translated from (<c>Localization/Problems.{culture}.resx</c>).</summary>
public sealed class Problems;
