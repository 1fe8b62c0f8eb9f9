using System.Text.RegularExpressions;

namespace LockLab.Server.Rooms;

/// <summary>What a room name may look like. Room <c>main</c> always exists; classroom rooms come later.</summary>
public static partial class RoomNames
{
    public const string Main = "main";
    public const string Rule = "A room name is 1–32 letters, digits, '-' or '_', starting with a letter or digit.";

    public static bool IsValid(string? room) => room is not null && Pattern().IsMatch(room);

    /// <summary>The SignalR group of a room.</summary>
    public static string Group(string room) => $"room:{room}";

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$")]
    private static partial Regex Pattern();
}
