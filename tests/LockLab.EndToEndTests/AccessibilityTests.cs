using System.Net.Http.Json;
using System.Text.Json;
using LockLab.TestServices;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace LockLab.EndToEndTests;

/// <summary>
/// Every page and state of the lab, scanned by axe-core (WCAG 2.1 A and AA) in the light and the dark theme: no
/// serious or critical finding. Each test gathers its states' findings and reports them all at once.
/// </summary>
[Collection(PublishedLab.Collection)]
public class AccessibilityTests(BrowserFixture lab) : IClassFixture<BrowserFixture>
{
    private Uri At(string path) => new(lab.Server.Address, path);

    [SkippableFact]
    public async Task The_catalog_join_history_and_not_found_pages_have_no_serious_findings()
    {
        Prerequisites.Require(Prerequisites.Chromium);
        var (page, errors) = await lab.NewPageAsync(bypassCsp: true);
        var findings = new List<string>();
        foreach (var (path, name) in new[] { ("/", "catalog"), ("/join", "join"), ("/history", "history"), ("/not-found", "not found") })
        {
            await page.GotoAsync(At(path).ToString());
            await BrowserFixture.WaitUntilInteractiveAsync(page);
            findings.AddRange(await AxeScan.BothThemesAsync(page, name));
        }
        AxeScan.AssertNone(findings);
        Assert.Empty(errors);
    }

    [SkippableFact]
    public async Task The_lesson_page_idle_running_and_finished_on_each_tab_has_no_serious_findings()
    {
        Prerequisites.Require(Prerequisites.Chromium);
        const string room = "a11y-lesson";
        var (page, errors) = await lab.NewPageAsync(bypassCsp: true);
        await page.GotoAsync(At($"/lessons/process-locks/3?room={room}&key={ServerProcess.Key}").ToString());
        await BrowserFixture.WaitUntilLiveAsync(page);
        var findings = new List<string>(await AxeScan.BothThemesAsync(page, "lesson, idle"));

        // Running: slow enough (2 × 5 × 2 s under the lock) to be scanned in both themes before it ends.
        using var client = lab.Server.CreateClient(presenter: true);
        var slow = await StartRunAsync(client, $$"""{"scenario":"lock","room":"{{room}}","delayMs":2000}""");
        await Expect(page.Locator($"[data-testid=run-status][data-run='{slow}']")).ToHaveAttributeAsync("data-status", "running");
        await Expect(page.Locator("[data-testid=console-line]")).Not.ToHaveCountAsync(0);
        findings.AddRange(await AxeScan.BothThemesAsync(page, "lesson, running"));
        (await client.PostAsync($"/api/runs/{slow}/stop", null)).EnsureSuccessStatusCode();

        // Finished, with its summary; then each tab.
        var quick = await StartRunAsync(client, $$"""{"scenario":"lost-update","room":"{{room}}","delayMs":20}""");
        await Expect(page.Locator($"[data-testid=run-status][data-run='{quick}']")).ToHaveAttributeAsync("data-status", "completed");
        findings.AddRange(await AxeScan.BothThemesAsync(page, "lesson, finished, Output"));
        foreach (var tab in new[] { "Timeline", "Compare" })
        {
            await page.GetByRole(AriaRole.Tab, new() { Name = tab }).ClickAsync();
            await Expect(page.GetByRole(AriaRole.Tab, new() { Name = tab })).ToHaveAttributeAsync("aria-selected", "true");
            findings.AddRange(await AxeScan.BothThemesAsync(page, $"lesson, finished, {tab}"));
        }
        AxeScan.AssertNone(findings);
        Assert.Empty(errors);
    }

