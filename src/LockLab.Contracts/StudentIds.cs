using System.Security.Cryptography;
using System.Text.RegularExpressions;

namespace LockLab.Contracts;

/// <summary>
/// The id a student's page keeps (in the browser's storage) and sends on joining a room as a student: it groups that
/// student's pages and runs, nothing more — it proves nothing, and the lab trusts it for nothing else.
/// </summary>
public static partial class StudentIds
{
    public const string Rule = "A student id is 8–64 letters, digits, '-' or '_'.";

    public static bool IsValid(string? id) => id is not null && Pattern().IsMatch(id);

    /// <summary>A fresh random id (22 characters, 128 bits).</summary>
    public static string NewId() =>
        Convert.ToBase64String(RandomNumberGenerator.GetBytes(16)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    [GeneratedRegex("^[A-Za-z0-9_-]{8,64}$")]
    private static partial Regex Pattern();
}
