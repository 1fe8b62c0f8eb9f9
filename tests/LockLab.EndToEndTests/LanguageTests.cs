using System.Net.Http.Json;
using LockLab.Contracts;
using LockLab.TestServices;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace LockLab.EndToEndTests;

/// <summary>
/// The lab in Chinese and English, in a real browser whose own language is English: the Chinese lesson brings a Chinese
/// UI (prerendered, and the WebAssembly page once it runs, from its satellite assembly), the English lesson an English
/// one; the language switch keeps the page and the run on it; the API's problem details follow Accept-Language.
/// </summary>
[Collection(PublishedLab.Collection)]
public class LanguageTests(BrowserFixture lab) : IClassFixture<BrowserFixture>
{
    private Uri At(string path) => new(lab.Server.Address, path);

    [SkippableFact]
    public async Task The_Chinese_lesson_shows_Chinese_run_buttons_and_a_Chinese_summary_of_a_run_the_page_itself_saw()
    {
        Prerequisites.Require(Prerequisites.Chromium);
        await lab.Server.OpenRoomAsync("zh-run");
        var (page, errors) = await lab.NewPageAsync();
        await page.GotoAsync(At($"/lessons/process-locks-zh/2?room=zh-run&key={ServerProcess.Key}").ToString());
        await BrowserFixture.WaitUntilLiveAsync(page);

        Assert.Equal("zh-CN", await page.GetAttributeAsync("html", "lang"));
        await Expect(page.GetByTestId("run-experiment")).ToHaveTextAsync("不加锁运行");
        await Expect(page.GetByTestId("nav-history")).ToHaveTextAsync("历史");
        // The live panel around the buttons too: its heading and its tabs.
        await Expect(page.GetByTestId("live-panel").GetByText("实时", new() { Exact = true })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Tab, new() { Name = "时间线" })).ToBeVisibleAsync();

