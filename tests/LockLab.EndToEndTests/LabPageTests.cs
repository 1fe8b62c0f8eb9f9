using System.Diagnostics;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace LockLab.EndToEndTests;

/// <summary>The lab page in a real browser against the real server and real worker processes.</summary>
public class LabPageTests(BrowserFixture lab) : IClassFixture<BrowserFixture>
{
    private static ILocator Lines(IPage page) => page.Locator("[data-testid=console-line]");

    private static async Task<(string Process, long Value)[]> ReadConsoleAsync(IPage page)
    {
        var lines = await Lines(page).AllAsync();
        var result = new List<(string, long)>();
        foreach (var line in lines)
        {
            result.Add((await line.GetAttributeAsync("data-process") ?? "", long.Parse(await line.GetAttributeAsync("data-value") ?? "-1")));
        }
        return result.ToArray();
    }

    [Fact]
    public async Task Run_with_lock_shows_the_ten_values_in_order_as_they_are_printed()
    {
        var (page, errors) = await lab.NewPageAsync();
        // The start-up link: the page keeps the key and removes it from the address bar.
        await page.GotoAsync(new Uri(lab.Server.Address, $"/lessons/process-locks/3?key={ServerProcess.Key}").ToString());
        await Expect(page.GetByTestId("page-title")).ToHaveTextAsync("With a lock"); // prerendered lesson
        await BrowserFixture.WaitUntilLiveAsync(page);
        Assert.DoesNotContain("key=", page.Url);

        await Expect(page.GetByTestId("run-experiment")).ToHaveTextAsync("Run with lock");
        await page.GetByTestId("run-experiment").ClickAsync();

        // Live: the first value appears while the run is still going (it takes about a second).
        await Lines(page).First.WaitForAsync(new LocatorWaitForOptions { Timeout = 10_000 });
        Assert.Equal("running", await page.GetByTestId("run-status").GetAttributeAsync("data-status"));

        await Expect(page.GetByTestId("run-status")).ToHaveAttributeAsync("data-status", "completed", new() { Timeout = 15_000 });
        var printed = await ReadConsoleAsync(page);
        Assert.Equal([1L, 2, 3, 4, 5, 8, 11, 14, 17, 20], printed.Select(p => p.Value));
        Assert.Equal(["p1", "p1", "p1", "p1", "p1", "p2", "p2", "p2", "p2", "p2"], printed.Select(p => p.Process));
        await Expect(page.GetByTestId("final-value")).ToHaveTextAsync("20");

        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserFixture.ArtifactsFolder, "lab-run-with-lock.png"), FullPage = true });
        Assert.Empty(errors);
    }

    [Fact]
    public async Task A_run_triggered_over_http_appears_live_on_every_open_page_of_the_room()
    {
        var pages = new[] { await lab.NewPageAsync(), await lab.NewPageAsync(1280, 720) };
        foreach (var (page, _) in pages)
        {
            await page.GotoAsync(new Uri(lab.Server.Address, "/lessons/process-locks/2?room=remote").ToString());
            await BrowserFixture.WaitUntilLiveAsync(page);
        }

        using var client = lab.Server.CreateClient(presenter: true);
        // As curl sends it: no JSON content type.
        var response = await client.PostAsync("/api/runs", new StringContent("""{"scenario":"no-lock","room":"remote"}"""));
        Assert.Equal(System.Net.HttpStatusCode.Accepted, response.StatusCode);

        foreach (var (page, errors) in pages)
        {
            await Expect(page.GetByTestId("run-status")).ToHaveAttributeAsync("data-status", "completed", new() { Timeout = 15_000 });
            var printed = await ReadConsoleAsync(page);
            Assert.Equal(10, printed.Length);
            Assert.Equal(20, printed[^1].Value);
            Assert.Equal(5, printed.Count(p => p.Process == "p1"));
            Assert.Empty(errors);
        }
        await pages[1].Page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserFixture.ArtifactsFolder, "lab-remote-1280x720.png") });
    }

    [Fact]
    public async Task Without_the_key_the_page_asks_for_it_instead_of_failing_silently()
    {
        var (page, errors) = await lab.NewPageAsync();
        await page.GotoAsync(new Uri(lab.Server.Address, "/lessons/process-locks/3?room=nokey").ToString());
        await BrowserFixture.WaitUntilLiveAsync(page);

        await page.GetByTestId("run-experiment").ClickAsync();

        await Expect(page.GetByTestId("panel-message")).ToContainTextAsync("presenter key");
        await Expect(page.GetByLabel("Presenter key")).ToBeVisibleAsync();
        Assert.Empty(errors);
    }
}
