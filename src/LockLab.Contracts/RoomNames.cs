using System.Security.Cryptography;
using System.Text.RegularExpressions;

namespace LockLab.Contracts;

/// <summary>What a room name may look like, and the short codes classrooms get: one rule for the API, the hub and the pages.</summary>
public static partial class RoomNames
{
    public const string Main = "main";
    public const string Rule = "A room name is 1–32 letters, digits, '-' or '_', starting with a letter or digit.";

    /// <summary>No 0/O, 1/I/L: a code read aloud or off a projector is not misread.</summary>
    public const string CodeAlphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789";
    public const int CodeLength = 4;

    public static bool IsValid(string? room) => room is not null && Pattern().IsMatch(room);

    /// <summary>A fresh random classroom code such as <c>K7QX</c>.</summary>
    public static string NewCode() => RandomNumberGenerator.GetString(CodeAlphabet, CodeLength);

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$")]
    private static partial Regex Pattern();
}
