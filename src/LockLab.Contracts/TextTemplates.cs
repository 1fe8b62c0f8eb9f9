using System.Globalization;
using System.Text.RegularExpressions;

namespace LockLab.Contracts;

/// <summary>
/// Reads a sentence back into the template it was written from: "There is no room 'K7QX'." is
/// "There is no room '{0}'." with K7QX in its hole. A translation keyed by the English template can then be filled with
/// the same values (the server's problem details, <see cref="ServerTexts"/> on the page).
/// </summary>
public sealed partial class TextTemplates
{
    private readonly (Regex Pattern, string Template)[] _patterns;

    /// <param name="templates">English texts; those with holes (<c>{0}</c>, <c>{1}</c>, …, or with a format: <c>{0:N0}</c>)
    /// are the templates.</param>
    public TextTemplates(IEnumerable<string> templates) =>
        // The most specific first: "Must be between {0} and {1}." also reads "Must be between 1 and 8; got 9." (with
        // "8; got 9" for {1}), which "Must be between {0} and {1}; got {2}." reads right. The template matching the most
        // literal text leaves the least to its holes.
        _patterns = [.. templates
            .Where(HasHoles)
            .Distinct(StringComparer.Ordinal)
            .OrderByDescending(t => Hole().Replace(t, "").Length)
            .ThenBy(t => t, StringComparer.Ordinal)
            .Select(t => (ToPattern(t), t))];

    /// <summary>The template <paramref name="text"/> was written from and the values in its holes; null when none fits.</summary>
    public (string Template, string[] Values)? Match(string text)
    {
        foreach (var (pattern, template) in _patterns)
        {
            Match match;
            try
            {
                match = pattern.Match(text);
            }
            catch (RegexMatchTimeoutException)
            {
                // A text built to make the holes backtrack: not one of the lab's; it stays as it is.
                continue;
            }
            if (match.Success) return (template, [.. match.Groups.Cast<Group>().Skip(1).Select(g => g.Value)]);
        }
        return null;
    }

    public static bool HasHoles(string text) => Hole().IsMatch(text);

    /// <summary>The template with its holes filled, numbers as the lab writes them everywhere (1234.5, not 1 234,5).</summary>
    public static string Fill(string template, params object?[] values) => string.Format(CultureInfo.InvariantCulture, template, values);

    /// <summary>"There is no room '{0}'." → <c>^There is no room '(.*?)'\.$</c>.</summary>
    private static Regex ToPattern(string template) =>
        new("^" + EscapedHole().Replace(Regex.Escape(template), "(.*?)") + "$",
            // A bound against texts built to backtrack, generous enough that a busy machine's pause (a lab's own texts
            // match in microseconds) does not cut a real match short: at 100 ms one did, under a full test run.
            RegexOptions.CultureInvariant | RegexOptions.Singleline, TimeSpan.FromSeconds(1));

    [GeneratedRegex(@"\{\d+(?:,-?\d+)?(?::[^{}]*)?\}")]
    private static partial Regex Hole();

    /// <summary>A hole as <see cref="Regex.Escape"/> writes it: <c>\{0}</c>, <c>\{0:N0}</c>.</summary>
    [GeneratedRegex(@"\\\{\d+(?:,-?\d+)?(?::[^{}]*)?}")]
    private static partial Regex EscapedHole();
}