    [SkippableFact]
    public async Task Step_mode_with_its_prediction_field_has_no_serious_findings()
    {
        Prerequisites.Require(Prerequisites.Chromium);
        const string room = "a11y-steps";
        var (page, errors) = await lab.NewPageAsync(bypassCsp: true);
        await page.GotoAsync(At($"/lessons/process-locks/2?room={room}&key={ServerProcess.Key}").ToString());
        await BrowserFixture.WaitUntilLiveAsync(page);
        using var client = lab.Server.CreateClient(presenter: true);
        var run = await StartRunAsync(client, $$"""{"scenario":"no-lock","room":"{{room}}","mode":"step","iterations":1}""");

        // p1 steps up to its print: the prediction field shows.
        var p1 = page.GetByTestId("step-p1");
        foreach (var step in new[] { "read", "write" })
        {
            await Expect(p1).ToHaveAttributeAsync("data-next", step);
            await p1.ClickAsync();
        }
        await Expect(p1).ToHaveAttributeAsync("data-next", "print");
        await Expect(page.Locator("[data-testid=prediction] input, input[data-testid=prediction]")).ToBeVisibleAsync();
        var findings = await AxeScan.BothThemesAsync(page, "step mode, prediction");

        (await client.PostAsync($"/api/runs/{run}/stop", null)).EnsureSuccessStatusCode();
        AxeScan.AssertNone(findings);
        Assert.Empty(errors);
    }

    [SkippableFact]
    public async Task The_classroom_pages_have_no_serious_findings()
    {
        Prerequisites.Require(Prerequisites.Chromium);
        using var client = lab.Server.CreateClient(presenter: true);
        var code = await lab.Server.CreateClassroomAsync("process-locks", page: 3);
        var run = await StartRunAsync(client, """{"scenario":"lock"}""", $"/api/rooms/{code}/runs");
        var findings = new List<string>();
        var allErrors = new List<string>();

        foreach (var (path, name, width, height) in new[]
                 {
                     ($"/rooms/{code}/present?key={ServerProcess.Key}", "presenter", 1440, 900),
                     ($"/rooms/{code}", "follower, desktop", 1280, 720),
                     ($"/rooms/{code}", "follower, phone", 390, 844),
                     ($"/rooms/{code}/remote?key={ServerProcess.Key}", "phone remote", 390, 844),
                 })
        {
            var (page, errors) = await lab.NewPageAsync(width, height, bypassCsp: true);
            allErrors.AddRange(errors);
            await page.GotoAsync(At(path).ToString());
            await BrowserFixture.WaitUntilInteractiveAsync(page);
            if (name != "phone remote")
            {
                await Expect(page.Locator($"[data-testid=run-status][data-run='{run}']")).ToHaveAttributeAsync("data-status", "completed");
            }
            else
            {
                await Expect(page.GetByTestId("remote-title")).ToHaveTextAsync("With a lock");
                await Expect(page.GetByTestId("remote-next")).ToBeEnabledAsync(); // connected: the remote as it is used
            }
            findings.AddRange(await AxeScan.BothThemesAsync(page, name));
            await page.Context.CloseAsync();
        }

        // The projector: dark by default; H cycles to high contrast, then to light; + zooms.
        var (projector, projectorErrors) = await lab.NewPageAsync(1920, 1080, bypassCsp: true);
        await projector.GotoAsync(At($"/rooms/{code}/project").ToString());
        await BrowserFixture.WaitUntilLiveAsync(projector);
        await Expect(projector.Locator($"[data-testid=run-status][data-run='{run}']")).ToHaveAttributeAsync("data-status", "completed");
        findings.AddRange(await AxeScan.SeriousFindingsAsync(projector, "projector, dark"));
        await Expect(projector.GetByTestId("projection")).ToHaveAttributeAsync("data-keys", "on");
        await projector.Keyboard.PressAsync("h");
        await Expect(projector.GetByTestId("projection")).ToHaveClassAsync(new System.Text.RegularExpressions.Regex("high-contrast"));
        findings.AddRange(await AxeScan.SeriousFindingsAsync(projector, "projector, high contrast"));
        await projector.Keyboard.PressAsync("h");
        await Expect(projector.GetByTestId("projection")).Not.ToHaveClassAsync(new System.Text.RegularExpressions.Regex("high-contrast"));
        findings.AddRange(await AxeScan.SeriousFindingsAsync(projector, "projector, light"));
        await projector.Keyboard.PressAsync("+");
        await projector.Keyboard.PressAsync("+");
        await Expect(projector.GetByTestId("projection")).ToHaveAttributeAsync("data-zoom", "1.75");
        findings.AddRange(await AxeScan.SeriousFindingsAsync(projector, "projector, zoomed"));

        AxeScan.AssertNone(findings);
        Assert.Empty(allErrors);
        Assert.Empty(projectorErrors);
    }

