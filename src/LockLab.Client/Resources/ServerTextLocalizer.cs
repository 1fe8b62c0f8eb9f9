using LockLab.Contracts;
using Microsoft.Extensions.Localization;

namespace LockLab.Client.Resources;

/// <summary>
/// The server's sentences for everyone (<see cref="ServerTexts"/>: why a run ended, a lesson's warnings, the join advice)
/// in this page's language. The server keeps and sends them in English, as one room's pages may each speak another
/// language and the history keeps them; their translations are among the lab's own words (<see cref="Strings"/>), keyed
/// by the English template.
/// </summary>
public static class ServerTextLocalizer
{
    /// <summary><paramref name="english"/> translated when it is one of <see cref="ServerTexts"/>; any other text as it is.</summary>
    public static string ServerText(this IStringLocalizer<Strings> localizer, string english) =>
        ServerTexts.Match(english) switch
        {
            null => english,
            // Without values the key is taken as it is: a text such as "'lab: { 1: no-lock }'" is not a format.
            (var template, []) => localizer[template],
            var (template, values) => localizer[template, values],
        };
}
