using LockLab.TestServices;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace LockLab.EndToEndTests;

/// <summary>
/// Lessons in a real browser: the catalog, stepping with the keyboard and the browser's history, and each page's
/// experiment.
/// </summary>
[Collection(PublishedLab.Collection)]
public class LessonPageTests(BrowserFixture lab) : IClassFixture<BrowserFixture>
{
    private static async Task ExpectPageAsync(IPage page, int number, string title)
    {
        await Expect(page.GetByTestId("page-title")).ToHaveTextAsync(title);
        await Expect(page.GetByTestId("page-indicator")).ToHaveTextAsync($"Page {number} of 4");
        Assert.EndsWith($"/lessons/process-locks/{number}?room=steps", page.Url);
    }

    [SkippableFact]
    public async Task The_catalog_groups_lessons_by_chapter_and_opens_one()
    {
        Prerequisites.Require(Prerequisites.Chromium);
        var (page, errors) = await lab.NewPageAsync();
        await page.GotoAsync(lab.Server.Address.ToString());

        await Expect(page.GetByTestId("chapter")).ToHaveCountAsync(3);
        var card = page.Locator("[data-testid=lesson-card][data-slug=process-locks-zh]");
        await Expect(card).ToContainTextAsync("进程锁");
        await Expect(card).ToContainTextAsync("4 pages");
        await BrowserFixture.WaitUntilInteractiveAsync(page);

        await page.Locator("[data-testid=lesson-card][data-slug=process-locks] a").ClickAsync();
        await Expect(page.GetByTestId("page-title")).ToHaveTextAsync("Process locks");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserFixture.ArtifactsFolder, "lesson-intro.png") });
        Assert.Empty(errors);
    }

    [SkippableFact]
    public async Task The_experiment_settings_open_with_the_servers_limits()
    {
        Prerequisites.Require(Prerequisites.Chromium);
        var (page, errors) = await lab.NewPageAsync();
        await lab.Server.OpenRoomAsync("settings"); // the presenter opened it: a viewer cannot
        await page.GotoAsync(new Uri(lab.Server.Address, "/lessons/process-locks/2?room=settings").ToString());
        await BrowserFixture.WaitUntilLiveAsync(page);
        // Built only when opened (the page loads faster without it).
        await Expect(page.GetByTestId("server-limits")).ToHaveCountAsync(0);

        await page.GetByTestId("settings").GetByText("Change the experiment").ClickAsync();

        await Expect(page.GetByTestId("server-limits")).ToContainTextAsync("run(s) at a time");
        await Expect(page.GetByRole(AriaRole.Spinbutton, new() { Name = "Processes" })).ToBeVisibleAsync();
        Assert.Empty(errors);
    }

    [SkippableFact]
    public async Task Keyboard_and_history_step_through_pages_and_each_page_shows_its_own_run()
    {
        Prerequisites.Require(Prerequisites.Chromium);
        var (page, errors) = await lab.NewPageAsync();
        await page.GotoAsync(new Uri(lab.Server.Address, $"/lessons/process-locks/1?room=steps&key={ServerProcess.Key}").ToString());
        await BrowserFixture.WaitUntilLiveAsync(page);
        // The page's keys work once it says so (a page on the server attaches them over its circuit).
        await Expect(page.GetByTestId("lesson-page")).ToHaveAttributeAsync("data-keys", "on");

        await page.Keyboard.PressAsync("ArrowRight");
        await ExpectPageAsync(page, 2, "Without a lock");
        await page.Keyboard.PressAsync("Space");
        await ExpectPageAsync(page, 3, "With a lock");
        await page.Keyboard.PressAsync("ArrowLeft");
        await ExpectPageAsync(page, 2, "Without a lock");
        await page.GoBackAsync();
        await ExpectPageAsync(page, 3, "With a lock");
        await page.Keyboard.PressAsync("End");
        await ExpectPageAsync(page, 4, "Who gets the lock first?");
        await page.Keyboard.PressAsync("Home");
        await ExpectPageAsync(page, 1, "Process locks");
        // The shortcuts: "?" shows them, and they close by their button as by Escape, again and again.
        var shortcuts = page.GetByRole(AriaRole.Dialog, new() { Name = "Keyboard shortcuts" });
        await page.Keyboard.PressAsync("?");
        await Expect(shortcuts).ToBeVisibleAsync();
        await shortcuts.GetByRole(AriaRole.Button, new() { Name = "Close", Exact = true }).ClickAsync();
        await Expect(shortcuts).ToHaveCountAsync(0);
        await page.Keyboard.PressAsync("?");
        await Expect(shortcuts).ToBeVisibleAsync();
        await page.Keyboard.PressAsync("Escape");
        await Expect(shortcuts).ToHaveCountAsync(0);

        // Page 2's experiment: the lesson's first run, interleaved.
        await page.Keyboard.PressAsync("PageDown");
        await ExpectPageAsync(page, 2, "Without a lock");
        await Expect(page.GetByTestId("run-experiment")).ToHaveTextAsync("Run without lock");
        await page.GetByTestId("run-experiment").ClickAsync();
        await Expect(page.GetByTestId("run-status")).ToHaveAttributeAsync("data-status", "completed");
        try
        {
            await Expect(page.Locator("[data-testid=console-line]")).ToHaveCountAsync(10);
        }
        catch (PlaywrightException)
        {
            var lines = await page.Locator("[data-testid=console-line]").AllInnerTextsAsync();
            var runId = await page.GetByTestId("run-status").GetAttributeAsync("data-run");
            using var http = lab.Server.CreateClient();
            var events = await http.GetStringAsync($"/api/runs/{runId}/events?after=0");
            await page.ScreenshotAsync(new PageScreenshotOptions
            {
                Path = Path.Combine(BrowserFixture.ArtifactsFolder, "missing-line.png"),
                FullPage = true
            });
            throw new Xunit.Sdk.XunitException($"page lines: {string.Join(" | ", lines)}\nserver events: {events}");
        }
        // Without a lock 20 is likely, not certain (a busy machine may lose an update): the final value is the last print.
        var lastPrinted = await page.Locator("[data-testid=console-line]").Last.GetAttributeAsync("data-value");
        await Expect(page.GetByTestId("final-value")).ToHaveTextAsync(lastPrinted!);

        // Page 3 belongs to the lock experiment, which has not run yet: the panel switches to it.
        await page.Keyboard.PressAsync("ArrowRight");
        await ExpectPageAsync(page, 3, "With a lock");
        await Expect(page.GetByTestId("run-experiment")).ToHaveTextAsync("Run with lock");
        await Expect(page.Locator("[data-testid=console-line]")).ToHaveCountAsync(0);

        // And back: page 2 shows its run again.
        await page.Keyboard.PressAsync("ArrowLeft");
        await Expect(page.Locator("[data-testid=console-line]")).ToHaveCountAsync(10);
        await Expect(page.Locator(".code-copy").First).ToBeVisibleAsync(); // code blocks carry a copy button
        Assert.Empty(errors);
    }

    [SkippableFact]
    public async Task Run_100_times_fills_the_outcome_table_live_as_the_rounds_finish()
    {
        Prerequisites.Require(Prerequisites.Chromium);
        var (page, errors) = await lab.NewPageAsync();
        await page.GotoAsync(new Uri(lab.Server.Address, $"/lessons/process-locks/2?room=repeat&key={ServerProcess.Key}").ToString());
        await BrowserFixture.WaitUntilLiveAsync(page);
        // Shorter sleeps keep the hundred rounds to seconds; the button is the page's own.
        await page.GetByTestId("settings").GetByText("Change the experiment").ClickAsync();
        var delay = page.GetByRole(AriaRole.Spinbutton, new() { Name = "Sleep before each step (ms)" });
        await delay.FillAsync("10");
        await delay.PressAsync("Tab");
        // Every count of finished rounds the table shows, as the page draws it.
        await page.EvaluateAsync("""
            () => {
                window.roundsSeen = [];
                new MutationObserver(() => {
                    const table = document.querySelector('[data-testid=outcomes]');
                    if (table) window.roundsSeen.push(Number(table.dataset.rounds));
                }).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-rounds'] });
            }
            """);

        await Expect(page.GetByTestId("run-repeated")).ToHaveTextAsync("Run 100 times");
        await page.GetByTestId("run-repeated").ClickAsync();

        await Expect(page.GetByTestId("run-status")).ToHaveAttributeAsync("data-status", "completed", new() { Timeout = 90_000 });
        await Expect(page.GetByTestId("outcomes")).ToHaveAttributeAsync("data-rounds", "100");
        await Expect(page.GetByTestId("rounds-done")).ToHaveTextAsync("100 of 100 rounds");
        var rows = page.GetByTestId("outcome-row");
        Assert.InRange(await rows.CountAsync(), 1, 100);
        // Each row is a printed output of ten values ending at its final value.
        foreach (var row in await rows.AllAsync())
        {
            var printed = (await row.GetAttributeAsync("data-printed"))!.Split(' ');
            Assert.Equal(10, printed.Length);
            Assert.Equal(printed[^1], await row.GetAttributeAsync("data-value"));
        }
        var seen = await page.EvaluateAsync<int[]>("() => window.roundsSeen");
        Assert.Contains(seen, n => n is > 0 and < 100); // it filled in while the run went on, not only at the end
        await Expect(page.GetByTestId("summary")).ToContainTextAsync("of 100 rounds wrong");
        await Expect(page.GetByTestId("summary-discrepancy")).ToHaveCountAsync(0);
        await page.ScreenshotAsync(new PageScreenshotOptions
        {
            Path = Path.Combine(BrowserFixture.ArtifactsFolder, "run-100-times.png"),
            FullPage = true
        });
        Assert.Empty(errors);
    }

    [SkippableFact]
    public async Task A_pages_program_edited_on_the_page_runs_as_edited_a_wrong_line_is_named_and_the_lessons_comes_back()
    {
        Prerequisites.Require(Prerequisites.Chromium);
        var (page, errors) = await lab.NewPageAsync();
        // The deadlock lesson's cycle of three: a program of the lesson's own.
        await page.GotoAsync(new Uri(lab.Server.Address, $"/lessons/deadlocks/5?room=edit-program&key={ServerProcess.Key}").ToString());
        await BrowserFixture.WaitUntilLiveAsync(page);
        await page.GetByTestId("settings").GetByText("Change the experiment").ClickAsync();
        var program = page.GetByRole(AriaRole.Textbox, new() { Name = "Program", Exact = true });
        var lessons = await program.InputValueAsync();
        Assert.Contains("process p3:", lessons);

        // The class's answer: p3 takes a before c, as p1 and p2 take their locks in the one order. The circle cannot close.
        var ordered = System.Text.RegularExpressions.Regex.Replace(lessons,
            @"process p3:(\s*)acquire c(\s*)sleep 100(\s*)acquire a", "process p3:$1acquire a$2sleep 100$3acquire c");
        Assert.NotEqual(lessons, ordered);
        await program.FillAsync(ordered);
        await Expect(page.GetByTestId("program-edited")).ToBeVisibleAsync(); // the run button runs the edit, and says so
        await page.GetByTestId("run-experiment").ClickAsync();
        await Expect(page.GetByTestId("run-status")).ToHaveAttributeAsync("data-status", "completed");
        await Expect(page.Locator("[data-testid=console-line]")).ToHaveCountAsync(3);

        // A typing slip: the run is refused, naming the line of the program and what is wrong there.
        await program.FillAsync(ordered.Replace("release b", "relase b"));
        await page.GetByTestId("run-experiment").ClickAsync();
        await Expect(page.GetByTestId("panel-message")).ToContainTextAsync("'relase' is not a step");
        var slip = ordered.Split('\n').ToList().FindIndex(line => line.Contains("release b")) + 1;
        await Expect(page.GetByTestId("panel-message")).ToContainTextAsync($"line {slip}, process p1");

        // Back to the lesson's program: it deadlocks again, as the page says.
        await page.GetByTestId("program-reset").ClickAsync();
        await Expect(program).ToHaveValueAsync(lessons);
        await Expect(page.GetByTestId("program-edited")).ToHaveCountAsync(0);
        await page.GetByTestId("run-experiment").ClickAsync();
        await Expect(page.GetByTestId("run-status")).ToHaveAttributeAsync("data-status", "deadlocked");
        Assert.Empty(errors);
    }
}
