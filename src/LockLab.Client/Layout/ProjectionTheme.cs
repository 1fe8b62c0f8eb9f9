namespace LockLab.Client.Layout;

/// <summary>The projector's display choices, shared by the projection page and its layout.</summary>
public static class ProjectionTheme
{
    private static bool _dark = true;

    /// <summary>Dark background (projectors wash out light ones less); H switches it.</summary>
    public static bool Dark
    {
        get => _dark;
        set
        {
            if (_dark == value) return;
            _dark = value;
            // The layout holds the theme provider; a page's own redraw does not reach it.
            Changed?.Invoke();
        }
    }

    /// <summary>Raised when <see cref="Dark"/> changes, so that the layout redraws with the other palette.</summary>
    public static event Action? Changed;
}
