namespace LockLab.Client.Components.Live;

/// <summary>
/// How a process is drawn everywhere in the lab: a colour *and* a shape, so processes stay apart on a washed-out
/// projector and for colour-blind students.
/// </summary>
public static class ProcessStyle
{
    private static readonly (string Color, string Shape, string ShapeName)[] Styles =
    [
        ("#1e88e5", "●", "circle"),
        ("#e53935", "▲", "triangle"),
        ("#43a047", "■", "square"),
        ("#8e24aa", "◆", "diamond"),
        ("#fb8c00", "★", "star"),
        ("#00897b", "⬟", "pentagon"),
        ("#6d4c41", "✚", "cross"),
        ("#546e7a", "⬢", "hexagon"),
    ];

    public static int Index(string process) =>
        process.Length > 1 && int.TryParse(process.AsSpan(1), out var n) && n >= 1 ? (n - 1) % Styles.Length : 0;

    /// <summary>The colour of the process's marks and bars in the pictures (its shape tells it apart too).</summary>
    public static string Color(string process) => Styles[Index(process)].Color;

    /// <summary>
    /// The colour of the process's name and values as text: a CSS variable (app.css) whose value follows the theme, since
    /// no one colour reads at 4.5:1 on both the light and the dark surfaces.
    /// </summary>
    public static string TextColor(string process) => $"var(--ll-p{Index(process) + 1})";
    public static string Shape(string process) => Styles[Index(process)].Shape;
    public static string ShapeName(string process) => Styles[Index(process)].ShapeName;
}
