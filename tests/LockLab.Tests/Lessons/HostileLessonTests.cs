using System.Net.Http.Json;
using LockLab.Contracts;
using LockLab.Tests.Support;

namespace LockLab.Tests.Lessons;

/// <summary>
/// A lessons folder written by someone who means harm (made at test time: links cannot be shipped as plain files).
/// Next to it, outside it, a secret the links try to reach.
/// </summary>
public sealed class HostileLessonsLabFactory : LabServerFactory
{
    public const string Secret = "TOP-SECRET-7f3a";
    public const long MaxBytes = 100_000;

    private readonly string _root = Directory.CreateTempSubdirectory("locklab-hostile-").FullName;

    public string Folder => Path.Combine(_root, "lessons");

    public HostileLessonsLabFactory()
    {
        Directory.CreateDirectory(Folder);
        var outside = Directory.CreateDirectory(Path.Combine(_root, "outside")).FullName;
        File.WriteAllText(Path.Combine(outside, "secret.md"), $"# Secret\n\n{Secret}\n");
        File.WriteAllText(Path.Combine(Folder, "real-lesson.md"), "---\ntitle: Real\n---\nSome text.\n\n## Part\n\nMore.\n");

        File.CreateSymbolicLink(Path.Combine(Folder, "leak.md"), "/proc/self/environ");
        File.CreateSymbolicLink(Path.Combine(Folder, "sneaky.md"), Path.Combine("..", "outside", "secret.md"));
        Directory.CreateSymbolicLink(Path.Combine(Folder, "linked-folder"), outside);
        File.CreateSymbolicLink(Path.Combine(Folder, "alias.md"), "real-lesson.md"); // inside: fine
        File.CreateSymbolicLink(Path.Combine(Folder, "dangling.md"), "no-such-file.md");
        // A link whose own text goes through a linked folder: followed link by link it seems to stay inside.
        Directory.CreateSymbolicLink(Path.Combine(Folder, "proc"), "/proc/self");
        File.CreateSymbolicLink(Path.Combine(Folder, "through.md"), Path.Combine("proc", "environ"));
        File.CreateSymbolicLink(Path.Combine(Folder, "zeros.md"), "/dev/zero");

        File.WriteAllText(Path.Combine(Folder, "huge.md"), "# Huge\n\n" + new string('x', (int)MaxBytes * 2));
        File.WriteAllText(Path.Combine(Folder, "laughs.md"), """
            ---
            title: Laughs
            a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
            b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
            c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
            d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
            e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
            f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
            g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
            ---
            Text
            """);
        File.WriteAllText(Path.Combine(Folder, "overlay.md"), """
            ---
            title: Overlay
            ---
            <div class="mud-overlay fixed z-40">Press here to continue</div>

            ```python
            import time
            ```
            """);
        File.WriteAllText(Path.Combine(Folder, "backtracking.md"), "# Slow\n\n{% x" + new string(' ', 60_000) + "\n");

        // Includes: only _includes/ of this folder, never a file outside it, however the name or a link tries.
        var includes = Directory.CreateDirectory(Path.Combine(Folder, "_includes")).FullName;
        File.WriteAllText(Path.Combine(includes, "note.md"), "A note from the includes, {{ include.who }}.\n");
        File.CreateSymbolicLink(Path.Combine(includes, "secret.html"), Path.Combine("..", "..", "outside", "secret.md"));
        File.CreateSymbolicLink(Path.Combine(includes, "environ.html"), "/proc/self/environ");
        File.WriteAllText(Path.Combine(Folder, "includes.md"), """
            ---
            title: Includes
            ---
            {% include note.md who="teacher" %}

            {% include secret.html %}
            {% include environ.html %}
            {% include ../../outside/secret.md %}
            {% include /proc/self/environ %}
            {% include ../outside/secret.md %}
            """);
    }

    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["LockLab:LessonsPath"] = Folder,
        ["LockLab:MaxLessonBytes"] = MaxBytes.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (Directory.Exists(_root)) Directory.Delete(_root, recursive: true);
    }
}

public class HostileLessonTests(HostileLessonsLabFactory lab) : IClassFixture<HostileLessonsLabFactory>
{
    private async Task<LessonSummary[]> CatalogAsync() =>
        (await lab.CreateClient().GetFromJsonAsync("/api/lessons", ContractsJsonContext.Default.LessonSummaryArray))!;

    private async Task<string> EverythingServedAsync()
    {
        var client = lab.CreateClient();
        var all = new List<string> { await client.GetStringAsync("/api/lessons") };
        foreach (var lesson in await CatalogAsync())
        {
            all.Add(await client.GetStringAsync($"/api/lessons/{lesson.Slug}"));
            all.Add(await client.GetStringAsync($"/lessons/{lesson.Slug}"));
        }
        return string.Join('\n', all);
    }

