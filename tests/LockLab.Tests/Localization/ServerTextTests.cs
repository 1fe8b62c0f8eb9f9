using System.Globalization;
using Bunit;
using LockLab.Client.Components.Live;
using LockLab.Client.Resources;
using LockLab.Contracts;
using LockLab.Server.Lessons;
using LockLab.Tests.Components;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Localization;

namespace LockLab.Tests.Localization;

/// <summary>
/// The server's sentences for a whole room (why a run ended, a lesson's warnings and errors, the join advice) are kept in English
/// and shown in each page's own language.
/// </summary>
public class ServerTextTests
{

    private static RunInfo Ended(RunStatus status, string error) =>
        RunFixtures.Info(RunFixtures.NoLockGap, status) with { Error = error };

    [Theory]
    [InlineData("zh-CN", RunErrors.StoppedByPresenter, "已被演示者停止。")]
    [InlineData("en", RunErrors.StoppedByPresenter, RunErrors.StoppedByPresenter)]
    [InlineData("zh-CN", "The run exceeded its time limit of 30 s; its worker processes were killed.",
        "运行超过了 30 秒的时间限制；它的工作进程已被终止。")]
    [InlineData("zh-CN", "p2 (pid 4242) died while holding the lock: it exited with code 137.", "p2（pid 4242）在持有锁时意外终止：退出码为 137。")]
    [InlineData("zh-CN", "Permission denied", "Permission denied")] // the system's words: shown as they came
    public async Task A_viewer_reads_why_a_run_ended_in_the_language_of_the_page(string culture, string error, string shown)
    {
        await using var ctx = LabComponents.NewContext();
        var before = CultureInfo.CurrentUICulture;
        CultureInfo.CurrentUICulture = CultureInfo.GetCultureInfo(culture);
        try
        {
            var summary = ctx.Render<RunSummaryView>(p => p.Add(c => c.Info, Ended(RunStatus.Cancelled, error)));

            Assert.Equal(shown, summary.Find("[data-testid=run-error]").TextContent.Trim());
        }
        finally
        {
            CultureInfo.CurrentUICulture = before;
        }
    }

    [Fact]
    public void The_lesson_loader_warns_only_in_sentences_the_pages_translate()
    {
        var parser = new LessonParser(new LessonHtml(), Scenarios.All.ToHashSet());
        const string lesson = """
            ---
            date: someday
            post-headings: not a list
            lab:
              x: lock
              1: { scenario: nope }
              2: { scenario: lock, processes: many, amounts: [a], startMode: sideways }
              intro: {}
            ---
            {% highlight python %}
            print(1)
            {% endhighlight %}
            {% include unknown.html %}
            """;

        var warnings = parser.Parse("broken", lesson, "broken.md", _ => null).Summary.Warnings;

        Assert.True(warnings.Count >= 8, string.Join("\n", warnings));
        var chinese = Localizer();
        Assert.All(warnings, w =>
        {
            Assert.NotNull(ServerTexts.Match(w));
            Assert.Matches(@"\p{IsCJKUnifiedIdeographs}", InCulture("zh-CN", () => chinese.ServerText(w)));
        });
    }

    [Theory]
    [InlineData("---\ntitle: Never closed\nBody", "broken.md：front matter 在第 1 行以“---”开始，但没有用第二行“---”结束。")]
    [InlineData("---\n- a list\n- not a map\n---\nBody", "broken.md：front matter 必须是由键和值组成的 YAML 映射（title: …, date: …）。")]
    public void A_lesson_that_cannot_be_shown_says_why_in_the_language_of_the_page(string lesson, string shown)
    {
        var error = BrokenLessonError(lesson);

        Assert.Equal(shown, InCulture("zh-CN", () => Localizer().ServerText(error)));
        Assert.Equal(error, InCulture("en", () => Localizer().ServerText(error)));
    }

    [Fact]
    public void Broken_YAML_is_explained_in_Chinese_around_the_parsers_own_message()
    {
        var error = BrokenLessonError("---\ntitle: [unclosed\n---\nBody");
        var parserSays = error[(error.IndexOf("): ", StringComparison.Ordinal) + 3)..];

        var shown = InCulture("zh-CN", () => Localizer().ServerText(error));

        Assert.Matches(@"^broken\.md：front matter 不是有效的 YAML（第 \d+ 行，第 \d+ 列）：", shown);
        Assert.EndsWith("：" + parserSays, shown); // YamlDotNet's words, as it wrote them
    }

    private static string BrokenLessonError(string lesson)
    {
        var parser = new LessonParser(new LessonHtml(), Scenarios.All.ToHashSet());
        var why = Assert.Throws<LessonFormatException>(() => parser.Parse("broken", lesson, "broken.md", _ => null));
        return LessonParser.Broken("broken", "broken.md", why).Summary.Error!;
    }

    [Fact]
    public void The_join_advice_reads_in_Chinese_with_its_addresses_and_port()
    {
        var advice = TextTemplates.Fill(JoinAdvice.LoopbackOnly, "127.0.0.1:5080, [::1]:5080", 5080);

        var shown = InCulture("zh-CN", () => Localizer().ServerText(advice));

        Assert.StartsWith("实验室只在这台计算机上监听（127.0.0.1:5080, [::1]:5080）", shown);
        Assert.Contains("--urls http://*:5080（", shown);
    }

    private static IStringLocalizer<Strings> Localizer()
    {
        var services = new ServiceCollection().AddLogging().AddLocalization().BuildServiceProvider();
        return services.GetRequiredService<IStringLocalizer<Strings>>();
    }

    private static T InCulture<T>(string culture, Func<T> read)
    {
        var before = CultureInfo.CurrentUICulture;
        CultureInfo.CurrentUICulture = CultureInfo.GetCultureInfo(culture);
        try
        {
            return read();
        }
        finally
        {
            CultureInfo.CurrentUICulture = before;
        }
    }
}