    [SkippableFact]
    public async Task Replay_and_compare_have_no_serious_findings()
    {
        Prerequisites.Require(Prerequisites.Chromium);
        const string room = "a11y-history";
        using var client = lab.Server.CreateClient(presenter: true);
        var runs = await FinishedRunsAsync(client, room);
        var (page, errors) = await lab.NewPageAsync(bypassCsp: true);
        var findings = new List<string>();

        await page.GotoAsync(At($"/history?room={room}").ToString());
        await Expect(page.GetByTestId("history-row")).ToHaveCountAsync(2);
        await BrowserFixture.WaitUntilInteractiveAsync(page);
        findings.AddRange(await AxeScan.BothThemesAsync(page, "history, listed"));

        await page.GotoAsync(At($"/history/{runs[1]}").ToString());
        await BrowserFixture.WaitUntilInteractiveAsync(page);
        await Expect(page.GetByTestId("replay-controls")).ToHaveAttributeAsync("data-state", "done", new() { Timeout = 20_000 });
        findings.AddRange(await AxeScan.BothThemesAsync(page, "replay"));

        await page.GotoAsync(At($"/history/compare?a={runs[0]}&b={runs[1]}").ToString());
        await BrowserFixture.WaitUntilInteractiveAsync(page);
        await Expect(page.GetByTestId("compare")).ToBeVisibleAsync();
        findings.AddRange(await AxeScan.BothThemesAsync(page, "compare"));

        AxeScan.AssertNone(findings);
        Assert.Empty(errors);
    }

    [SkippableFact]
    public async Task Each_print_of_a_lesson_run_is_announced_once_politely_and_a_stress_run_not_at_all()
    {
        Prerequisites.Require(Prerequisites.Chromium);
        const string room = "a11y-announce";
        await lab.Server.OpenRoomAsync(room);
        var (page, errors) = await lab.NewPageAsync();
        await page.GotoAsync(At($"/lessons/process-locks/2?room={room}").ToString());
        await BrowserFixture.WaitUntilLiveAsync(page);
        var announcer = page.GetByTestId("print-announcer");
        await Expect(announcer).ToHaveAttributeAsync("aria-live", "polite");
        await Expect(page.GetByTestId("console")).Not.ToHaveAttributeAsync("aria-live", "polite"); // the lines are not read out
        // Every announcement the page makes, as it makes it (lines leave the region later; what was added was said).
        await page.EvaluateAsync("""
            () => {
              window.__said = [];
              new MutationObserver(records => records.forEach(r => r.addedNodes.forEach(n => {
                if (n.nodeType === 1) window.__said.push(n.dataset.kind + ':' + n.textContent);
              }))).observe(document.querySelector('[data-testid=print-announcer]'), { childList: true });
            }
            """);

        using var client = lab.Server.CreateClient(presenter: true);
        var lesson = await StartRunAsync(client, $$"""{"scenario":"no-lock","room":"{{room}}"}""");
        await Expect(page.Locator($"[data-testid=run-status][data-run='{lesson}']")).ToHaveAttributeAsync("data-status", "completed");
        await Expect(page.Locator("[data-testid=console-line]")).ToHaveCountAsync(10);
        await Expect(announcer.Locator("p[data-kind=end]")).ToHaveCountAsync(1);
        var printed = await page.Locator("[data-testid=console-line]")
            .EvaluateAllAsync<string[]>("lines => lines.map(l => 'print:' + l.dataset.process + ' printed ' + l.dataset.value)");
        var said = await page.EvaluateAsync<string[]>("() => window.__said");
        // One announcement per print, in the order printed, and one for the end: not one per event (40 here).
        Assert.Equal(printed, said.Where(s => s.StartsWith("print:", StringComparison.Ordinal)));
        Assert.Single(said, s => s.StartsWith("end:", StringComparison.Ordinal));

        // A stress run prints far faster than anyone can listen: nothing of it is read out but how it ended.
        var stress = await StartRunAsync(client, $$"""{"scenario":"stress","room":"{{room}}","iterations":2000,"rounds":5}""");
        await Expect(page.Locator($"[data-testid=run-status][data-run='{stress}']"))
            .ToHaveAttributeAsync("data-status", "completed", new() { Timeout = 60_000 });
        await Expect(announcer.Locator("p[data-kind=end]")).ToHaveCountAsync(1);
        said = await page.EvaluateAsync<string[]>("() => window.__said");
        Assert.Equal(10, said.Count(s => s.StartsWith("print:", StringComparison.Ordinal)));
        Assert.Equal(2, said.Count(s => s.StartsWith("end:", StringComparison.Ordinal)));
        Assert.Empty(errors);
    }

