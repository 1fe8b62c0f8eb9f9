using System.Net.Http.Json;
using System.Text.Json;
using LockLab.TestServices;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace LockLab.EndToEndTests;

/// <summary>A classroom in real browsers: the presenter drives, a follower follows, the projector shows it big.</summary>
[Collection(PublishedLab.Collection)]
public class ClassroomTests(BrowserFixture lab) : IClassFixture<BrowserFixture>
{
    [SkippableFact]
    public async Task The_follower_follows_the_presenters_pages_and_both_see_a_run_started_over_http()
    {
        Prerequisites.Require(Prerequisites.Chromium);
        var code = await lab.Server.CreateClassroomAsync();
        var (presenter, presenterErrors) = await lab.NewPageAsync();
        var (follower, followerErrors) = await lab.NewPageAsync(1280, 720);

        await presenter.GotoAsync(new Uri(lab.Server.Address, $"/rooms/{code}/present?key={ServerProcess.Key}").ToString());
        await BrowserFixture.WaitUntilLiveAsync(presenter);
        await Expect(presenter.GetByTestId("page-title")).ToHaveTextAsync("Process locks"); // a fresh room opens the first lesson
        await Expect(presenter.GetByTestId("room-code")).ToHaveTextAsync(code);

        await follower.GotoAsync(new Uri(lab.Server.Address, $"/rooms/{code}").ToString());
        await BrowserFixture.WaitUntilLiveAsync(follower);
        await Expect(follower.GetByTestId("page-title")).ToHaveTextAsync("Process locks");
        await Expect(presenter.GetByTestId("viewers")).ToContainTextAsync("2 connected");

        await Expect(presenter.GetByTestId("presenter-page")).ToHaveAttributeAsync("data-keys", "on"); // its keys attached
        // The presenter steps forward with the keyboard; the follower's page moves with it.
        await presenter.Keyboard.PressAsync("ArrowRight");
        await Expect(presenter.GetByTestId("page-title")).ToHaveTextAsync("Without a lock");
        await Expect(follower.GetByTestId("page-title")).ToHaveTextAsync("Without a lock");
        await Expect(presenter.GetByTestId("speaker-notes")).ToContainTextAsync("Ask the class");

        // A run started from anywhere over HTTP shows live on both.
        using var client = lab.Server.CreateClient(presenter: true);
        var started = await client.PostAsync($"/api/rooms/{code}/runs", new StringContent("""{"scenario":"no-lock"}"""));
        Assert.Equal(System.Net.HttpStatusCode.Accepted, started.StatusCode);
        foreach (var page in new[] { presenter, follower })
        {
            await Expect(page.GetByTestId("run-status")).ToHaveAttributeAsync("data-status", "completed");
            await Expect(page.Locator("[data-testid=console-line]")).ToHaveCountAsync(10);
        }

        // A follower may browse on its own, then follow again.
        await follower.GetByTestId("detach").ClickAsync();
        await follower.GetByTestId("next-page").ClickAsync();
        await Expect(follower.GetByTestId("page-title")).ToHaveTextAsync("With a lock");
        await presenter.Keyboard.PressAsync("End");
        await Expect(presenter.GetByTestId("page-title")).ToHaveTextAsync("Who gets the lock first?");
        await Expect(follower.GetByTestId("page-title")).ToHaveTextAsync("With a lock"); // detached: stays
        await follower.GetByTestId("follow").ClickAsync();
        await Expect(follower.GetByTestId("page-title")).ToHaveTextAsync("Who gets the lock first?");

        await presenter.ScreenshotAsync(new PageScreenshotOptions
        {
            Path = Path.Combine(BrowserFixture.ArtifactsFolder, "presenter.png"),
            FullPage = true
        });
        Assert.Empty(presenterErrors);
        Assert.Empty(followerErrors);
    }

