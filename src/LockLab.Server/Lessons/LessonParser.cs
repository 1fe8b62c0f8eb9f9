using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using LockLab.Contracts;

namespace LockLab.Server.Lessons;

/// <summary>
/// Reads one lesson file in the Jekyll format of the tutorial series the lab grew out of (front matter,
/// <c>post-headings</c>, <c>{% include assign-heading.html %}</c>, kramdown attributes) and splits it into pages:
/// an intro page for text before the first heading, then one page per section.
/// A problem that still leaves a readable lesson is a warning; only an unreadable file is an error.
/// </summary>
public sealed partial class LessonParser(LessonHtml html, IReadOnlySet<string> scenarios)
{
    /// <param name="resolveLink">Maps a <c>{% link path %}</c> target to the lab's URL of that lesson, or null.</param>
    /// <param name="readInclude">Reads <c>{% include name %}</c> from the lesson's lessons folder (see <see cref="LessonSite"/>).</param>
    public LessonDocument Parse(string slug, string text, string fileName, Func<string, string?> resolveLink,
        Func<string, string?>? readInclude = null)
    {
        var warnings = new List<string>();
        var (front, body, bodyLine) = FrontMatter.Split(text, warnings);
        var sections = JekyllSyntax.ToSections(body, new LessonSite(fileName, bodyLine, resolveLink, readInclude, front), warnings);
        var headings = front.Headings;

        // No include markers and no post-headings: a plain Markdown lesson, split at its "## " headings instead.
        if (sections.Count == 1 && headings.Count == 0)
        {
            var (parts, h2) = SplitAtH2(sections[0].Markdown);
            headings = h2;
            // Notes of an unsplit file stay with its first page.
            sections = parts.Select((markdown, i) => new JekyllSyntax.Section(markdown, i == 0 ? sections[0].Notes : "")).ToList();
        }

        var markers = sections.Count - 1;
        if (markers != headings.Count && front.Headings.Count > 0)
        {
            warnings.Add(markers < headings.Count
                ? TextTemplates.Fill(LessonWarnings.ExtraHeadings, headings.Count, markers)
                : TextTemplates.Fill(LessonWarnings.MissingHeadings, markers, headings.Count));
        }

        var declared = LessonExperiments.FromFrontMatter(front.Lab, scenarios, warnings, front.ProgramLines);
        var title = front.Title ?? TitleFromFileName(fileName, warnings);
        // The culture the lab's own words take beside this lesson (LabCultures): declared, or read off its text.
        var language = LabCultures.OfLesson(front.Language, title + front.Description + body);
        var pages = new List<LessonPage>();
        var anchors = new HashSet<string>(StringComparer.Ordinal);
        for (var section = 0; section < sections.Count; section++)
        {
            var markdown = sections[section].Markdown;
            var notes = sections[section].Notes;
            var isIntro = section == 0;
            if (isIntro && string.IsNullOrWhiteSpace(markdown) && sections.Count > 1) continue; // nothing before the first heading
            var pageTitle = isIntro ? title
                : section <= headings.Count && headings[section - 1].Length > 0 ? headings[section - 1]
                : PartTitle(section, language);
            var experiment = declared.GetValueOrDefault(section) ?? (front.Lab is null ? LessonExperiments.Infer(markdown) : null);
            pages.Add(new LessonPage(pages.Count + 1, pageTitle, UniqueAnchor(pageTitle, section, anchors),
                html.Render(markdown), experiment, string.IsNullOrWhiteSpace(notes) ? null : html.Render(notes)));
        }

        var summary = new LessonSummary(slug, title, front.Description, front.Chapter, front.Date, front.Author, language,
            pages.Count, Error: null, warnings);
        return new LessonDocument(summary, pages, front.Metadata);
    }

    /// <summary>A lesson that could not be read: listed with the reason, so its author can fix it, and nothing else breaks.</summary>
    public static LessonDocument Broken(string slug, string fileName, LessonFormatException why) =>
        new(new LessonSummary(slug, Path.GetFileNameWithoutExtension(fileName), null, null, null, null, null, 0,
                why.For(fileName), []),
            [], new Dictionary<string, string>());

    private static (List<string> Sections, IReadOnlyList<string> Headings) SplitAtH2(string markdown)
    {
        var sections = new List<string>();
        var headings = new List<string>();
        var current = new StringBuilder();
        string? fence = null;
        foreach (var line in markdown.Split('\n'))
        {
            var trimmed = line.TrimStart();
            if (trimmed.StartsWith("```", StringComparison.Ordinal) || trimmed.StartsWith("~~~", StringComparison.Ordinal))
            {
                fence = fence is null ? trimmed[..3] : trimmed.StartsWith(fence, StringComparison.Ordinal) ? null : fence;
            }
            if (fence is null && H2().Match(line) is { Success: true } h2)
            {
                sections.Add(current.ToString());
                current.Clear();
                headings.Add(h2.Groups["text"].Value.Trim());
                continue;
            }
            current.Append(line).Append('\n');
        }
        sections.Add(current.ToString());
        return (sections, headings);
    }

    /// <summary>
    /// The title of a section that has no heading: in the lesson's own language, as it stands among the lesson's
    /// headings whatever the language of the page showing it.
    /// </summary>
    private static string PartTitle(int section, string language) =>
        language == LabCultures.Chinese ? $"第 {section} 部分" : $"Part {section}";

    private static string TitleFromFileName(string fileName, List<string> warnings)
    {
        warnings.Add(LessonWarnings.NoTitle);
        return Path.GetFileNameWithoutExtension(fileName);
    }

    /// <summary>An id for the page heading: readable (CJK kept), unique within the lesson.</summary>
    private static string UniqueAnchor(string title, int section, HashSet<string> taken)
    {
        var slug = NotAnchorChars().Replace(title.Trim().ToLower(CultureInfo.InvariantCulture), "-").Trim('-');
        if (slug.Length == 0) slug = section == 0 ? "intro" : $"part-{section}";
        var anchor = slug;
        for (var n = 2; !taken.Add(anchor); n++) anchor = $"{slug}-{n}";
        return anchor;
    }

    [GeneratedRegex(@"^##\s+(?<text>[^#].*?)\s*#*\s*$", RegexOptions.None, LessonLimits.RegexTimeoutMs)]
    private static partial Regex H2();

    [GeneratedRegex(@"[^\p{L}\p{N}_]+", RegexOptions.None, LessonLimits.RegexTimeoutMs)]
    private static partial Regex NotAnchorChars();
}
