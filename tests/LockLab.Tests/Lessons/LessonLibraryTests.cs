using System.Net;
using System.Net.Http.Json;
using LockLab.Contracts;
using LockLab.Server.Lessons;
using LockLab.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace LockLab.Tests.Lessons;

/// <summary>A lab whose <c>LockLab:LessonsPath</c> is a scratch folder holding the fixtures and one broken lesson.</summary>
public sealed class LessonFolderLabFactory : LabServerFactory
{
    public string Folder { get; } = Directory.CreateTempSubdirectory("locklab-lessons-").FullName;

    public LessonFolderLabFactory()
    {
        foreach (var file in Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "Lessons", "Fixtures")))
        {
            File.Copy(file, Path.Combine(Folder, Path.GetFileName(file)));
        }
        File.WriteAllText(Path.Combine(Folder, "broken.md"), "---\ntitle: [oops\n---\nText");
    }

    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?> { ["LockLab:LessonsPath"] = Folder };

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        // The host may dispose the factory more than once (sync and async paths).
        if (Directory.Exists(Folder)) Directory.Delete(Folder, recursive: true);
    }
}

public class LessonLibraryTests(LessonFolderLabFactory lab) : IClassFixture<LessonFolderLabFactory>
{
    [Fact]
    public async Task The_catalog_lists_the_shipped_lessons_the_configured_folder_and_the_broken_file_with_its_error()
    {
        var catalog = await lab.CreateClient().GetFromJsonAsync("/api/lessons", ContractsJsonContext.Default.LessonSummaryArray);

        Assert.Contains(catalog!, l => l.Slug == "process-locks" && l.PageCount == 4 && l.Language == "en");
        Assert.Contains(catalog!, l => l.Slug == "process-locks-zh" && l.Title == "进程锁");
        Assert.Contains(catalog!, l => l.Slug == "lost-updates");
        Assert.Contains(catalog!, l => l.Slug == "jekyll-lesson" && l.PageCount == 4);
        var broken = Assert.Single(catalog!, l => l.Slug == "broken");
        Assert.Contains("broken.md", broken.Error);
        Assert.Contains("not valid YAML", broken.Error);
        Assert.Equal(0, broken.PageCount);
    }

    [Fact]
    public async Task A_link_to_another_lesson_in_the_library_points_into_the_lab()
    {
        var lesson = await lab.CreateClient().GetFromJsonAsync("/api/lessons/jekyll-lesson", ContractsJsonContext.Default.LessonDocument);
        Assert.Contains("""href="/lessons/other-lesson" """.Trim(), lesson!.Pages[1].Html);
    }

    [Fact]
    public async Task The_shipped_lessons_declare_their_experiments()
    {
        var lesson = await lab.CreateClient().GetFromJsonAsync("/api/lessons/process-locks", ContractsJsonContext.Default.LessonDocument);

        Assert.Equal([null, Scenarios.NoLock, Scenarios.Lock, Scenarios.Lock], lesson!.Pages.Select(p => p.Experiment?.Scenario));
        Assert.Equal(StartMode.Simultaneous, lesson.Pages[3].Experiment!.StartMode);
        Assert.Empty(lesson.Summary.Warnings);
    }

    [Fact]
    public async Task An_unknown_lesson_is_404_problem_details()
    {
        var response = await lab.CreateClient().GetAsync("/api/lessons/nope");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task A_lesson_edited_on_disk_is_reloaded_while_the_lab_runs()
    {
        var library = lab.Services.GetRequiredService<LessonLibrary>();
        var reloaded = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        library.Reloaded += () => { if (library.Find("fresh") is not null) reloaded.TrySetResult(); };

        await File.WriteAllTextAsync(Path.Combine(lab.Folder, "fresh.md"), "---\ntitle: Written during class\n---\nNew text.");
        await reloaded.Task.WaitAsync(TimeSpan.FromSeconds(20));

        var lesson = await lab.CreateClient().GetFromJsonAsync("/api/lessons/fresh", ContractsJsonContext.Default.LessonDocument);
        Assert.Equal("Written during class", lesson!.Summary.Title);
    }
}
