using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using LockLab.EndToEndTests.ScaleOut;
using LockLab.TestServices;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace LockLab.EndToEndTests;

/// <summary>The lab page in a real browser against the real server and real worker processes.</summary>
[Collection(PublishedLab.Collection)]
public class LabPageTests(BrowserFixture lab) : IClassFixture<BrowserFixture>
{
    private static ILocator Lines(IPage page) => page.Locator("[data-testid=console-line]");

    private static async Task<(string Process, long Value)[]> ReadConsoleAsync(IPage page)
    {
        var lines = await Lines(page).AllAsync();
        var result = new List<(string, long)>();
        foreach (var line in lines)
        {
            result.Add((await line.GetAttributeAsync("data-process") ?? "",
                long.Parse(await line.GetAttributeAsync("data-value") ?? "-1")));
        }
        return result.ToArray();
    }

    [SkippableFact]
    public async Task Run_with_lock_shows_p1_running_to_the_end_before_p2()
    {
        Prerequisites.Require(Prerequisites.Chromium);
        var (page, errors) = await lab.NewPageAsync();
        // The start-up link: the page keeps the key and removes it from the address bar.
        await page.GotoAsync(new Uri(lab.Server.Address, $"/lessons/process-locks/3?key={ServerProcess.Key}").ToString());
        await Expect(page.GetByTestId("page-title")).ToHaveTextAsync("With a lock"); // prerendered lesson
        await BrowserFixture.WaitUntilLiveAsync(page);
        Assert.DoesNotContain("key=", page.Url);

        await Expect(page.GetByTestId("run-experiment")).ToHaveTextAsync("Run with lock");
        await page.GetByTestId("run-experiment").ClickAsync();

        // That each value appears the moment it is printed is shown in step mode (below), where the run waits for the
        // next step: here, on a loaded machine, the whole second-long run may be over before the page is looked at.
        await Expect(page.GetByTestId("run-status")).ToHaveAttributeAsync("data-status", "completed");
        var printed = await ReadConsoleAsync(page);
        Assert.Equal([1L, 2, 3, 4, 5, 8, 11, 14, 17, 20], printed.Select(p => p.Value));
        Assert.Equal(["p1", "p1", "p1", "p1", "p1", "p2", "p2", "p2", "p2", "p2"], printed.Select(p => p.Process));
        await Expect(page.GetByTestId("final-value")).ToHaveTextAsync("20");

        await page.ScreenshotAsync(new PageScreenshotOptions
        {
            Path = Path.Combine(BrowserFixture.ArtifactsFolder, "lab-run-with-lock.png"),
            FullPage = true
        });
        Assert.Empty(errors);
    }

    [SkippableFact]
    public async Task In_step_mode_each_value_appears_the_moment_it_is_printed_while_the_lock_holds_the_other_process_back()
    {
        Prerequisites.Require(Prerequisites.Chromium);
        var (page, errors) = await lab.NewPageAsync();
        await page.GotoAsync(new Uri(lab.Server.Address, $"/lessons/process-locks/3?room=steps&key={ServerProcess.Key}").ToString());
        await BrowserFixture.WaitUntilLiveAsync(page);
        await page.GetByTestId("step-mode").ClickAsync();
        await page.GetByTestId("run-experiment").ClickAsync();
        await Expect(page.GetByTestId("step-controls")).ToBeVisibleAsync();
        var p1 = page.GetByTestId("step-p1");
        var p2 = page.GetByTestId("step-p2");

        await TakeStepAsync(p1, "take the lock");
        await Expect(p1).ToHaveAttributeAsync("data-next", "read");
        // p2 asks for the lock p1 holds: its real process blocks in the real lock, and the page says so.
        await TakeStepAsync(p2, "take the lock");
        await Expect(p2).ToContainTextAsync("waits for the lock");
        await Expect(p2).ToBeDisabledAsync();

        await TakeStepAsync(p1, "read");
        await TakeStepAsync(p1, "write");
        Assert.Equal(0, await Lines(page).CountAsync());
        await page.Locator("input[data-testid=prediction], [data-testid=prediction] input").FillAsync("1");
        await TakeStepAsync(p1, "print");

        // The run cannot go on without the next step, so this is the value shown while the run is still going.
        await Expect(Lines(page)).ToHaveCountAsync(1);
        Assert.Equal(("p1", 1L), (await ReadConsoleAsync(page))[0]);
        Assert.Equal("running", await page.GetByTestId("run-status").GetAttributeAsync("data-status"));
        await Expect(page.GetByTestId("prediction-result")).ToHaveTextAsync("Right: p1 printed 1.");
        await Expect(p2).ToBeDisabledAsync();

        await page.GetByTestId("stop-run").ClickAsync();
        await Expect(page.GetByTestId("run-status")).ToHaveAttributeAsync("data-status", "cancelled");
        await Expect(Lines(page)).ToHaveCountAsync(1);
        Assert.Empty(errors);
    }

