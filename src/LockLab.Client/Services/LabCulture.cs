using System.Globalization;
using System.Runtime.InteropServices.JavaScript;
using LockLab.Contracts;

namespace LockLab.Client.Services;

/// <summary>
/// The language the page runs in: the one the server chose for it (<see cref="LabCultures"/>), handed over in the
/// page's <c>lang</c> attribute (js/start.js). Set before the host runs, so that the satellite assembly of that language
/// is the one loaded. Changing it reloads the page through <c>/culture</c>, which remembers the choice.
/// </summary>
public static partial class LabCulture
{
    /// <summary>Takes the server's choice for this page (in the browser; the server's prerender has its own).</summary>
    public static void Apply()
    {
        if (!OperatingSystem.IsBrowser()) return;
        var culture = LabCultures.Match(ChosenByServer()) ?? LabCultures.English;
        CultureInfo.DefaultThreadCurrentCulture = CultureInfo.DefaultThreadCurrentUICulture = LabCultures.Info(culture);
        CultureInfo.CurrentCulture = CultureInfo.CurrentUICulture = LabCultures.Info(culture);
    }

    /// <summary>The supported culture the page shows now.</summary>
    public static string Current => LabCultures.Match(CultureInfo.CurrentUICulture.Name) ?? LabCultures.English;

    /// <summary>Where the language switch sends the browser: the choice is remembered, and the same page comes back.</summary>
    public static string SwitchUrl(string culture, string pathAndQuery) =>
        $"/culture?set={Uri.EscapeDataString(culture)}&return={Uri.EscapeDataString(pathAndQuery)}";

    [JSImport("globalThis.lockLabCulture")]
    private static partial string ChosenByServer();
}
