using System.Text;
using System.Text.RegularExpressions;
using LockLab.Contracts;

namespace LockLab.Server.Lessons;

/// <summary>
/// Turns the Jekyll/Liquid and kramdown parts of a lesson body into plain Markdown that Markdig understands, and
/// splits it into sections at each <c>{% include assign-heading.html %}</c>. Code fences are left untouched.
/// </summary>
public static partial class JekyllSyntax
{
    /// <summary>One section's Markdown, and its speaker notes (the <c>```notes</c> blocks, for the presenter only).</summary>
    public sealed record Section(string Markdown, string Notes);

    /// <summary>
    /// The sections of a body: element 0 is the text before the first heading marker (the intro), element n the text
    /// after the n-th marker.
    /// </summary>
    /// <param name="resolveLink">Maps a <c>{% link path %}</c> target to the lab's URL of that lesson, or null
    /// when the library lacks it.</param>
    public static List<Section> ToSections(string body, Func<string, string?> resolveLink, List<string> warnings)
    {
        var sections = new List<Section>();
        var current = new StringBuilder();
        var notes = new StringBuilder();
        var inNotes = false;
        string? fence = null;
        var inHighlight = false; // inside {% highlight %}: only {% endhighlight %} ends it
        var inComment = false;   // inside {% comment %}: nothing is shown
        foreach (var raw in body.Replace("\r\n", "\n").Split('\n'))
        {
            var line = raw;
            if (inComment)
            {
                if (EndComment().IsMatch(line)) inComment = false;
                continue;
            }
            if (inHighlight)
            {
                if (EndHighlight().IsMatch(line))
                {
                    current.Append(HighlightFence).Append('\n');
                    inHighlight = false;
                }
                else
                {
                    current.Append(line).Append('\n');
                }
                continue;
            }
            if (fence is not null)
            {
                var closes = line.TrimStart().StartsWith(fence, StringComparison.Ordinal) && line.Trim().Trim(fence[0]).Length == 0;
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
            if (IncludeHeading().IsMatch(line))
            {
                sections.Add(new Section(current.ToString(), notes.ToString()));
                current.Clear();
                notes.Clear();
                line = IncludeHeading().Replace(line, "");
                if (line.Trim().Length == 0) continue;
            }
            if (Highlight().Match(line) is { Success: true } highlight)
            {
                // Liquid's code block becomes a fenced block, with a fence longer than any backtick line inside it.
                inHighlight = true;
                current.Append(HighlightFence).Append(highlight.Groups["lang"].Value).Append('\n');
                continue;
            }
            if (Comment().IsMatch(line) && !EndComment().IsMatch(line))
            {
                inComment = true;
                continue;
            }
            if (BlockAttributeLine().IsMatch(line)) continue; // kramdown block attributes and options: nothing to show
            line = ReplaceTags(line, resolveLink, warnings);
            // A trailing space keeps the line break: Markdig's attribute parser swallows a newline right after '}'.
            line = InlineAttributes().Replace(line, m => m.Index + m.Length == line.TrimEnd().Length
                ? $"{{{m.Groups["attrs"].Value}}} "
                : $"{{{m.Groups["attrs"].Value}}}");
            current.Append(line).Append('\n');
        }
        sections.Add(new Section(current.ToString(), notes.ToString()));
        return sections;
    }

    private const string HighlightFence = "``````````";

    private static string ReplaceTags(string line, Func<string, string?> resolveLink, List<string> warnings)
    {
        line = InlineComment().Replace(line, "");
        // [text]({% link path %}): a link when the library has the target, otherwise just the text.
        line = MarkdownLinkToTag().Replace(line, m =>
            resolveLink(m.Groups["path"].Value.Trim()) is { } url ? $"[{m.Groups["text"].Value}]({url})" : m.Groups["text"].Value);
        return AnyTag().Replace(line, m =>
        {
            var name = m.Groups["name"].Value;
            var argument = m.Groups["arg"].Value.Trim();
            switch (name)
            {
                case "link" or "post_url":
                    return resolveLink(argument) is { } url ? $"<{url}>" : argument;
                case "raw" or "endraw":
                    return "";
                case "comment" or "endcomment": // a one-line {% comment %}…{% endcomment %} was removed whole above
                    return "";
                default:
                    warnings.Add(TextTemplates.Fill(LessonWarnings.UnsupportedLiquidTag, $"{{% {name} %}}"));
                    return "";
            }
        });
    }

    [GeneratedRegex(@"^\s{0,3}(?<fence>`{3,}|~{3,})(?<info>.*)$", RegexOptions.None, LessonLimits.RegexTimeoutMs)]
    private static partial Regex FenceOpening();

    [GeneratedRegex(@"\{%-?\s*include\s+assign-heading\.html\s*-?%\}", RegexOptions.None, LessonLimits.RegexTimeoutMs)]
    private static partial Regex IncludeHeading();

    [GeneratedRegex(@"^\s*\{%-?\s*highlight\s+(?<lang>[\w+#-]+)[^%]*-?%\}\s*$", RegexOptions.None, LessonLimits.RegexTimeoutMs)]
    private static partial Regex Highlight();

    [GeneratedRegex(@"^\s*\{%-?\s*endhighlight\s*-?%\}\s*$", RegexOptions.None, LessonLimits.RegexTimeoutMs)]
    private static partial Regex EndHighlight();

    [GeneratedRegex(@"^\s*\{:[^}]*\}\s*$", RegexOptions.None, LessonLimits.RegexTimeoutMs)]
    private static partial Regex BlockAttributeLine();

    [GeneratedRegex(@"\[(?<text>[^\]]*)\]\(\s*\{%-?\s*(?:link|post_url)\s+(?<path>[^%]+?)\s*-?%\}\s*\)",
        RegexOptions.None, LessonLimits.RegexTimeoutMs)]
    private static partial Regex MarkdownLinkToTag();

    [GeneratedRegex(@"\{%-?\s*(?<name>\w+)(?<arg>[^%]*?)\s*-?%\}", RegexOptions.None, LessonLimits.RegexTimeoutMs)]
    private static partial Regex AnyTag();

    [GeneratedRegex(@"\{%-?\s*comment\s*-?%\}", RegexOptions.None, LessonLimits.RegexTimeoutMs)]
    private static partial Regex Comment();

    [GeneratedRegex(@"\{%-?\s*endcomment\s*-?%\}", RegexOptions.None, LessonLimits.RegexTimeoutMs)]
    private static partial Regex EndComment();

    [GeneratedRegex(@"\{%-?\s*comment\s*-?%\}.*?\{%-?\s*endcomment\s*-?%\}", RegexOptions.None, LessonLimits.RegexTimeoutMs)]
    private static partial Regex InlineComment();

    /// <summary>
    /// kramdown's inline attribute list <c>{:target="_blank"}</c> is Markdig's generic attributes
    /// <c>{target="_blank"}</c>.
    /// </summary>
    [GeneratedRegex(@"\{:\s*(?<attrs>[^}]*)\}", RegexOptions.None, LessonLimits.RegexTimeoutMs)]
    private static partial Regex InlineAttributes();
}