    [SkippableTheory]
    [InlineData(1280, 720)]
    [InlineData(1920, 1080)]
    public async Task The_projector_view_is_readable_at_classroom_resolutions(int width, int height)
    {
        Prerequisites.Require(Prerequisites.Chromium);
        var code = await lab.Server.CreateClassroomAsync();
        using (var client = lab.Server.CreateClient(presenter: true))
        {
            (await client.PostAsync($"/api/rooms/{code}/page",
                JsonContent.Create(new { lesson = "process-locks", page = 3 }))).EnsureSuccessStatusCode();
            (await client.PostAsync($"/api/rooms/{code}/runs", new StringContent("""{"scenario":"lock"}"""))).EnsureSuccessStatusCode();
        }
        var (page, errors) = await lab.NewPageAsync(width, height);
        await page.GotoAsync(new Uri(lab.Server.Address, $"/rooms/{code}/project").ToString());
        await BrowserFixture.WaitUntilLiveAsync(page);
        await Expect(page.GetByTestId("page-title")).ToHaveTextAsync("With a lock");
        await Expect(page.GetByTestId("projection-code")).ToHaveTextAsync(code);
        await Expect(page.GetByTestId("run-status")).ToHaveAttributeAsync("data-status", "completed");

        // Back-row sizes: the lesson text at least 20 px, the page title at least 36 px, and nothing wider than the screen.
        var textSize = await page.GetByTestId("lesson-text").EvaluateAsync<double>("e => parseFloat(getComputedStyle(e).fontSize)");
        var titleSize = await page.GetByTestId("page-title").EvaluateAsync<double>("e => parseFloat(getComputedStyle(e).fontSize)");
        var overflow = await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth > window.innerWidth + 1");
        Assert.True(textSize >= 20, $"lesson text is {textSize} px");
        Assert.True(titleSize >= 36, $"page title is {titleSize} px");
        Assert.False(overflow, "the projector view scrolls sideways");

        // The tabs fit: no scroll arrows beside them.
        await Expect(page.GetByRole(AriaRole.Tab, new() { Name = "Compare" })).ToBeInViewportAsync(new() { Ratio = 1 });
        Assert.True(await page.Locator("[role=tablist]").EvaluateAsync<bool>("e => e.scrollWidth <= e.clientWidth"), "the tabs overflow their list");

        // + makes the text larger; B blanks the screen and B again brings it back.
        await Expect(page.GetByTestId("projection")).ToHaveAttributeAsync("data-keys", "on");
        await page.Keyboard.PressAsync("+");
        await Expect(page.GetByTestId("projection")).ToHaveAttributeAsync("data-zoom", "1.625");
        await page.ScreenshotAsync(new PageScreenshotOptions
        {
            Path = Path.Combine(BrowserFixture.ArtifactsFolder, $"projector-{width}x{height}.png")
        });
        await page.Keyboard.PressAsync("b");
        await Expect(page.GetByTestId("blank")).ToBeVisibleAsync();
        await page.Keyboard.PressAsync("b");
        await Expect(page.GetByTestId("blank")).ToHaveCountAsync(0);
        Assert.Empty(errors);
    }

    [SkippableTheory]
    [InlineData(360, 740)]
    [InlineData(390, 844)]
    public async Task On_a_phone_the_follower_sees_the_live_output_first_when_a_run_starts(int width, int height)
    {
        Prerequisites.Require(Prerequisites.Chromium);
        var code = await lab.Server.CreateClassroomAsync();
        using var client = lab.Server.CreateClient(presenter: true);
        (await client.PostAsync($"/api/rooms/{code}/page",
            JsonContent.Create(new { lesson = "process-locks", page = 2 }))).EnsureSuccessStatusCode();
        var (follower, errors) = await lab.NewPageAsync(width, height);
        await follower.GotoAsync(new Uri(lab.Server.Address, $"/rooms/{code}").ToString());
        await BrowserFixture.WaitUntilLiveAsync(follower);
        await Expect(follower.GetByTestId("page-title")).ToHaveTextAsync("Without a lock");

        // The app bar is one line (48–64 px, MudBlazor's dense and regular heights), nothing scrolls sideways.
        var bar = (await follower.Locator("header.mud-appbar").BoundingBoxAsync())!;
        Assert.True(bar.Height <= 64, $"the app bar is {bar.Height} px high at {width} px: it wraps");
        foreach (var link in new[] { "nav-history", "nav-join", "theme-toggle" })
        {
            var box = (await follower.GetByTestId(link).BoundingBoxAsync())!;
            Assert.True(box.Y >= bar.Y && box.Y + box.Height <= bar.Y + bar.Height, $"{link} sticks out of the app bar");
        }
        Assert.False(await follower.EvaluateAsync<bool>("() => document.documentElement.scrollWidth > window.innerWidth + 1"),
            "the page scrolls sideways");

        // The student is reading further down when the presenter starts a run (slow enough to be looked at while on).
        await follower.EvaluateAsync("() => window.scrollTo(0, document.body.scrollHeight / 2)");
        var run = await StartRunAsync(client, code, """{"scenario":"no-lock","delayMs":400}""");
        await Expect(follower.Locator($"[data-testid=run-status][data-run='{run}']")).ToHaveAttributeAsync("data-status", "running");
        await Expect(follower.GetByTestId("live-counter")).ToBeVisibleAsync();
        // The console and the counter, whole, without the student scrolling.
        await Expect(follower.GetByTestId("console")).ToBeInViewportAsync(new() { Ratio = 1 });
        await Expect(follower.GetByTestId("live-counter")).ToBeInViewportAsync(new() { Ratio = 1 });
        await Expect(follower.Locator("[data-testid=console-line]").First).ToBeVisibleAsync();
        await follower.ScreenshotAsync(new PageScreenshotOptions
        {
            Path = Path.Combine(BrowserFixture.ArtifactsFolder, $"follower-phone-{width}x{height}.png")
        });
        // The panel's tabs fit the phone's width: no scroll arrows.
        await Expect(follower.GetByRole(AriaRole.Tab, new() { Name = "Compare" })).ToBeInViewportAsync(new() { Ratio = 1 });
        Assert.True(await follower.Locator("[role=tablist]").EvaluateAsync<bool>("e => e.scrollWidth <= e.clientWidth"), "the tabs overflow their list");

        // The lesson text is still there to read, below the panel.
        var text = follower.GetByTestId("lesson-text");
        await text.ScrollIntoViewIfNeededAsync();
        await Expect(text).ToBeInViewportAsync();
        var panel = (await follower.GetByTestId("live-panel").BoundingBoxAsync())!;
        Assert.True((await text.BoundingBoxAsync())!.Y > panel.Y, "the lesson text is not below the live panel");
        await Expect(follower.Locator($"[data-testid=run-status][data-run='{run}']")).ToHaveAttributeAsync("data-status", "completed");
        Assert.Empty(errors);
    }