        // The summary is drawn by the WebAssembly page when the run ends: its words come from the satellite assembly.
        await page.GetByTestId("run-experiment").ClickAsync();
        var summary = page.GetByTestId("summary");
        await Expect(summary).ToContainTextAsync("最终值", new() { Timeout = 30_000 });
        await Expect(summary).ToContainTextAsync("预期 20");
        await Expect(page.GetByText("等待锁的时间")).ToBeVisibleAsync();
        await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ArtifactsFolder, "lesson-zh-summary.png") });
        Assert.Empty(errors);
    }

    [SkippableFact]
    public async Task An_English_lesson_in_an_English_browser_speaks_English()
    {
        Prerequisites.Require(Prerequisites.Chromium);
        var (page, errors) = await lab.NewPageAsync();
        await page.GotoAsync(At("/lessons/process-locks/2").ToString());
        await BrowserFixture.WaitUntilInteractiveAsync(page);

        Assert.Equal("en", await page.GetAttributeAsync("html", "lang"));
        await Expect(page.GetByTestId("nav-history")).ToHaveTextAsync("History");
        Assert.Empty(errors);
    }

    [SkippableFact]
    public async Task Switching_the_language_keeps_the_page_and_the_run_on_it_and_is_remembered()
    {
        Prerequisites.Require(Prerequisites.Chromium);
        await lab.Server.OpenRoomAsync("switch");
        var (page, errors) = await lab.NewPageAsync();
        var lesson = $"/lessons/process-locks/3?room=switch&key={ServerProcess.Key}";
        await page.GotoAsync(At(lesson).ToString());
        await BrowserFixture.WaitUntilLiveAsync(page);
        await Expect(page.GetByTestId("run-experiment")).ToHaveTextAsync("Run with lock");

        // A run long enough to be going on while the page reloads in the other language.
        using var presenter = lab.Server.CreateClient(presenter: true);
        var started = await presenter.PostAsJsonAsync("/api/runs",
            new { scenario = "lock", room = "switch", iterations = 40, delayMs = 100 });
        var run = (await started.Content.ReadFromJsonAsync(ContractsJsonContext.Default.RunInfo))!;
        await Expect(page.Locator($"[data-run='{run.Id}']").First).ToBeAttachedAsync(new() { Timeout = 30_000 });

        await page.GetByTestId("language").ClickAsync();
        await page.GetByTestId("language-zh-CN").ClickAsync();

        await page.WaitForURLAsync(u => u.Contains("/lessons/process-locks/3") && u.Contains("room=switch"));
        await BrowserFixture.WaitUntilLiveAsync(page);
        Assert.Equal("zh-CN", await page.GetAttributeAsync("html", "lang"));
        await Expect(page.GetByTestId("run-experiment")).ToHaveTextAsync("加锁运行");
        await Expect(page.Locator($"[data-run='{run.Id}']").First).ToBeAttachedAsync();
        await Expect(page.GetByTestId("summary")).ToContainTextAsync("最终值", new() { Timeout = 60_000 });

        // Remembered: an English lesson opened afterwards keeps the chosen language.
        await page.GotoAsync(At("/lessons/process-locks/1").ToString());
        Assert.Equal("zh-CN", await page.GetAttributeAsync("html", "lang"));

        // And back by keyboard alone: the menu opens on the page's language, an arrow moves to English, Enter chooses it.
        await BrowserFixture.WaitUntilInteractiveAsync(page);
        await page.GetByTestId("language").Locator("button").FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.GetByTestId("language-zh-CN")).ToBeFocusedAsync();
        await page.Keyboard.PressAsync("ArrowUp");
        await Expect(page.GetByTestId("language-en")).ToBeFocusedAsync();
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.Locator("html")).ToHaveAttributeAsync("lang", "en");
        Assert.Empty(errors);
    }

    [SkippableFact]
    public async Task The_pages_speak_the_chosen_language_the_lessons_pager_and_the_history_with_its_dates()
    {
        Prerequisites.Require(Prerequisites.Chromium);
        using var presenter = lab.Server.CreateClient(presenter: true);
        var started = await presenter.PostAsJsonAsync("/api/runs", new { scenario = "lock", room = "zh-history", delayMs = 20 });
        var run = (await started.Content.ReadFromJsonAsync(ContractsJsonContext.Default.RunInfo))!;
        await Waiting.UntilAsync(async () =>
        {
            var info = await presenter.GetFromJsonAsync($"/api/runs/{run.Id}", ContractsJsonContext.Default.RunInfo);
            return info?.Status == RunStatus.Completed ? info : null;
        }, TimeSpan.FromSeconds(30), "the run to complete");
        var (page, errors) = await lab.NewPageAsync();

        // The Chinese lesson's pager, prerendered and then drawn by the WebAssembly page.
        await page.GotoAsync(At("/lessons/process-locks-zh/2").ToString());
        await Expect(page.GetByTestId("page-indicator")).ToHaveTextAsync("第 2 页，共 4 页");
        await BrowserFixture.WaitUntilInteractiveAsync(page);
        await Expect(page.GetByTestId("next-page")).ToHaveTextAsync("下一页");
        await Expect(page.GetByTestId("page-indicator")).ToHaveTextAsync("第 2 页，共 4 页");

        // Chosen through the switch (the culture cookie), the history page is Chinese, its dates in the Chinese pattern.
        await page.GotoAsync(At("/culture?set=zh-CN&return=" + Uri.EscapeDataString("/history?room=zh-history")).ToString());
        await page.WaitForURLAsync(u => u.Contains("/history?room=zh-history"));
        await BrowserFixture.WaitUntilInteractiveAsync(page);
        Assert.Equal("zh-CN", await page.GetAttributeAsync("html", "lang"));
        var row = page.Locator($"[data-testid=history-row][data-run='{run.Id}']");
        await Expect(page.GetByTestId("history").Locator("th").Nth(1)).ToHaveTextAsync("时间");
        await Expect(row.Locator("td").Nth(1)).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"^\d{4}年\d{1,2}月\d{1,2}日 \d{2}:\d{2}:\d{2}$"));
        await Expect(row.Locator("td").Nth(4)).ToHaveTextAsync("已完成");
        await Expect(row.GetByTestId("replay")).ToHaveTextAsync("回放");
        await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ArtifactsFolder, "history-zh.png") });
        Assert.Empty(errors);
    }

    [SkippableFact]
    public async Task The_switch_goes_back_to_the_lab_only_and_refuses_a_language_it_does_not_speak()
    {
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = lab.Server.Address };

        var away = await http.GetAsync("/culture?set=zh-CN&return=//evil.example/x");
        Assert.Equal("/", away.Headers.Location?.OriginalString);
        var unknown = await http.GetAsync("/culture?set=fr&return=/");
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, unknown.StatusCode);
        Assert.Equal("application/problem+json", unknown.Content.Headers.ContentType?.MediaType);
    }

    [SkippableFact]
    public async Task Problem_details_honour_Accept_Language()
    {
        using var http = lab.Server.CreateClient();
        var request = new HttpRequestMessage(HttpMethod.Get, "/api/rooms/bad!code");
        request.Headers.AcceptLanguage.ParseAdd("zh-CN,zh;q=0.9,en;q=0.8");

        var problem = (await (await http.SendAsync(request)).Content.ReadFromJsonAsync<Problem>())!;

        Assert.Equal("无效的课堂代码", problem.Title);
        Assert.Equal("“bad!code”不是课堂代码。" + "课堂名称由 1–32 个字母、数字、“-”或“_”组成，以字母或数字开头。", problem.Detail);
        var english = (await (await http.GetAsync("/api/rooms/bad!code")).Content.ReadFromJsonAsync<Problem>())!;
        Assert.Equal("Invalid room code", english.Title);
    }

    private sealed record Problem(string? Title, string? Detail);
}
