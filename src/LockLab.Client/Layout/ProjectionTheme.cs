namespace LockLab.Client.Layout;

/// <summary>The projector's display choices, shared by the projection page and its layout.</summary>
public static class ProjectionTheme
{
    /// <summary>Dark background (projectors wash out light ones less); H switches it.</summary>
    public static bool Dark { get; set; } = true;
}
