using System.Globalization;

namespace LockLab.Contracts;

/// <summary>
/// The languages the lab speaks, and how one is chosen: one rule for the server's prerender, its problem details and
/// the WebAssembly page. In order: the user's explicit choice (the language switch, remembered in a cookie), the
/// lesson's language when the page shows a lesson, the browser's language; English otherwise.
/// </summary>
public static class LabCultures
{
    public const string English = "en";
    public const string Chinese = "zh-CN";

    /// <summary>The cultures the lab's own words are written in (satellite resources exist for each but English).</summary>
    public static IReadOnlyList<string> Supported { get; } = [English, Chinese];

    /// <summary>ASP.NET Core's own request-culture cookie, so that its cookie provider reads the choice.</summary>
    public const string CookieName = ".AspNetCore.Culture";

    /// <summary>How the language switch shows each language: in that language.</summary>
    public static string NativeName(string culture) => culture == Chinese ? "中文" : "English";

    /// <summary>
    /// The supported culture a language tag means (<c>zh</c>, <c>zh-Hans-CN</c>, <c>zh-TW</c> → Chinese;
    /// <c>en-GB</c> → English), or null for one the lab does not speak.
    /// </summary>
    public static string? Match(string? tag)
    {
        if (string.IsNullOrWhiteSpace(tag)) return null;
        var primary = tag.Trim().Split('-', '_')[0].ToLowerInvariant();
        return primary switch
        {
            "zh" => Chinese,
            "en" => English,
            _ => null,
        };
    }

    /// <summary>
    /// A lesson's language: its front matter's <c>lang:</c> when it names one the lab speaks, else Chinese when most of
    /// its letters are CJK (the seed lessons have no <c>lang:</c>), else English.
    /// </summary>
    public static string OfLesson(string? declared, string text)
    {
        if (Match(declared) is { } matched) return matched;
        int cjk = 0, latin = 0;
        foreach (var c in text)
        {
            if (c is >= '\u4e00' and <= '\u9fff' or >= '\u3400' and <= '\u4dbf') cjk++;
            else if (c is >= 'a' and <= 'z' or >= 'A' and <= 'Z') latin++;
        }
        // A CJK character carries a word; Latin letters come five or so to one. Code blocks are mostly Latin: a Chinese
        // lesson with code still has far more characters of its prose than a fifth of its code's letters.
        return cjk * 5 > latin ? Chinese : English;
    }

    /// <summary>The cookie value ASP.NET Core's cookie provider reads (<c>c=zh-CN|uic=zh-CN</c>).</summary>
    public static string CookieValue(string culture) => $"c={culture}|uic={culture}";

    public static CultureInfo Info(string culture) => CultureInfo.GetCultureInfo(culture);
}
