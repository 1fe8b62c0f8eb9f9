using LockLab.Contracts;
using LockLab.Server.Lessons;

namespace LockLab.Tests.Lessons;

/// <summary>A lesson's Liquid, read by a Liquid parser (see <see cref="LessonLiquid"/>).</summary>
public class LessonLiquidTests
{
    private static readonly LessonParser Parser = new(new LessonHtml(), Scenarios.All.ToHashSet());

    private static LessonDocument Parse(string text, Func<string, string?>? readInclude = null) =>
        Parser.Parse("liquid", text, "liquid.md", t => t == "other.md" ? "/lessons/other" : null, readInclude);

    private static string Decoded(string html) => System.Net.WebUtility.HtmlDecode(html);

    [Fact]
    public void A_raw_block_keeps_the_tags_inside_it_as_written()
    {
        var lesson = Parse("""
            ---
            title: Raw
            ---
            Write {% raw %}{% include assign-heading.html %} and {{ page.title }} and {% seo %}{% endraw %} in your page.
            """);

        var page = Assert.Single(lesson.Pages); // the heading marker inside raw splits nothing
        Assert.Contains("Write {% include assign-heading.html %} and {{ page.title }} and {% seo %} in your page.", Decoded(page.Html));
        Assert.Empty(lesson.Summary.Warnings);
    }

    [Fact]
    public void Liquid_in_code_is_shown_as_written_and_raw_pairs_in_code_are_dropped_as_Jekyll_drops_them()
    {
        var html = Decoded(Parse("""
            ---
            title: Code
            ---
            The tag `{% raw %}` starts a raw block; `{% raw %}{{ page.title }}{% endraw %}` shows a variable.

            ```liquid
            {% raw %}
            {% include footer.html %}
            {% endraw %}
            ```

            ```liquid
            {{ page.title }} {% if x %}
            ```
            """).Pages[0].Html);

        Assert.Contains("<code>{% raw %}</code>", html);
        Assert.Contains("<code>{{ page.title }}</code>", html);
        Assert.Contains(">{% include footer.html %}\n</code>", html); // the raw lines went with their pair
        Assert.DoesNotContain("endraw", html);
        Assert.Contains("{{ page.title }} {% if x %}", html);
    }

    [Fact]
    public void An_unknown_tag_is_shown_as_written_with_a_warning_naming_it()
    {
        var lesson = Parse("""
            ---
            title: Unknown
            ---
            Before {% seo_magic title=1 %} after.
            """);

        Assert.Contains("Before {% seo_magic title=1 %} after.", Decoded(lesson.Pages[0].Html));
        Assert.Contains(TextTemplates.Fill(LessonWarnings.UnsupportedLiquidTag, "{% seo_magic %}"), lesson.Summary.Warnings);
    }

    [Fact]
    public void A_Liquid_syntax_error_is_a_warning_and_the_lesson_is_still_served_in_pages()
    {
        var lesson = Parse("""
            ---
            title: Broken
            post-headings: [Second]
            ---
            {% if page.title %}never closed
            {% include assign-heading.html %}
            Second page.
            """);

        Assert.Null(lesson.Summary.Error);
        Assert.Equal(["Broken", "Second"], lesson.Pages.Select(p => p.Title));
        Assert.Contains("never closed", lesson.Pages[0].Html);
        Assert.Contains("Second page.", lesson.Pages[1].Html);
        // Fluid finds the missing end at the end of the text: line 7 of the file.
        Assert.Contains(lesson.Summary.Warnings, w => w.StartsWith("liquid.md, line 7:", StringComparison.Ordinal) && w.Contains("endif"));
    }

    [Fact]
    public void Page_variables_come_from_the_front_matter_and_an_unknown_variable_is_a_warning()
    {
        var lesson = Parse("""
            ---
            title: Variables & more
            video: abc123
            ---
            This is {{ page.title }} ({{ page.video | upcase }}){% if page.missing %}, never{% endif %}; at {{ site.baseurl }}/x.
            """);

        Assert.Contains("This is Variables &amp; more (ABC123); at /x.", lesson.Pages[0].Html);
        Assert.Equal([TextTemplates.Fill(LessonWarnings.UnknownLiquidVariable, "site")], lesson.Summary.Warnings);
    }

    [Fact]
    public void Includes_and_links_are_resolved_in_the_library()
    {
        var lesson = Parse("""
            ---
            title: Include
            ---
            {% include note.html who="class" %}

            See [the other]({% link other.md %}), [a missing one]({% link _posts/missing.md %}) and {% link missing.md %}.

            {% include nowhere.html %}
            """, name => name == "note.html" ? "A note for the {{ include.who }}: `{% raw %}` in code.\n" : null);

        var html = Decoded(lesson.Pages[0].Html);
        Assert.Contains("A note for the class: <code>{% raw %}</code> in code.", html);
        Assert.Contains("""<a href="/lessons/other">the other</a>, a missing one and missing.md.""", html);
        Assert.Equal([TextTemplates.Fill(LessonWarnings.IncludeNotFound, "nowhere.html")], lesson.Summary.Warnings);
    }

    [Fact]
    public void An_include_that_includes_itself_stops_at_the_depth_limit()
    {
        var lesson = Parse("---\ntitle: Loop\n---\n{% include loop.html %}",
            name => name == "loop.html" ? "loop {% include loop.html %}" : null);

        var text = lesson.Pages[0].Html;
        Assert.Equal(LessonLimits.MaxIncludeDepth, text.Split("loop").Length - 1);
        Assert.Contains(TextTemplates.Fill(LessonWarnings.IncludeTooDeep, "loop.html", LessonLimits.MaxIncludeDepth, LessonLimits.MaxIncludes),
            lesson.Summary.Warnings);
    }

    [Fact]
    public void An_include_that_fans_out_stops_at_the_include_limit()
    {
        // Ten includes of itself at each of eight levels would be 10^8 of them.
        var lesson = Parse("---\ntitle: Bomb\n---\n{% include bomb.html %}",
            name => name == "bomb.html" ? string.Concat(Enumerable.Repeat("b{% include bomb.html %}", 10)) : null);

        Assert.Null(lesson.Summary.Error);
        Assert.Equal(LessonLimits.MaxIncludes * 10, lesson.Pages[0].Html.Count(c => c == 'b'));
        Assert.Contains(lesson.Summary.Warnings, w => w.StartsWith("The include 'bomb.html' was left out", StringComparison.Ordinal));
    }

    [Fact]
    public void Liquid_that_works_too_long_is_a_warning_not_a_hang()
    {
        var lesson = Parse("---\ntitle: Busy\n---\n{% for i in (1..100000000) %}x{% endfor %}");

        Assert.Null(lesson.Summary.Error);
        Assert.Contains(lesson.Summary.Warnings, w => w.StartsWith("liquid.md: the Liquid did too much work", StringComparison.Ordinal));
    }
}
