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

    public static string Color(string process) => Styles[Index(process)].Color;
    public static string Shape(string process) => Styles[Index(process)].Shape;
    public static string ShapeName(string process) => Styles[Index(process)].ShapeName;
}