    /// <summary>Clicks a process's step button when it offers <paramref name="step"/>, then waits until the step has
    /// happened (the button offers the next one), so that no click lands on a step that is still on its way.</summary>
    private static async Task TakeStepAsync(ILocator button, string step)
    {
        await Expect(button).ToHaveAttributeAsync("data-next", step);
        await button.ClickAsync();
        await Expect(button).Not.ToHaveAttributeAsync("data-next", step);
    }

    /// <summary>Opens a page of the lab and waits until it is live, running where <paramref name="runsIn"/> says.</summary>
    private async Task OpenLiveAsync(IPage page, string pathAndQuery, string runsIn)
    {
        await page.GotoAsync(new Uri(lab.Server.Address, pathAndQuery).ToString());
        await BrowserFixture.WaitUntilLiveAsync(page);
        await Expect(page.Locator("body")).ToHaveAttributeAsync("data-runs-in", runsIn);
    }

    [SkippableFact]
    public async Task A_first_visit_runs_on_the_server_and_the_browsers_next_page_in_WebAssembly_from_its_cache()
    {
        Prerequisites.Require(Prerequisites.Chromium);
        const string room = "first-visit";
        await lab.Server.OpenRoomAsync(room);
        var (page, errors) = await lab.NewPageAsync();

        // A teacher's first visit: the page runs on the server, interactive without the .NET runtime in the browser.
        await OpenLiveAsync(page, $"/lessons/process-locks/3?room={room}&key={ServerProcess.Key}", runsIn: "Server");
        await page.GetByTestId("run-experiment").ClickAsync();
        await Expect(page.GetByTestId("run-status")).ToHaveAttributeAsync("data-status", "completed");
        Assert.Equal([1L, 2, 3, 4, 5, 8, 11, 14, 17, 20], (await ReadConsoleAsync(page)).Select(p => p.Value));

        // Once it is interactive, the page fetches the WebAssembly client into the browser's cache and says so in a cookie.
        await page.WaitForFunctionAsync("() => document.cookie.includes('locklab.client=')", null, new() { Timeout = 60_000 });

        // The browser's next page runs in WebAssembly, with the client's files from the cache, and runs as well.
        await OpenLiveAsync(page, $"/lessons/process-locks/2?room={room}", runsIn: "WebAssembly");
        var downloaded = await page.EvaluateAsync<string[]>("""
            () => performance.getEntriesByType('resource')
              .filter(e => e.name.includes('/_framework/') && e.name.endsWith('.wasm') && e.transferSize > 0).map(e => e.name)
            """);
        Assert.True(downloaded.Length == 0, "Downloaded again instead of taken from the cache:\n" + string.Join('\n', downloaded));
        await page.GetByTestId("run-experiment").ClickAsync();
        await Expect(page.GetByTestId("run-status")).ToHaveAttributeAsync("data-status", "completed");
        await Expect(Lines(page)).ToHaveCountAsync(10);
        Assert.Empty(errors);
    }