    /// <summary>
    /// One page, in one state, walked with the keyboard: where it is opened, at which size, what must be on it first,
    /// controls the walk must reach (data-testid), and one of its controls worked from the keyboard.
    /// </summary>
    private sealed record KeyboardPage(
        int Width,
        int Height,
        Func<HttpClient, Task<string>> OpenAtAsync,
        Func<IPage, Task> ReadyAsync,
        string[] MustReach,
        Func<IPage, HttpClient, Task> OperateAsync);

    private static readonly Dictionary<string, KeyboardPage> KeyboardPages = new()
    {
        ["catalog"] = new(1440, 900, _ => Task.FromResult("/"), BrowserFixture.WaitUntilInteractiveAsync,
            ["start-classroom", "nav-history", "theme-toggle"],
            async (page, _) =>
            {
                await page.GetByRole(AriaRole.Link, new() { Name = "Process locks", Exact = true }).FocusAsync();
                await page.Keyboard.PressAsync("Enter");
                await Expect(page.GetByTestId("page-title")).ToHaveTextAsync("Process locks");
            }),
        ["lesson"] = new(1440, 900, _ => Task.FromResult($"/lessons/process-locks/3?room=a11y-keys&key={ServerProcess.Key}"),
            BrowserFixture.WaitUntilLiveAsync,
            ["next-page", "run-experiment", "console", "theme-toggle", "step-mode"],
            async (page, _) =>
            {
                // The run button works from the keyboard.
                await page.GetByTestId("run-experiment").FocusAsync();
                await page.Keyboard.PressAsync("Enter");
                await Expect(page.GetByTestId("run-status")).ToHaveAttributeAsync("data-status", "completed");
                // The live panel's tabs are one stop: the arrow keys move between them (ARIA's tab pattern), Enter opens one.
                await page.GetByRole(AriaRole.Tab, new() { Name = "Output" }).FocusAsync();
                await page.Keyboard.PressAsync("ArrowRight");
                await page.Keyboard.PressAsync("Enter");
                await Expect(page.GetByRole(AriaRole.Tab, new() { Name = "Timeline" })).ToHaveAttributeAsync("aria-selected", "true");
            }),
        ["lesson, experiment settings open"] = new(1440, 900,
            _ => Task.FromResult($"/lessons/process-locks/3?room=a11y-keys-settings&key={ServerProcess.Key}"),
            async page =>
            {
                await BrowserFixture.WaitUntilLiveAsync(page);
                var header = page.Locator("[data-testid=settings] .mud-expand-panel-header");
                await Expect(header).ToHaveAttributeAsync("aria-expanded", "false"); // a screen reader hears that it opens
                await header.FocusAsync();
                await page.Keyboard.PressAsync("Enter"); // the panel opens from the keyboard
                await Expect(header).ToHaveAttributeAsync("aria-expanded", "true");
                await Expect(page.GetByRole(AriaRole.Combobox, new() { Name = "Lock" })).ToBeVisibleAsync();
            },
            ["run-experiment", "step-mode"],
            async (page, _) =>
            {
                // The lock is chosen, then emptied again ("as the scenario says") with Delete.
                var scope = page.GetByRole(AriaRole.Combobox, new() { Name = "Lock" });
                await ChooseFirstByKeyboardAsync(page, scope, "off");
                await page.Keyboard.PressAsync("Delete");
                await Expect(scope).ToHaveValueAsync("");
                await Expect(scope).ToBeFocusedAsync();
            }),
        ["step mode"] = new(1440, 900, _ => Task.FromResult($"/lessons/process-locks/2?room=a11y-keys-steps&key={ServerProcess.Key}"),
            async page =>
            {
                await BrowserFixture.WaitUntilLiveAsync(page);
                await page.GetByTestId("step-mode").CheckAsync();
                await page.GetByTestId("run-experiment").ClickAsync();
                foreach (var step in new[] { "read", "write" })
                {
                    await Expect(page.GetByTestId("step-p1")).ToHaveAttributeAsync("data-next", step);
                    await page.GetByTestId("step-p1").ClickAsync();
                }
                await Expect(page.GetByTestId("step-p1")).ToHaveAttributeAsync("data-next", "print");
            },
            ["step-p1", "step-p2", "prediction", "stop-run"],
            async (page, _) =>
            {
                // The prediction is typed, and Enter submits it: p1, about to print, prints, and the guess is checked.
                var prediction = page.Locator("input[data-testid=prediction]");
                await prediction.FocusAsync();
                await page.Keyboard.TypeAsync("1");
                await Expect(prediction).ToHaveValueAsync("1");
                await page.Keyboard.PressAsync("Enter");
                await Expect(page.GetByTestId("prediction-result")).ToContainTextAsync("Right: p1 printed 1.");
                await page.GetByTestId("stop-run").ClickAsync();
            }),
        ["presenter"] = new(1440, 900, async client => $"/rooms/{await RoomWithARunAsync(client)}/present?key={ServerProcess.Key}",
            RunShownAsync, ["run-experiment", "next-page", "console", "theme-toggle"],
            async (page, _) =>
            {
                // Space on the run button starts another run.
                var shown = await page.GetByTestId("run-status").GetAttributeAsync("data-run");
                await page.GetByTestId("run-experiment").FocusAsync();
                await page.Keyboard.PressAsync(" ");
                await Expect(page.GetByTestId("run-status")).Not.ToHaveAttributeAsync("data-run", shown!);
                await Expect(page.GetByTestId("run-status")).ToHaveAttributeAsync("data-status", "completed");
            }),
        ["follower, desktop"] = new(1280, 720, async client => $"/rooms/{await RoomWithARunAsync(client)}",
            RunShownAsync, ["detach", "console", "theme-toggle"], (page, _) => DetachByKeyboardAsync(page)),
        ["follower, phone"] = new(390, 844, async client => $"/rooms/{await RoomWithARunAsync(client)}",
            RunShownAsync, ["detach", "console", "nav-join"], (page, _) => DetachByKeyboardAsync(page)),
        ["projector"] = new(1920, 1080, async client => $"/rooms/{await RoomWithARunAsync(client)}/project",
            RunShownAsync, ["console"],
            async (page, _) =>
            {
                // The projector's keys work once the page says so (a page on the server attaches them over its circuit).
                await Expect(page.GetByTestId("projection")).ToHaveAttributeAsync("data-keys", "on");
                await page.Keyboard.PressAsync("+");
                await Expect(page.GetByTestId("projection")).ToHaveAttributeAsync("data-zoom", "1.625");
            }),
        ["phone remote"] = new(390, 844, async client => $"/rooms/{await RoomWithARunAsync(client)}/remote?key={ServerProcess.Key}",
            page => Expect(page.GetByTestId("remote-next")).ToBeEnabledAsync(),
            ["remote-previous", "remote-next", "remote-run"],
            async (page, _) =>
            {
                await page.GetByTestId("remote-next").FocusAsync();
                await page.Keyboard.PressAsync("Enter");
                await Expect(page.GetByTestId("remote-title")).ToHaveTextAsync("Who gets the lock first?");
            }),
        ["join"] = new(1440, 900, _ => Task.FromResult("/join"), BrowserFixture.WaitUntilInteractiveAsync,
            ["room-code", "join"],
            async (page, client) =>
            {
                // A room's code typed, Enter: the room opens.
                var code = await RoomWithARunAsync(client);
                await page.Locator("input[data-testid=room-code]").FocusAsync();
                await page.Keyboard.TypeAsync(code.ToLowerInvariant());
                await page.Keyboard.PressAsync("Enter");
                await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex($"/rooms/{code}$"));
                await Expect(page.GetByTestId("page-title")).ToHaveTextAsync("With a lock");
            }),
        ["history"] = new(1440, 900, async client => $"/history?room={await RoomWithTwoFinishedRunsAsync(client)}",
            async page =>
            {
                await Expect(page.GetByTestId("history-row")).ToHaveCountAsync(2);
                await BrowserFixture.WaitUntilInteractiveAsync(page);
            },
            ["history-filter", "replay"],
            async (page, _) =>
            {
                // A filter is chosen and cleared again from the keyboard (Delete goes back to "any").
                var scenario = page.GetByRole(AriaRole.Combobox, new() { Name = "Scenario" });
                await ChooseFirstByKeyboardAsync(page, scenario, "Without a lock");
                await page.GetByTestId("history-filter").FocusAsync();
                await page.Keyboard.PressAsync("Enter");
                await Expect(page.GetByTestId("history-row")).ToHaveCountAsync(1);
                await scenario.FocusAsync();
                await page.Keyboard.PressAsync("Delete");
                await Expect(scenario).ToHaveValueAsync("");
                await Expect(scenario).ToBeFocusedAsync();
                await page.GetByTestId("history-filter").FocusAsync();
                await page.Keyboard.PressAsync("Enter");
                await Expect(page.GetByTestId("history-row")).ToHaveCountAsync(2);

                // Space ticks a row's box; Enter on a row's Replay opens it.
                var box = page.GetByTestId("history-row").First.GetByRole(AriaRole.Checkbox);
                await box.FocusAsync();
                await page.Keyboard.PressAsync(" ");
                await Expect(box).ToBeCheckedAsync();
                await page.GetByTestId("replay").First.FocusAsync();
                await page.Keyboard.PressAsync("Enter");
                await Expect(page.GetByTestId("replay-controls")).ToBeVisibleAsync();
            }),
        ["replay"] = new(1440, 900, async client => $"/history/{(await TwoFinishedRunsAsync(client))[1]}",
            async page =>
            {
                await BrowserFixture.WaitUntilInteractiveAsync(page);
                await Expect(page.GetByTestId("replay-controls")).ToHaveAttributeAsync("data-state", "done", new() { Timeout = 20_000 });
            },
            ["replay-play", "console"],
            async (page, _) =>
            {
                // The breadcrumb leads back to the list.
                await page.Locator(".mud-breadcrumbs a", new() { HasText = "History" }).FocusAsync();
                await page.Keyboard.PressAsync("Enter");
                await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/history$"));
            }),
        ["compare"] = new(1440, 900, async client =>
            {
                var runs = await TwoFinishedRunsAsync(client);
                return $"/history/compare?a={runs[0]}&b={runs[1]}";
            },
            async page =>
            {
                await BrowserFixture.WaitUntilInteractiveAsync(page);
                await Expect(page.GetByTestId("compare")).ToBeVisibleAsync();
            },
            ["nav-history"],
            async (page, _) =>
            {
                // The timeline's table opens from the keyboard.
                var summary = page.Locator("summary").First;
                await summary.FocusAsync();
                await page.Keyboard.PressAsync("Enter");
                await Expect(page.Locator("details").First).ToHaveAttributeAsync("open", "");
            }),
    };

    public static TheoryData<string> KeyboardPageNames => new(KeyboardPages.Keys);

    /// <summary>
    /// The keyboard alone works every page: Tab goes round all of it, every stop draws a focus outline one can see, every
    /// icon button shows its name while focused, every visible, enabled control is among the stops, and the page's main
    /// control does its job from the keyboard.
    /// </summary>
    [SkippableTheory]
    [MemberData(nameof(KeyboardPageNames))]
    public async Task Every_control_is_reached_by_tab_and_shows_its_focus(string name)
    {
        Prerequisites.Require(Prerequisites.Chromium);
        var keyboardPage = KeyboardPages[name];
        using var client = lab.Server.CreateClient(presenter: true);
        var path = await keyboardPage.OpenAtAsync(client);
        var (page, errors) = await lab.NewPageAsync(keyboardPage.Width, keyboardPage.Height);
        await page.GotoAsync(At(path).ToString());
        await keyboardPage.ReadyAsync(page);

        var walk = await TabWalk.RoundAsync(page);
        Assert.True(walk.Unseen.Count == 0, $"{name}: focus not drawn on: {string.Join(", ", walk.Unseen)}");
        Assert.True(walk.Missed.Count == 0, $"{name}: not reached by Tab: {string.Join(", ", walk.Missed)}");
        Assert.True(walk.Unnamed.Count == 0, $"{name}: icon buttons that do not show their name on focus: {string.Join(", ", walk.Unnamed)}");
        foreach (var control in keyboardPage.MustReach)
        {
            Assert.True(walk.Reached.Any(r => r.Contains($"[{control}]", StringComparison.Ordinal)),
                $"{name}: {control} not reached; reached: {string.Join(", ", walk.Reached)}");
        }
        await keyboardPage.OperateAsync(page, client);
        Assert.Empty(errors);
    }

    /// <summary>
    /// The projector from the back of the room. Rule of thumb: text can be read from about 40 times its height away as
    /// the eye sees it, and a classroom's projected image is about 2 m high, read from the last row up to 10 m away: text
    /// a 40th of the image's height is the least (5 cm on a 2 m image at 10 m). So the printed values and the code are at
    /// least a 40th of the viewport's height, in CSS pixels, at 1280×720 (18 px) and at 1920×1080 (27 px); the page does
    /// not scroll sideways nor does the code; and + and − still change both.
    /// </summary>
    [SkippableTheory]
    [InlineData(1280, 720)]
    [InlineData(1920, 1080)]
    public async Task The_projectors_output_and_code_are_readable_from_the_back_of_the_room(int width, int height)
    {
        Prerequisites.Require(Prerequisites.Chromium);
        using var client = lab.Server.CreateClient(presenter: true);
        var code = await RoomWithARunAsync(client);
        var (page, errors) = await lab.NewPageAsync(width, height);
        await page.GotoAsync(At($"/rooms/{code}/project").ToString());
        await RunShownAsync(page);
        await Expect(page.Locator("[data-testid=console-line]")).ToHaveCountAsync(10);
        await Expect(page.Locator(".code-block pre").First).ToBeVisibleAsync();
        var least = height / 40.0;

        var (console, codeBlock) = await SizesAsync(page);
        Assert.True(console >= least, $"the printed values are {console:0.#} px at {width}×{height}, less than {least:0.#}");
        Assert.True(codeBlock >= least, $"the code is {codeBlock:0.#} px at {width}×{height}, less than {least:0.#}");
        Assert.False(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth > window.innerWidth + 1"),
            "the projector view scrolls sideways");
        var scrolled = await page.Locator(".code-block pre").EvaluateAllAsync<int>("pres => pres.filter(p => p.scrollWidth > p.clientWidth + 1).length");
        Assert.True(scrolled == 0, $"{scrolled} code block(s) scroll sideways: the back row cannot see the rest");
        Assert.True(await page.Locator("[role=tablist]").EvaluateAsync<bool>("e => e.scrollWidth <= e.clientWidth"), "the tabs overflow their list"); // the live panel's tabs still fit
        await page.ScreenshotAsync(new PageScreenshotOptions
        {
            Path = Path.Combine(BrowserFixture.ArtifactsFolder, $"projector-readable-{width}x{height}.png")
        });

        // The zoom keys: + makes both larger, − smaller.
        await Expect(page.GetByTestId("projection")).ToHaveAttributeAsync("data-keys", "on");
        await page.Keyboard.PressAsync("+");
        await Expect(page.GetByTestId("projection")).ToHaveAttributeAsync("data-zoom", "1.625");
        var (consoleLarger, codeLarger) = await SizesAsync(page);
        Assert.True(consoleLarger > console && codeLarger > codeBlock, $"+ left the sizes at {consoleLarger} and {codeLarger} px");
        await page.Keyboard.PressAsync("-");
        await page.Keyboard.PressAsync("-");
        await Expect(page.GetByTestId("projection")).ToHaveAttributeAsync("data-zoom", "1.375");
        var (consoleSmaller, codeSmaller) = await SizesAsync(page);
        Assert.True(consoleSmaller < console && codeSmaller < codeBlock, $"− left the sizes at {consoleSmaller} and {codeSmaller} px");
        Assert.Empty(errors);
    }

    /// <summary>The rendered font sizes, in CSS pixels, of the printed values and of the code.</summary>
    /// <summary>Opens a select from the keyboard, takes its first choice (<paramref name="first"/>) and closes it with Enter.</summary>
    /// <summary>On a native select, the down arrow takes the next choice: the first after the empty one.</summary>
    private static async Task ChooseFirstByKeyboardAsync(IPage page, ILocator select, string first)
    {
        await select.FocusAsync();
        await page.Keyboard.PressAsync("ArrowDown");
        await Expect(select.Locator("option:checked")).ToHaveTextAsync(first);
    }

    private static async Task<(double Console, double Code)> SizesAsync(IPage page) =>
        (await page.Locator("[data-testid=console-line] .console-value").First.EvaluateAsync<double>("e => parseFloat(getComputedStyle(e).fontSize)"),
            await page.Locator(".code-block pre").First.EvaluateAsync<double>("e => parseFloat(getComputedStyle(e).fontSize)"));

    /// <summary>The follower leaves the presenter's pages with Enter: the button to follow again takes its place.</summary>
    private static async Task DetachByKeyboardAsync(IPage page)
    {
        await page.GetByTestId("detach").FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.GetByTestId("follow")).ToBeVisibleAsync();
    }

    private static async Task RunShownAsync(IPage page)
    {
        await BrowserFixture.WaitUntilLiveAsync(page);
        await Expect(page.GetByTestId("run-status")).ToHaveAttributeAsync("data-status", "completed");
    }

    /// <summary>A fresh room on the page "With a lock" (code and an experiment), with a finished run of it.</summary>
    private static async Task<string> RoomWithARunAsync(HttpClient client)
    {
        var created = await client.PostAsync("/api/rooms", null);
        created.EnsureSuccessStatusCode();
        var code = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("room").GetString()!;
        (await client.PostAsync($"/api/rooms/{code}/page",
            JsonContent.Create(new { lesson = "process-locks", page = 3 }))).EnsureSuccessStatusCode();
        await StartRunAsync(client, """{"scenario":"lock","delayMs":10}""", $"/api/rooms/{code}/runs");
        return code;
    }

    /// <summary>Two finished runs (without and with a lock) in a room of their own; returns the room.</summary>
    private static async Task<string> RoomWithTwoFinishedRunsAsync(HttpClient client)
    {
        var room = $"a11y-keys-{Guid.NewGuid():N}"[..20];
        await FinishedRunsAsync(client, room);
        return room;
    }

    private static Task<List<string>> TwoFinishedRunsAsync(HttpClient client) =>
        FinishedRunsAsync(client, $"a11y-keys-{Guid.NewGuid():N}"[..20]);

    private static async Task<List<string>> FinishedRunsAsync(HttpClient client, string room)
    {
        var runs = new List<string>();
        foreach (var scenario in new[] { "no-lock", "lock" })
        {
            var id = await StartRunAsync(client, $$"""{"scenario":"{{scenario}}","room":"{{room}}","delayMs":10}""");
            await Waiting.UntilAsync(async () =>
            {
                var info = await client.GetFromJsonAsync<JsonElement>($"/api/runs/{id}");
                return info.GetProperty("status").GetString() == "completed" ? (object)info : null;
            }, TimeSpan.FromSeconds(30), "the run to complete");
            runs.Add(id);
        }
        return runs;
    }

    private static async Task<string> StartRunAsync(HttpClient client, string body, string path = "/api/runs")
    {
        var response = await client.PostAsync(path, new StringContent(body));
        Assert.Equal(System.Net.HttpStatusCode.Accepted, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
    }
}
