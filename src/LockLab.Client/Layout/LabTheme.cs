using MudBlazor;

namespace LockLab.Client.Layout;

/// <summary>
/// The lab's look: large, plain type that reads from the back of a classroom, in colours that meet WCAG AA contrast
/// (4.5:1 for text) in both themes. MudBlazor's defaults do not: white on its light green, orange and blue, and its
/// mid-grey secondary text on the dark surface, fall short. Light theme: strong colours carry white text. Dark theme:
/// pale colours carry dark text, and the "darken" shades, which MudBlazor uses for an alert's text on its tinted
/// background, are lighter still, because on a dark surface darker would mean fainter.
/// </summary>
public static class LabTheme
{
    private const string OnPale = "#10131f";

    public static MudTheme Theme { get; } = new()
    {
        PaletteLight = new PaletteLight
        {
            Primary = "#3949ab",
            Secondary = "#00796b",
            AppbarBackground = "#283593",
            Success = "#2e7d32",
            SuccessDarken = "#1b5e20",
            Warning = "#a14a00",
            WarningDarken = "#7a3800",
            Info = "#1565c0",
            InfoDarken = "#0d47a1",
            Error = "#c62828",
            ErrorDarken = "#8e0000",
            TextSecondary = "rgba(0,0,0,0.62)",
        },
        PaletteDark = new PaletteDark
        {
            Primary = "#9fa8da",
            PrimaryContrastText = OnPale,
            Secondary = "#80cbc4",
            SecondaryContrastText = OnPale,
            Success = "#66bb6a",
            SuccessContrastText = OnPale,
            SuccessDarken = "#a5d6a7",
            Warning = "#ffb74d",
            WarningContrastText = OnPale,
            WarningDarken = "#ffe0b2",
            Info = "#64b5f6",
            InfoContrastText = OnPale,
            InfoDarken = "#bbdefb",
            Error = "#ef9a9a",
            ErrorContrastText = OnPale,
            ErrorDarken = "#ffcdd2",
            TextSecondary = "rgba(255,255,255,0.70)",
        },
    };
}