    [Theory]
    [InlineData("leak")]
    [InlineData("sneaky")]
    [InlineData("through")] // through.md -> proc/environ, proc -> /proc/self
    [InlineData("zeros")] // /dev/zero: endless
    public async Task A_link_out_of_the_lessons_folder_is_listed_as_refused_and_never_read(string slug)
    {
        var refused = Assert.Single(await CatalogAsync(), l => l.Slug == slug);
        Assert.Contains("outside the lessons folder", refused.Error);
        Assert.Equal(0, refused.PageCount);
        var served = await EverythingServedAsync();
        Assert.DoesNotContain(HostileLessonsLabFactory.Secret, served);
        Assert.DoesNotContain("PATH=", served); // /proc/self/environ
    }

    [Fact]
    public async Task A_link_inside_the_folder_is_followed_and_a_dangling_one_explained()
    {
        var catalog = await CatalogAsync();
        Assert.Equal(2, Assert.Single(catalog, l => l.Slug == "alias").PageCount);
        Assert.Contains("does not exist", Assert.Single(catalog, l => l.Slug == "dangling").Error);
        // A linked folder that leads out (linked-folder → ../outside, proc → /proc/self) is not even entered.
        Assert.DoesNotContain(catalog, l => l.Slug == "secret");
        Assert.DoesNotContain(catalog, l => l.Slug is "status" or "cmdline" or "environ");
    }

    [Fact]
    public async Task A_file_over_the_size_limit_is_not_read_and_the_catalog_says_why()
    {
        var huge = Assert.Single(await CatalogAsync(), l => l.Slug == "huge");
        Assert.Contains("LockLab:MaxLessonBytes", huge.Error);
        Assert.Equal(0, huge.PageCount);
    }

    [Fact]
    public async Task Front_matter_that_expands_aliases_exponentially_is_refused()
    {
        var laughs = Assert.Single(await CatalogAsync(), l => l.Slug == "laughs");
        Assert.Contains("aliases", laughs.Error);
    }

    [Fact]
    public async Task A_tag_that_never_closes_is_a_warning_not_a_stall()
    {
        // Once a pattern that backtracked over the spaces (and gave up after its timeout, the lesson refused); Liquid's
        // parser reads the line once, and the unclosed tag is a syntax error like any other.
        var slow = Assert.Single(await CatalogAsync(), l => l.Slug == "backtracking");
        Assert.Null(slow.Error);
        Assert.Contains(slow.Warnings, w => w.StartsWith("backtracking.md, line 3: the Liquid could not be read", StringComparison.Ordinal));
        Assert.Equal(System.Net.HttpStatusCode.OK, (await lab.CreateClient().GetAsync("/healthz")).StatusCode);
    }

    [Fact]
    public async Task A_lesson_cannot_borrow_the_labs_classes_but_code_keeps_its_highlighting()
    {
        var overlay = await lab.CreateClient().GetFromJsonAsync("/api/lessons/overlay", ContractsJsonContext.Default.LessonDocument);
        var html = overlay!.Pages[0].Html;
        Assert.Contains("Press here to continue", html);
        Assert.DoesNotContain("mud-overlay", html);
        Assert.DoesNotContain("z-40", html);
        Assert.DoesNotContain("fixed", html);
        Assert.Contains("language-python", html);
        Assert.Contains("class=\"code-copy\"", html);
        Assert.Contains("<button", html); // the copy button survives the last sanitizing pass
        Assert.Contains("class=\"keyword\"", html); // ColorCode's markup, checked after it was inserted
    }

    [Fact]
    public async Task An_include_is_read_from_the_folders_includes_and_never_from_outside_it()
    {
        var catalog = await CatalogAsync();
        var lesson = Assert.Single(catalog, l => l.Slug == "includes");
        Assert.Null(lesson.Error);
        Assert.DoesNotContain(catalog, l => l.Slug == "note"); // a file of _includes is not a lesson
        var html = (await lab.CreateClient().GetFromJsonAsync("/api/lessons/includes", ContractsJsonContext.Default.LessonDocument))!
            .Pages[0].Html;
        Assert.Contains("A note from the includes, teacher.", html);
        foreach (var refused in new[] { "secret.html", "environ.html", "../../outside/secret.md", "/proc/self/environ", "../outside/secret.md" })
        {
            Assert.Contains(lesson.Warnings, w => w.Contains($"'{refused}'") && w.Contains("_includes"));
        }
        var served = await EverythingServedAsync();
        Assert.DoesNotContain(HostileLessonsLabFactory.Secret, served);
        Assert.DoesNotContain("PATH=", served);
    }
}
