using MudBlazor;

namespace LockLab.Client.Layout;

/// <summary>The lab's look: large, plain type that reads from the back of a classroom.</summary>
public static class LabTheme
{
    public static MudTheme Theme { get; } = new()
    {
        PaletteLight = new PaletteLight { Primary = "#3949ab", Secondary = "#00897b", AppbarBackground = "#283593" },
        PaletteDark = new PaletteDark { Primary = "#9fa8da", Secondary = "#80cbc4" },
    };
}