    [SkippableFact]
    public async Task A_run_started_remotely_stays_shown_with_its_summary_after_it_ends_until_the_next_run()
    {
        Prerequisites.Require(Prerequisites.Chromium);
        var code = await lab.Server.CreateClassroomAsync();
        using var client = lab.Server.CreateClient(presenter: true);
        // The page's own experiment is no-lock; the teacher's phone (or curl) starts the lock experiment.
        (await client.PostAsync($"/api/rooms/{code}/page",
            JsonContent.Create(new { lesson = "process-locks", page = 2 }))).EnsureSuccessStatusCode();
        var (follower, followerErrors) = await lab.NewPageAsync(390, 844);
        var (projector, projectorErrors) = await lab.NewPageAsync(1920, 1080);
        foreach (var (page, path) in new[] { (follower, $"/rooms/{code}"), (projector, $"/rooms/{code}/project") })
        {
            await page.GotoAsync(new Uri(lab.Server.Address, path).ToString());
            await BrowserFixture.WaitUntilLiveAsync(page);
            await Expect(page.GetByTestId("page-title")).ToHaveTextAsync("Without a lock");
        }

        var lockRun = await StartRunAsync(client, code, """{"scenario":"lock"}""");
        foreach (var page in new[] { follower, projector })
        {
            // Ended, and still there: the run, its ten lines and its summary, although the page's experiment is another.
            await Expect(page.Locator($"[data-testid=run-status][data-run='{lockRun}']")).ToHaveAttributeAsync("data-status", "completed");
            await Expect(page.Locator("[data-testid=console-line]")).ToHaveCountAsync(10);
            await Expect(page.GetByTestId("final-value")).ToHaveTextAsync("20");
        }

        // Until the next run starts: then that one is shown.
        var nextRun = await StartRunAsync(client, code, """{"scenario":"no-lock"}""");
        foreach (var page in new[] { follower, projector })
        {
            await Expect(page.Locator($"[data-testid=run-status][data-run='{nextRun}']")).ToHaveAttributeAsync("data-status", "completed");
        }
        Assert.Empty(followerErrors);
        Assert.Empty(projectorErrors);
    }

