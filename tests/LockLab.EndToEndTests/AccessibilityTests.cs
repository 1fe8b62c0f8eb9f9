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
        var created = await client.PostAsync("/api/rooms", null);
        created.EnsureSuccessStatusCode();
        var code = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("room").GetString()!;
        (await client.PostAsync($"/api/rooms/{code}/page",
            JsonContent.Create(new { lesson = "process-locks", page = 3 }))).EnsureSuccessStatusCode();
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

    [SkippableFact]
    public async Task Every_control_of_the_lesson_page_is_reached_by_tab_and_shows_its_focus()
    {
        Prerequisites.Require(Prerequisites.Chromium);
        var (page, errors) = await lab.NewPageAsync();
        await page.GotoAsync(At($"/lessons/process-locks/3?room=a11y-keys&key={ServerProcess.Key}").ToString());
        await BrowserFixture.WaitUntilLiveAsync(page);
        await page.Locator("body").ClickAsync(new() { Position = new() { X = 1, Y = 200 } }); // start from the page, not the address bar

        // Tab through the whole page: each stop must draw a focus outline (a box shadow does not count: filled buttons always
        // have one).
        var unseen = new List<string>();
        var reached = new HashSet<string>();
        for (var i = 0; i < 60; i++)
        {
            await page.Keyboard.PressAsync("Tab");
            var stop = await page.EvaluateAsync<string[]>("""
                () => {
                  const e = document.activeElement;
                  if (!e || e === document.body) return ['', ''];
                  const s = getComputedStyle(e);
                  const drawn = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0;
                  const name = e.tagName.toLowerCase() + (e.dataset.testid ? '[' + e.dataset.testid + ']' : '')
                    + ' "' + (e.getAttribute('aria-label') || e.textContent || '').trim().slice(0, 30) + '"';
                  return [name, drawn ? 'drawn' : 'not drawn'];
                }
                """);
            if (stop[0].Length == 0) continue;
            reached.Add(stop[0]);
            if (stop[1] != "drawn") unseen.Add(stop[0]);
        }
        Assert.True(unseen.Count == 0, $"focus not drawn on: {string.Join(", ", unseen.Distinct())}");
        foreach (var control in new[] { "next-page", "run-experiment", "console", "theme-toggle" })
        {
            Assert.Contains(reached, r => r.Contains($"[{control}]", StringComparison.Ordinal));
        }
        // The run button works from the keyboard.
        await page.GetByTestId("run-experiment").FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.GetByTestId("run-status")).ToHaveAttributeAsync("data-status", "completed");
        Assert.Empty(errors);
    }

    private static async Task<string> StartRunAsync(HttpClient client, string body, string path = "/api/runs")
    {
        var response = await client.PostAsync(path, new StringContent(body));
        Assert.Equal(System.Net.HttpStatusCode.Accepted, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
    }
}
