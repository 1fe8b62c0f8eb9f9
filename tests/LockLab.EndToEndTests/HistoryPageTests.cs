using System.Net.Http.Json;
using System.Text.Json;
using LockLab.TestServices;
using static Microsoft.Playwright.Assertions;

namespace LockLab.EndToEndTests;

/// <summary>The history in a real browser: a finished run is listed and replays with every printed value.</summary>
[Collection(PublishedLab.Collection)]
public class HistoryPageTests(BrowserFixture lab) : IClassFixture<BrowserFixture>
{
    [SkippableFact]
    public async Task A_finished_run_is_listed_and_replays_its_prints_in_order()
    {
        Prerequisites.Require(Prerequisites.Chromium);
        using var client = lab.Server.CreateClient(presenter: true);
        var started = await client.PostAsync("/api/runs", new StringContent("""{"scenario":"lock","room":"history-e2e","delayMs":20}"""));
        var id = (await started.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        await Waiting.UntilAsync(async () =>
        {
            var run = await client.GetFromJsonAsync<JsonElement>($"/api/runs/{id}");
            return run.GetProperty("status").GetString() == "completed" ? (object)run : null;
        }, TimeSpan.FromSeconds(30), "the run to complete");

        var (page, errors) = await lab.NewPageAsync();
        await page.GotoAsync(new Uri(lab.Server.Address, "/history?room=history-e2e").ToString());
        await Expect(page.Locator($"[data-testid=history-row][data-run='{id}']")).ToHaveAttributeAsync("data-status", "completed");
        await BrowserFixture.WaitUntilInteractiveAsync(page);

        await page.Locator($"[data-testid=history-row][data-run='{id}'] [data-testid=replay]").ClickAsync();
        await Expect(page.GetByTestId("replay-controls")).ToHaveAttributeAsync("data-state", "done", new() { Timeout = 20_000 });
        var values = await page.Locator("[data-testid=console-line]")
            .EvaluateAllAsync<long[]>("lines => lines.map(l => Number(l.dataset.value))");
        Assert.Equal([1L, 2, 3, 4, 5, 8, 11, 14, 17, 20], values);
        await Expect(page.GetByTestId("lanes")).ToBeVisibleAsync();
        Assert.Empty(errors);
    }
}
