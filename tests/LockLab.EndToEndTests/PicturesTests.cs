using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace LockLab.EndToEndTests;

/// <summary>The pictures of a run in a real browser: the lanes mark a lost update where it happened.</summary>
public class PicturesTests(BrowserFixture lab) : IClassFixture<BrowserFixture>
{
    [Fact]
    public async Task A_lost_update_run_is_marked_on_the_lanes()
    {
        var (page, errors) = await lab.NewPageAsync(1600, 1000);
        await page.GotoAsync(new Uri(lab.Server.Address, $"/lessons/lost-updates/3?room=pictures&key={ServerProcess.Key}").ToString());
        await BrowserFixture.WaitUntilLiveAsync(page);
        await Expect(page.GetByTestId("run-experiment")).ToHaveTextAsync("Run the lost update");

        await page.GetByTestId("run-experiment").ClickAsync();
        await page.GetByRole(AriaRole.Tab, new() { Name = "Timeline" }).ClickAsync();

        // Drawn live: the first lost write is marked while the run is still going (it takes about 0.8 s).
        await Expect(page.GetByTestId("lost-write").First).ToBeVisibleAsync(new() { Timeout = 10_000 });
        await Expect(page.GetByTestId("run-status")).ToHaveAttributeAsync("data-status", "completed", new() { Timeout = 15_000 });
        var marks = await page.GetByTestId("lost-write").CountAsync();
        Assert.True(marks >= 1);
        await Expect(page.Locator("[data-testid=counter-chart]")).ToBeVisibleAsync();
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserFixture.ArtifactsFolder, "lanes-lost-update.png"), FullPage = true });

        // The summary names the lost writes too.
        await page.GetByRole(AriaRole.Tab, new() { Name = "Output" }).ClickAsync();
        await Expect(page.GetByTestId("lost-writes")).ToBeVisibleAsync();
        Assert.Empty(errors);
    }
}
