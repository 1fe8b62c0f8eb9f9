using LockLab.Contracts;

namespace LockLab.Server.Runs;

/// <summary>
/// Run ids as <see cref="RunOrchestrator"/> makes them: short and URL-safe. Anything else a request names is a mistake,
/// refused with <see cref="Rule"/> before any lookup (and never echoed back at length).
/// </summary>
public static class RunIds
{
    public const int MaxLength = 64;

    /// <summary>What a run id is, in English; {0}: <see cref="MaxLength"/>.</summary>
    public const string Rule = "A run id is at most {0} letters, digits, '-' or '_'.";

    public static bool IsValid(string? id) =>
        id is { Length: > 0 and <= MaxLength } && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');

    /// <summary><see cref="Rule"/> filled in.</summary>
    public static string Described => TextTemplates.Fill(Rule, MaxLength);
}
