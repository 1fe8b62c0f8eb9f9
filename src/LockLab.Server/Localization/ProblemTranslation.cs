using System.Collections.Concurrent;
using System.Globalization;
using LockLab.Client.Resources;
using LockLab.Contracts;
using LockLab.Contracts.Experiments;
using LockLab.Server.Runs;
using Microsoft.AspNetCore.Localization;
using Microsoft.Extensions.Localization;

namespace LockLab.Server.Localization;

/// <summary>
/// The API's problem details (and the hub's errors) in the request's language (Accept-Language, or the user's chosen language): every problem
/// the lab writes passes through here (ASP.NET Core's problem-details service), so endpoints keep writing English.
/// <c>Problems.{culture}.resx</c> maps each English title to its translation, and each English detail — with
/// <c>{0}</c>, <c>{1}</c> where a detail names a room, a run or a value — to its translation with the same holes; so too
/// each entry of a validation problem (what is wrong with a field).
/// An English text without an entry stays English: a missing translation never loses the meaning.
/// A run's status in a refusal ("The run is already completed.", <see cref="RunRefusals.NamingAStatus"/>) is named as
/// the page's status chip names it, from the lab's own words (<see cref="Strings"/>, keyed by the status's wire name).
/// A program's error is where it is and what is wrong (<see cref="ProgramError"/>): its place's template is translated
/// with the message, itself a template of <see cref="ProgramMessages"/>, translated in its hole.
/// </summary>
public sealed class ProblemTranslation(IStringLocalizer<Problems> localizer, IStringLocalizer<Strings> words)
{
    /// <summary>Per culture: the entries whose English text has holes.</summary>
    private readonly ConcurrentDictionary<string, TextTemplates> _templates = new();

    public void Translate(ProblemDetailsContext context)
    {
        // The request's own culture: a status-code page may be written after the middleware restored another.
        var culture = context.HttpContext.Features.Get<IRequestCultureFeature>()?.RequestCulture.UICulture;
        var problem = context.ProblemDetails;
        if (problem.Title is { } title) problem.Title = Translate(title, culture);
        if (problem.Detail is { } detail) problem.Detail = Translate(detail, culture);
        if (problem is HttpValidationProblemDetails validation) TranslateErrors(validation.Errors, culture);
    }

    /// <summary>
    /// <paramref name="english"/> in <paramref name="culture"/>, when the lab has a translation of it (a hub error's
    /// sentence, say); else as it is.
    /// </summary>
    public string Translate(string english, CultureInfo? culture) => InCulture(culture, english, TranslateText);

    /// <summary>
    /// A validation problem's entries (field → what is wrong with it), each in <paramref name="culture"/>: the field
    /// names are the API's and stay as they are.
    /// </summary>
    public void TranslateErrors(IDictionary<string, string[]> errors, CultureInfo? culture) =>
        InCulture(culture, errors, (e, c) =>
        {
            foreach (var (field, messages) in e.ToList()) e[field] = [.. messages.Select(m => TranslateText(m, c))];
            return e;
        });

    private static T InCulture<T>(CultureInfo? culture, T english, Func<T, CultureInfo, T> translate)
    {
        // Only into a language the lab has translations for: there is no resource for English, nor for the invariant culture.
        if (culture is null || LabCultures.Match(culture.Name) is not { } supported || supported == LabCultures.English) return english;
        var before = CultureInfo.CurrentUICulture;
        CultureInfo.CurrentUICulture = culture; // the resource lookup reads it
        try
        {
            return translate(english, culture);
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
        if (Templates(culture).Match(english) is not (var template, var values)) return english;
        if (RunRefusals.NamingAStatus.Contains(template)) values = [StatusName(values[0]), .. values[1..]];
        else if (EndsInAText(template)) values = [.. values[..^1], TranslateText(values[^1], culture)];
        return TextTemplates.Fill(localizer[template].Value, values);
    }

    /// <summary>
    /// Whether the last hole of <paramref name="template"/> holds another of the lab's English texts, translated in
    /// turn: a program's error after where it is (<see cref="ProgramPlaces"/>: "line 6, process p1, step 3: …"), a
    /// keyword's example after "is written like this:" (its words in brackets).
    /// </summary>
    private static bool EndsInAText(string template) =>
        template == ProgramMessages.Usage || ProgramPlaces.All.Contains(template, StringComparer.Ordinal);

    /// <summary>A run status's wire name in the current culture; anything else as it is.</summary>
    private string StatusName(string wireName) => WireNames.ParseStatus(wireName) is null ? wireName : words[wireName].Value;

    private TextTemplates Templates(CultureInfo culture) => _templates.GetOrAdd(culture.Name, _ =>
        new(localizer.GetAllStrings(includeParentCultures: false).Select(s => s.Name)));
}

/// <summary>The resource the API's problem texts are translated from (<c>Localization/Problems.{culture}.resx</c>).</summary>
public sealed class Problems;