    [SkippableFact]
    public async Task A_page_on_the_server_whose_circuit_was_cut_off_catches_up_on_what_the_lab_said_meanwhile()
    {
        Prerequisites.Require(Prerequisites.Chromium);
        const string room = "circuit-cut";
        await lab.Server.OpenRoomAsync(room);
        var (page, errors) = await lab.NewPageAsync();
        await OpenLiveAsync(page, $"/lessons/process-locks/2?room={room}", runsIn: "Server");

        // The circuit is cut off (what start.js says when Blazor loses it): what the hub delivers cannot reach .NET.
        await page.EvaluateAsync("() => document.dispatchEvent(new CustomEvent('locklab:circuit', { detail: { up: false } }))");
        using var presenter = lab.Server.CreateClient(presenter: true);
        using var started = await presenter.PostAsync("/api/runs", new StringContent($$"""{"scenario":"no-lock","room":"{{room}}"}"""));
        var run = (await started.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();
        await Waiting.UntilAsync(async () =>
            (await presenter.GetFromJsonAsync<JsonElement>($"/api/runs/{run}")).GetProperty("status").GetString() == "completed" ? "" : null,
            TimeSpan.FromSeconds(30), "the run to end");
        await Expect(Lines(page)).ToHaveCountAsync(0); // nothing of it reached the page

        // The circuit is back: the page rejoins its room and catches up, as after any reconnect.
        await page.EvaluateAsync("() => document.dispatchEvent(new CustomEvent('locklab:circuit', { detail: { up: true } }))");
        await Expect(page.GetByTestId("run-status")).ToHaveAttributeAsync("data-status", "completed");
        await Expect(Lines(page)).ToHaveCountAsync(10);

        // Cut off again while the lab runs the page's experiment once more; then back, off and back at once: two rejoins
        // in a row. The page ends up with the room as it is: the new run, its output once.
        await page.EvaluateAsync("() => document.dispatchEvent(new CustomEvent('locklab:circuit', { detail: { up: false } }))");
        using var again = await presenter.PostAsync("/api/runs", new StringContent($$"""{"scenario":"no-lock","room":"{{room}}"}"""));
        var second = (await again.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();
        await Waiting.UntilAsync(async () =>
            (await presenter.GetFromJsonAsync<JsonElement>($"/api/runs/{second}")).GetProperty("status").GetString() == "completed" ? "" : null,
            TimeSpan.FromSeconds(30), "the second run to end");
        await page.EvaluateAsync("""
            () => {
              for (const up of [true, false, true]) document.dispatchEvent(new CustomEvent('locklab:circuit', { detail: { up } }));
            }
            """);
        await Expect(page.GetByTestId("run-status")).ToHaveAttributeAsync("data-run", second!);
        await Expect(page.GetByTestId("run-status")).ToHaveAttributeAsync("data-status", "completed");
        await Expect(Lines(page)).ToHaveCountAsync(10);
        // Connected (the transport is named only then).
        await Expect(page.GetByTestId("connection-status")).ToHaveAttributeAsync("data-transport", new Regex(".+"));
        Assert.Empty(errors);
    }

    [SkippableFact]
    public async Task A_presenter_page_connects_while_dotnet_is_still_starting_and_uses_that_one_connection()
    {
        Prerequisites.Require(Prerequisites.Chromium);
        const string room = "early-connection";
        await lab.Server.OpenRoomAsync(room);
        using var presenter = lab.Server.CreateClient(presenter: true);
        using var signedIn = await presenter.PostAsync("/api/presenter/session", null);
        var session = (await signedIn.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString();
        var (page, errors) = await lab.NewPageAsync(inWebAssembly: true);
        // A teacher's browser after the sign-in link: it keeps a presenter session.
        await page.Context.AddInitScriptAsync($"localStorage.setItem('locklab.presenterSession', '{session}');");
        var sockets = new List<string>();
        page.WebSocket += (_, socket) => { lock (sockets) sockets.Add(socket.Url); };
        // What the hub's client says of the connection (hub.js passes its warnings on to the console).
        var hubWarnings = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Text.StartsWith("LockLab hub", StringComparison.Ordinal)) lock (hubWarnings) hubWarnings.Add(message.Text);
        };

        await page.GotoAsync(new Uri(lab.Server.Address, $"/lessons/process-locks/2?room={room}").ToString());
        await BrowserFixture.WaitUntilLiveAsync(page);
        // The connection was asked for before .NET ran the client's first line (start.js opens it from the prerendered
        // page): negotiation began before the "locklab:main" mark.
        var timing = await page.EvaluateAsync<double[]>("""
            () => {
              const negotiate = performance.getEntriesByType('resource').filter(e => e.name.includes('/hubs/lab/negotiate'));
              const main = performance.getEntriesByName('locklab:main')[0];
              return [negotiate.length, negotiate[0]?.startTime ?? -1, main?.startTime ?? -1];
            }
            """);
        var (negotiations, negotiatedAt, mainAt) = (timing[0], timing[1], timing[2]);
        Assert.Equal(1, negotiations);
        Assert.InRange(negotiatedAt, 0, mainAt);

        // That connection is the page's own: in the room, with the presenter's session (the run button starts a run),
        // and no second one was opened.
        await page.GetByTestId("run-experiment").ClickAsync();
        await Expect(page.GetByTestId("run-status")).ToHaveAttributeAsync("data-status", "completed");
        await Expect(Lines(page)).ToHaveCountAsync(10);
        Assert.Single(sockets, url => url.Contains("/hubs/lab", StringComparison.Ordinal));
        Assert.Empty(hubWarnings);
        Assert.Empty(errors);
    }

    [SkippableFact]
    public async Task What_the_room_says_while_dotnet_loads_is_not_undone_by_the_older_state_the_early_join_brought()
    {
        Prerequisites.Require(Prerequisites.Chromium);
        const string room = "early-news";
        await lab.Server.OpenRoomAsync(room);
        using var presenter = lab.Server.CreateClient(presenter: true);
        // A run that waits for its steps: it is running when the page joins, and ends when the test says.
        using var started = await presenter.PostAsync("/api/runs",
            new StringContent($$"""{"scenario":"lock","room":"{{room}}","mode":"step","iterations":1}"""));
        var run = (await started.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();

        // .NET's runtime is held back until the room has news: the early connection joins (its answer says "running"),
        // then the run is stopped (the room says "cancelled"), and only then does the page's .NET take the connection.
        var (page, errors) = await lab.NewPageAsync(inWebAssembly: true);
        var release = new TaskCompletionSource();
        await page.RouteAsync("**/_framework/dotnet.native*.wasm", async route =>
        {
            await release.Task;
            await route.ContinueAsync();
        });
        await page.GotoAsync(new Uri(lab.Server.Address, $"/lessons/process-locks/3?room={room}").ToString());
        await lab.Server.WaitForViewersAsync(room, 1); // the early connection is in the room
        (await presenter.PostAsync($"/api/runs/{run}/stop", null)).EnsureSuccessStatusCode();
        await Waiting.UntilAsync(async () =>
            (await presenter.GetFromJsonAsync<JsonElement>($"/api/runs/{run}")).GetProperty("status").GetString() == "cancelled" ? "" : null,
            TimeSpan.FromSeconds(30), "the run to be cancelled");
        release.SetResult();

        await BrowserFixture.WaitUntilLiveAsync(page);
        await Expect(page.Locator($"[data-testid=run-status][data-run='{run}']")).ToHaveAttributeAsync("data-status", "cancelled");
        Assert.Empty(errors);
    }

    [SkippableFact]
    public async Task A_run_triggered_over_http_appears_live_on_every_open_page_of_the_room()
    {
        Prerequisites.Require(Prerequisites.Chromium);
        var pages = new[] { await lab.NewPageAsync(), await lab.NewPageAsync(1280, 720) };
        foreach (var (page, _) in pages)
        {
            await lab.Server.OpenRoomAsync("remote"); // the presenter opened it: a viewer cannot
            await page.GotoAsync(new Uri(lab.Server.Address, "/lessons/process-locks/2?room=remote").ToString());
            await BrowserFixture.WaitUntilLiveAsync(page);
            // Nothing in between to refuse it: SignalR's first choice (behind a proxy that does, ProxyTests).
            Assert.Equal("WebSockets", await page.GetByTestId("connection-status").GetAttributeAsync("data-transport"));
        }

        using var client = lab.Server.CreateClient(presenter: true);
        // As curl sends it: no JSON content type.
        var response = await client.PostAsync("/api/runs", new StringContent("""{"scenario":"no-lock","room":"remote"}"""));
        Assert.Equal(System.Net.HttpStatusCode.Accepted, response.StatusCode);
        var id = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();

        foreach (var (page, errors) in pages)
        {
            await Expect(page.GetByTestId("run-status")).ToHaveAttributeAsync("data-status", "completed");
            // Each page shows exactly what the two processes printed, in the order they printed it. (Not necessarily
            // ending at 20: without a lock the processes may, rarely, lose an update, and the lab shows that honestly.)
            var events = await client.GetFromJsonAsync<JsonElement[]>($"/api/runs/{id}/events?after=0");
            var prints = events!.Where(e => e.GetProperty("kind").GetString() == "print")
                .Select(e => (e.GetProperty("process").GetString()!, e.GetProperty("value").GetInt64())).ToArray();
            var printed = await ReadConsoleAsync(page);
            Assert.Equal(prints, printed);
            Assert.Equal(5, printed.Count(p => p.Process == "p1"));
            Assert.Equal(5, printed.Count(p => p.Process == "p2"));
            var run = await client.GetFromJsonAsync<JsonElement>($"/api/runs/{id}");
            var final = run.GetProperty("summary").GetProperty("actualFinalValue").GetInt64();
            await Expect(page.GetByTestId("final-value")).ToHaveTextAsync(final.ToString());
            Assert.Equal(final, printed[^1].Value);
            Assert.Empty(errors);
        }
        await pages[1].Page.ScreenshotAsync(new PageScreenshotOptions
        {
            Path = Path.Combine(BrowserFixture.ArtifactsFolder, "lab-remote-1280x720.png")
        });
    }

    [SkippableFact]
    public async Task A_big_run_shows_its_latest_lines_and_figures_and_links_to_its_full_log()
    {
        Prerequisites.Require(Prerequisites.Chromium);
        var (page, errors) = await lab.NewPageAsync();
        await lab.Server.OpenRoomAsync("bigrun"); // the presenter opened it: a viewer cannot
        await page.GotoAsync(new Uri(lab.Server.Address, "/lessons/process-locks/2?room=bigrun").ToString());
        await BrowserFixture.WaitUntilLiveAsync(page);

        // 8 processes × 1,000 increments, each reported as read, write and print: 24,000 events and more, more than a
        // page keeps (LiveRun.KeepAllUpTo) within the default limits.
        using var client = lab.Server.CreateClient(presenter: true);
        var response = await client.PostAsync("/api/runs",
            new StringContent("""{"scenario":"no-lock","room":"bigrun","processes":8,"iterations":1000,"delayMs":0}"""));
        Assert.Equal(System.Net.HttpStatusCode.Accepted, response.StatusCode);
        var id = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();

        var notice = page.GetByTestId("latest-only");
        await Expect(notice).ToBeVisibleAsync();
        await Expect(page.GetByTestId("run-status")).ToHaveAttributeAsync("data-status", "completed", new() { Timeout = 60_000 });
        var run = await client.GetFromJsonAsync<JsonElement>($"/api/runs/{id}");
        var eventCount = run.GetProperty("eventCount").GetInt64();

        // Where the run ended: its last event, its final value, the latest lines only, and the summary.
        await Expect(page.GetByTestId("live-event-count")).ToHaveTextAsync(eventCount.ToString("N0"));
        var final = run.GetProperty("summary").GetProperty("actualFinalValue").GetInt64();
        await Expect(page.GetByTestId("final-value")).ToHaveTextAsync(final.ToString());
        await Expect(Lines(page)).ToHaveCountAsync(40); // ConsoleOutput.LatestLines
        Assert.Equal(final, (await ReadConsoleAsync(page))[^1].Value);

        // The full log is one click away: every event, as CSV.
        var href = await page.GetByTestId("full-log").GetAttributeAsync("href");
        Assert.Equal($"/api/runs/{id}/export?format=csv", href);
        var download = await page.RunAndWaitForDownloadAsync(() => page.GetByTestId("full-log").ClickAsync());
        var rows = File.ReadAllLines((await download.PathAsync())!).Where(l => l.Length > 0).ToArray();
        Assert.Equal(eventCount + 1, rows.Length); // a header and every event
        Assert.Empty(errors);
    }

    [SkippableFact]
    public async Task A_big_runs_figures_move_on_while_it_streams()
    {
        Prerequisites.Require(Prerequisites.Chromium);
        var (page, errors) = await lab.NewPageAsync();
        await lab.Server.OpenRoomAsync("bigfigures"); // the presenter opened it: a viewer cannot
        await page.GotoAsync(new Uri(lab.Server.Address, "/lessons/process-locks/2?room=bigfigures").ToString());
        await BrowserFixture.WaitUntilLiveAsync(page);
        // Every event count the page draws while the run is still going (only the streaming figures redraw then: the
        // panel around them does not, so this is what shows that they do).
        await page.EvaluateAsync("""
            () => {
              window.__counts = [];
              new MutationObserver(() => {
                const count = document.querySelector('[data-testid=live-event-count]');
                const status = document.querySelector('[data-testid=run-status]')?.getAttribute('data-status');
                if (count && status === 'running') window.__counts.push(count.textContent);
              }).observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
            }
            """);

        // 8 processes × 1,000 increments, 5 rounds: about 120,000 events, a second or more of streaming.
        using var client = lab.Server.CreateClient(presenter: true);
        var response = await client.PostAsync("/api/runs",
            new StringContent("""{"scenario":"no-lock","room":"bigfigures","processes":8,"iterations":1000,"delayMs":0,"rounds":5}"""));
        Assert.Equal(System.Net.HttpStatusCode.Accepted, response.StatusCode);
        var id = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();
        await Expect(page.GetByTestId("run-status")).ToHaveAttributeAsync("data-status", "completed", new() { Timeout = 60_000 });

        var total = (await client.GetFromJsonAsync<JsonElement>($"/api/runs/{id}")).GetProperty("eventCount").GetInt64();
        var drawn = (await page.EvaluateAsync<string[]>("() => window.__counts")).Distinct()
            .Select(c => long.Parse(
                c, System.Globalization.NumberStyles.AllowThousands, System.Globalization.CultureInfo.InvariantCulture))
            .ToList();
        var midway = drawn.Where(c => c > 0 && c < total).ToList();
        Assert.True(midway.Count >= 2, $"the event count was drawn {midway.Count} time(s) between 0 and {total:N0} " +
            $"while the run streamed: {string.Join(", ", drawn)}");
        Assert.Equal(drawn.Order(), drawn); // it only moves on
        Assert.Empty(errors);
    }

    [SkippableFact]
    public async Task Without_the_key_the_page_asks_for_it_instead_of_failing_silently()
    {
        Prerequisites.Require(Prerequisites.Chromium);
        var (page, errors) = await lab.NewPageAsync();
        await lab.Server.OpenRoomAsync("nokey"); // the presenter opened it: a viewer cannot
        await page.GotoAsync(new Uri(lab.Server.Address, "/lessons/process-locks/3?room=nokey").ToString());
        await BrowserFixture.WaitUntilLiveAsync(page);

        await page.GetByTestId("run-experiment").ClickAsync();

        await Expect(page.GetByTestId("panel-message")).ToContainTextAsync("presenter key");
        await Expect(page.GetByLabel("Presenter key")).ToBeVisibleAsync();

        // The message goes when its close button is pressed, from the keyboard too, and the button says its name.
        var close = page.GetByTestId("panel-message-close");
        await close.FocusAsync();
        // Out and back by keyboard: the focus a click left is not drawn (:focus-visible), the keyboard's is.
        await page.Keyboard.PressAsync("Shift+Tab");
        await page.Keyboard.PressAsync("Tab");
        Assert.Equal("\"Close\"", await close.EvaluateAsync<string>("e => getComputedStyle(e, '::after').content"));
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.GetByTestId("panel-message")).ToHaveCountAsync(0);
        Assert.Empty(errors);
    }
}
