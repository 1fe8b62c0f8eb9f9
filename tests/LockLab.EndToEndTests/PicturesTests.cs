using LockLab.TestServices;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace LockLab.EndToEndTests;

/// <summary>The pictures of a run in a real browser: the lanes mark a lost update where it happened.</summary>
[Collection(PublishedLab.Collection)]
public class PicturesTests(BrowserFixture lab) : IClassFixture<BrowserFixture>
{
    [SkippableFact]
    public async Task A_lost_update_run_is_marked_on_the_lanes()
    {
        Prerequisites.Require(Prerequisites.Chromium);
        var (page, errors) = await lab.NewPageAsync(1600, 1000);
        await page.GotoAsync(new Uri(lab.Server.Address, $"/lessons/lost-updates/3?room=pictures&key={ServerProcess.Key}").ToString());
        await BrowserFixture.WaitUntilLiveAsync(page);
        await Expect(page.GetByTestId("run-experiment")).ToHaveTextAsync("Run the lost update");

        await page.GetByRole(AriaRole.Tab, new() { Name = "Timeline" }).ClickAsync();

        // The pause between read and write makes a loss all but certain; on a machine so busy that a worker was
        // held up past the other's write, nothing was lost and there is nothing to mark: run it again (at most 3 times).
        var marks = 0;
        for (var attempt = 0; attempt < 3 && marks == 0; attempt++)
        {
            var previous = await page.GetByTestId("run-status").CountAsync() > 0
                ? await page.GetByTestId("run-status").GetAttributeAsync("data-run")
                : null;
            await page.GetByTestId("run-experiment").ClickAsync();
            await Expect(page.GetByTestId("run-status")).Not.ToHaveAttributeAsync("data-run", previous ?? "");
            await Expect(page.GetByTestId("run-status")).ToHaveAttributeAsync("data-status", "completed");
            marks = await page.GetByTestId("lost-write").CountAsync();
        }
        Assert.True(marks >= 1, "three lost-update runs in a row lost nothing");
        await Expect(page.GetByTestId("lost-write").First).ToBeVisibleAsync();
        await Expect(page.Locator("[data-testid=counter-chart]")).ToBeVisibleAsync();
        await page.ScreenshotAsync(new PageScreenshotOptions
        {
            Path = Path.Combine(BrowserFixture.ArtifactsFolder, "lanes-lost-update.png"),
            FullPage = true
        });

        // In words too: the timeline's table lists each lost write.
        await page.GetByTestId("timeline-table").GetByText("The timeline as a table").ClickAsync();
        await Expect(page.GetByTestId("lost-write-row")).ToHaveCountAsync(marks);

        // The summary names the lost writes too.
        await page.GetByRole(AriaRole.Tab, new() { Name = "Output" }).ClickAsync();
        await Expect(page.GetByTestId("lost-writes")).ToBeVisibleAsync();
        Assert.Empty(errors);
    }

    [SkippableFact]
    public async Task The_timeline_table_says_who_held_the_lock_when()
    {
        Prerequisites.Require(Prerequisites.Chromium);
        var (page, errors) = await lab.NewPageAsync();
        await page.GotoAsync(
            new Uri(lab.Server.Address, $"/lessons/process-locks/3?room=pictures-lock&key={ServerProcess.Key}").ToString());
        await BrowserFixture.WaitUntilLiveAsync(page);
        await page.GetByTestId("run-experiment").ClickAsync();
        await Expect(page.GetByTestId("run-status")).ToHaveAttributeAsync("data-status", "completed");

        await page.GetByRole(AriaRole.Tab, new() { Name = "Timeline" }).ClickAsync();
        await page.GetByTestId("timeline-table").GetByText("The timeline as a table").ClickAsync();
        var holds = page.GetByTestId("lock-hold");
        await Expect(holds).ToHaveCountAsync(2);
        // The lesson's lock run: p1 holds it through its loop, then p2, who waited for it meanwhile.
        Assert.Equal(["p1", "p2"], await holds.EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.process)"));
        var cells = await holds.EvaluateAllAsync<double[][]>(
            "rows => rows.map(r => [...r.cells].slice(1).map(c => parseFloat(c.textContent)))");
        Assert.True(cells[0][2] <= cells[1][1], $"p1 released at {cells[0][2]} ms, p2 took it at {cells[1][1]} ms");
        Assert.True(cells[1][0] > 0, "p2 waited for the lock");
        await Expect(page.GetByTestId("no-lost-writes")).ToBeVisibleAsync();
        Assert.Empty(errors);
    }
}
