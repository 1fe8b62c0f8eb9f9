namespace LockLab.Client.Layout;

/// <summary>
/// The projector's display choices, shared by the projection page and its layout: one per page (a scoped service, not
/// a static: a page that runs on the server shares the server's statics with every other page there).
/// </summary>
public sealed class ProjectionTheme
{
    private bool _dark = true;

    /// <summary>Dark background (projectors wash out light ones less); H switches it.</summary>
    public bool Dark
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
    public event Action? Changed;
}
