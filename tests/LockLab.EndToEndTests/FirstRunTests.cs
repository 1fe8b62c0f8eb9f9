using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using LockLab.TestServices;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace LockLab.EndToEndTests;

/// <summary>
/// A new user's first minutes: a fresh clone (tracked files only), the README's run command exactly as written (its
/// first start, made by <see cref="PublishedLab"/>), and the things a teacher does first. Each check here once failed
/// on a fresh clone while every other test passed, because every other test gave the lab a prepared folder and a
/// Development build.
/// </summary>
[Collection(PublishedLab.Collection)]
public partial class FirstRunTests(PublishedLab published, BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    [SkippableFact]
    public async Task A_fresh_clone_started_with_the_readme_command_keeps_its_runs_and_serves_a_small_interactive_page()
    {
        Prerequisites.Require(Prerequisites.Chromium);
        var lab = published.RequireFirstStart();
        // The lab has run idle while other tests ran on the machine: a warning it logged meanwhile (a busy machine's
        // heartbeat warning, say) is not the first run's; an error is.
        var (startUpEnd, testStart) = (published.FirstStartLineCount, lab.Lines.Count);
        IReadOnlyList<string> Log() =>
            [.. lab.Lines.Where((line, i) => i < startUpEnd || i >= testStart || !IdleWarning().IsMatch(line))];
        var address = lab.Address;
        using var http = new HttpClient { BaseAddress = address };

        // Ready: the history could be opened (it lives in a data folder that no clone has).
        var ready = await http.GetAsync("/readyz");
        Assert.True(ready.StatusCode == HttpStatusCode.OK,
            $"/readyz {(int)ready.StatusCode}: {await ready.Content.ReadAsStringAsync()}\n{lab.Output}");

        // A run with the key the lab generated is recorded and listed.
        using var presenter = new HttpClient { BaseAddress = address };
        presenter.DefaultRequestHeaders.Authorization = new("Bearer", lab.Key);
        var started = await presenter.PostAsync("/api/runs",
            new StringContent("""{"scenario":"lock","delayMs":0}""", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        var runId = (await started.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        var finished = await Waiting.UntilAsync(async () =>
        {
            var run = await http.GetFromJsonAsync<JsonElement>($"/api/runs/{runId}");
            return run.GetProperty("status").GetString() is "completed" or "failed" ? run.GetProperty("status").GetString() : null;
        }, TimeSpan.FromSeconds(60), "the run to finish", poll: TimeSpan.FromMilliseconds(100));
        Assert.Equal("completed", finished);
        var listed = await http.GetFromJsonAsync<JsonElement>("/api/runs?room=main");
        Assert.Contains(listed.EnumerateArray(), r => r.GetProperty("id").GetString() == runId);

        // The History page is served and lists it (the lab's own room, main, for a browser not signed in); the lesson page
        // arrives small and becomes interactive.
        var (page, errors) = await browser.NewPageAsync();
        await page.GotoAsync(new Uri(address, "/history").ToString());
        await BrowserFixture.WaitUntilInteractiveAsync(page);
        await Expect(page.Locator($"[data-run='{runId}'], a[href*='{runId}']").First).ToBeAttachedAsync();

        var (lesson, lessonErrors) = await browser.NewPageAsync();
        long transferred = 0;
        var requested = new List<string>();
        var preloadWarnings = new List<string>();
        lesson.Request += (_, request) => { lock (requested) requested.Add(request.Url); };
        lesson.Console += (_, message) =>
        {
            // What Chromium says of a preload link it reads (an attribute it ignores, a link it cannot use).
            if (message.Text.Contains("preload", StringComparison.OrdinalIgnoreCase)) lock (preloadWarnings) preloadWarnings.Add(message.Text);
        };
        lesson.RequestFinished += async (_, request) =>
        {
            var sizes = await request.SizesAsync();
            Interlocked.Add(ref transferred, sizes.ResponseHeadersSize + sizes.ResponseBodySize);
        };
        await lesson.GotoAsync(new Uri(address, "/lessons/process-locks/2").ToString());
        await lesson.Locator("[data-testid=live-panel][data-interactive=true]").WaitForAsync(new() { Timeout = 30_000 });
        // A first visit runs on the server; once interactive, it fetches the WebAssembly client into the browser's
        // cache (within the 3 MB: the client is most of them), and says so in a cookie.
        await Expect(lesson.Locator("body")).ToHaveAttributeAsync("data-runs-in", "Server");
        await lesson.WaitForFunctionAsync("() => document.cookie.includes('locklab.client=')", null, new() { Timeout = 60_000 });
        await lesson.WaitForLoadStateAsync(LoadState.NetworkIdle);
        Assert.True(Interlocked.Read(ref transferred) < 3_000_000,
            $"The lesson page transferred {Interlocked.Read(ref transferred):N0} bytes (target: under 3 MB).");
        Assert.True(Interlocked.Read(ref transferred) > 1_000_000,
            $"The lesson page transferred {Interlocked.Read(ref transferred):N0} bytes: the client was not fetched.");

        // The browser's next page runs in WebAssembly. The runtime's files are named for preloading, and each preload is
        // the runtime's own request: had the runtime not taken a preloaded file, it would have asked for it a second
        // time. Chromium has nothing to say of the links.
        lock (requested) requested.Clear();
        await lesson.ReloadAsync();
        await lesson.Locator("[data-testid=live-panel][data-interactive=true]").WaitForAsync(new() { Timeout = 30_000 });
        await Expect(lesson.Locator("body")).ToHaveAttributeAsync("data-runs-in", "WebAssembly");
        Assert.True(await lesson.Locator("link[rel=preload][href^='_framework/']").CountAsync() > 10, "The runtime's files are not preloaded.");
        await lesson.WaitForLoadStateAsync(LoadState.NetworkIdle);
        lock (requested)
        {
            var twice = requested.GroupBy(u => u).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
            Assert.True(twice.Count == 0, "Fetched more than once:\n" + string.Join('\n', twice));
        }
        Assert.Empty(preloadWarnings);

        // The generated key was printed for the teacher, but no log event carries it (a log collector would keep it).
        Assert.Contains(Log(), l => l.StartsWith($"Presenter key: {lab.Key}", StringComparison.Ordinal));
        Assert.DoesNotContain(lab.Lines, l => l.Contains(lab.Key, StringComparison.Ordinal) && LogEvent().IsMatch(l));

        // Nothing went wrong on the way: the start-up log holds no warning or error but the generated key's notice.
        var complaints = Log()
            .Where(l => Complaint().IsMatch(l) && !l.Contains("generated one for this start", StringComparison.Ordinal)).ToList();
        Assert.True(complaints.Count == 0, "Warnings or errors while starting and serving:\n" + string.Join('\n', complaints));
        Assert.Empty(errors);
        Assert.Empty(lessonErrors);
    }

    [GeneratedRegex(@"^\[\d\d:\d\d:\d\d [A-Z]{3}\]")]
    private static partial Regex LogEvent();

    [GeneratedRegex(@"^\[\d\d:\d\d:\d\d WRN\]")]
    private static partial Regex IdleWarning();

    /// <summary>Serilog's warning, error and fatal lines, and MSBuild's warnings and errors from the build and publish.</summary>
    [GeneratedRegex(@"\[\d\d:\d\d:\d\d (WRN|ERR|FTL)\]|\b(warning|error) [A-Z]+\d+|Unhandled exception", RegexOptions.IgnoreCase)]
    private static partial Regex Complaint();
}
