using System.Text;
using System.Text.RegularExpressions;

namespace LockLab.Server.Lessons;

/// <summary>
/// Turns the Jekyll/Liquid and kramdown parts of a lesson body into plain Markdown that Markdig understands, and
/// splits it into sections at each <c>{% include assign-heading.html %}</c>. Liquid is <see cref="LessonLiquid"/>'s;
/// what is left here is line by line: pages, speaker notes and kramdown's attributes. Code fences are left untouched.
/// </summary>
public static partial class JekyllSyntax
{
    /// <summary>One section's Markdown, and its speaker notes (the <c>```notes</c> blocks, for the presenter only).</summary>
    public sealed record Section(string Markdown, string Notes);

    /// <summary>
    /// The sections of a body: element 0 is the text before the first heading marker (the intro), element n the text
    /// after the n-th marker.
    /// </summary>
    public static List<Section> ToSections(string body, LessonSite site, List<string> warnings)
    {
        var sections = new List<Section>();
        var current = new StringBuilder();
        var notes = new StringBuilder();
        var inNotes = false;
        string? fence = null;
        var markdown = LessonLiquid.Render(body.Replace("\r\n", "\n"), site, warnings);
        foreach (var raw in markdown.Split('\n'))
        {
            var line = raw;
            if (fence is not null)
            {
                var closes = ClosesFence(line, fence);
                if (closes) fence = null;
                if (inNotes)
                {
                    if (closes) inNotes = false;
                    else notes.Append(line).Append('\n');
                }
                else
                {
                    current.Append(line).Append('\n');
                }
                continue;
            }
            if (FenceOpening().Match(line) is { Success: true } open)
            {
                fence = open.Groups["fence"].Value;
                // ```notes: speaker notes, shown to the presenter beside the page, never to the class.
                inNotes = open.Groups["info"].Value.Trim().Equals("notes", StringComparison.OrdinalIgnoreCase);
                if (!inNotes) current.Append(line).Append('\n');
                continue;
            }
            if (line.Contains(LessonLiquid.SectionBreak))
            {
                sections.Add(new Section(current.ToString(), notes.ToString()));
                current.Clear();
                notes.Clear();
                line = line.Replace(LessonLiquid.SectionBreak.ToString(), "");
                if (line.Trim().Length == 0) continue;
            }
            if (BlockAttributeLine().IsMatch(line)) continue; // kramdown block attributes and options: nothing to show
            // A trailing space keeps the line break: Markdig's attribute parser swallows a newline right after '}'.
            line = InlineAttributes().Replace(line, m => m.Index + m.Length == line.TrimEnd().Length
                ? $"{{{m.Groups["attrs"].Value}}} "
                : $"{{{m.Groups["attrs"].Value}}}");
            current.Append(line).Append('\n');
        }
        sections.Add(new Section(current.ToString(), notes.ToString()));
        return sections;
    }

    /// <summary>Whether <paramref name="line"/> closes a code block opened by <paramref name="fence"/>.</summary>
    internal static bool ClosesFence(string line, string fence) =>
        line.TrimStart().StartsWith(fence, StringComparison.Ordinal) && line.Trim().Trim(fence[0]).Length == 0;

    [GeneratedRegex(@"^\s{0,3}(?<fence>`{3,}|~{3,})(?<info>.*)$", RegexOptions.None, LessonLimits.RegexTimeoutMs)]
    internal static partial Regex FenceOpening();

    [GeneratedRegex(@"^\s*\{:[^}]*\}\s*$", RegexOptions.None, LessonLimits.RegexTimeoutMs)]
    private static partial Regex BlockAttributeLine();

    /// <summary>
    /// kramdown's inline attribute list <c>{:target="_blank"}</c> is Markdig's generic attributes
    /// <c>{target="_blank"}</c>.
    /// </summary>
    [GeneratedRegex(@"\{:\s*(?<attrs>[^}]*)\}", RegexOptions.None, LessonLimits.RegexTimeoutMs)]
    private static partial Regex InlineAttributes();
}