    [SkippableFact]
    public async Task A_follower_without_the_key_sees_the_output_but_no_controls_while_the_presenter_keeps_them()
    {
        Prerequisites.Require(Prerequisites.Chromium);
        var code = await lab.Server.CreateClassroomAsync();
        using var client = lab.Server.CreateClient(presenter: true);
        (await client.PostAsync($"/api/rooms/{code}/page",
            JsonContent.Create(new { lesson = "process-locks", page = 2 }))).EnsureSuccessStatusCode();
        var (presenter, presenterErrors) = await lab.NewPageAsync();
        var (follower, followerErrors) = await lab.NewPageAsync(390, 844);
        await presenter.GotoAsync(new Uri(lab.Server.Address, $"/rooms/{code}/present?key={ServerProcess.Key}").ToString());
        await follower.GotoAsync(new Uri(lab.Server.Address, $"/rooms/{code}").ToString());
        await BrowserFixture.WaitUntilLiveAsync(presenter);
        await BrowserFixture.WaitUntilLiveAsync(follower);

        await Expect(presenter.GetByTestId("run-experiment")).ToBeEnabledAsync();
        await Expect(presenter.GetByTestId("settings")).ToBeVisibleAsync();
        foreach (var control in new[] { "run-experiment", "run-lock", "run-no-lock", "settings", "step-mode", "start-mode" })
        {
            await Expect(follower.GetByTestId(control)).ToHaveCountAsync(0);
        }

        // A step-mode run: the presenter schedules the processes; the follower watches.
        var run = await StartRunAsync(client, code, """{"scenario":"no-lock","mode":"step","iterations":1}""");
        await Expect(presenter.GetByTestId("step-controls")).ToBeVisibleAsync();
        await Expect(presenter.GetByTestId("stop-run")).ToBeVisibleAsync();
        await Expect(follower.Locator($"[data-testid=run-status][data-run='{run}']")).ToHaveAttributeAsync("data-status", "running");
        await Expect(follower.GetByTestId("step-watching")).ToBeVisibleAsync();
        await Expect(follower.GetByTestId("step-controls")).ToHaveCountAsync(0);
        await Expect(follower.GetByTestId("stop-run")).ToHaveCountAsync(0);

        (await client.PostAsync($"/api/runs/{run}/stop", null)).EnsureSuccessStatusCode();
        await Expect(follower.Locator($"[data-testid=run-status][data-run='{run}']")).ToHaveAttributeAsync("data-status", "cancelled");
        Assert.Empty(presenterErrors);
        Assert.Empty(followerErrors);
    }

    [SkippableFact]
    public async Task The_projectors_heading_has_no_focus_box_after_a_page_change()
    {
        Prerequisites.Require(Prerequisites.Chromium);
        var code = await lab.Server.CreateClassroomAsync();
        using var client = lab.Server.CreateClient(presenter: true);
        (await client.PostAsync($"/api/rooms/{code}/page",
            JsonContent.Create(new { lesson = "process-locks", page = 1 }))).EnsureSuccessStatusCode();
        var (projector, errors) = await lab.NewPageAsync(1920, 1080);
        await projector.GotoAsync(new Uri(lab.Server.Address, $"/rooms/{code}/project").ToString());
        await BrowserFixture.WaitUntilLiveAsync(projector);
        await Expect(projector.GetByTestId("page-title")).ToHaveTextAsync("Process locks");

        (await client.PostAsync($"/api/rooms/{code}/page",
            JsonContent.Create(new { lesson = "process-locks", page = 2 }))).EnsureSuccessStatusCode();
        await Expect(projector.GetByTestId("page-title")).ToHaveTextAsync("Without a lock");

        // Blazor moved focus to the heading when the page opened (for screen readers), and it stays there: fine, as
        // long as nothing draws it.
        var heading = projector.GetByTestId("page-title");
        Assert.True(await heading.EvaluateAsync<bool>("h => h === document.activeElement"),
            "The heading does not have the focus: the test no longer sees the case it is about.");
        var outline = await heading.EvaluateAsync<string>("h => getComputedStyle(h).outlineStyle + ' ' + getComputedStyle(h).outlineWidth");
        Assert.True(outline.StartsWith("none", StringComparison.Ordinal) || outline.EndsWith(" 0px", StringComparison.Ordinal),
            $"The heading is drawn with a focus outline: {outline}");
        await projector.ScreenshotAsync(new PageScreenshotOptions
        {
            Path = Path.Combine(BrowserFixture.ArtifactsFolder, "projector-after-page-change.png")
        });
        Assert.Empty(errors);
    }

    /// <summary>Starts a run in the room over HTTP, as a phone or curl does; the pages' assertions wait for what it shows.</summary>
    private static async Task<string> StartRunAsync(HttpClient client, string code, string body)
    {
        var response = await client.PostAsync($"/api/rooms/{code}/runs", new StringContent(body));
        Assert.Equal(System.Net.HttpStatusCode.Accepted, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
    }

    [SkippableFact]
    public async Task An_unknown_room_is_a_clear_page_not_an_error()
    {
        Prerequisites.Require(Prerequisites.Chromium);
        var (page, errors) = await lab.NewPageAsync();
        await page.GotoAsync(new Uri(lab.Server.Address, "/rooms/ZZZZ").ToString());
        await Expect(page.GetByTestId("room-not-found")).ToContainTextAsync("There is no room");
        // Still so once interactive, and quietly: the page does not ask again for the room the server did not find.
        await BrowserFixture.WaitUntilInteractiveAsync(page);
        await Expect(page.GetByTestId("room-not-found")).ToContainTextAsync("There is no room");
        Assert.Empty(errors);
    }
}
