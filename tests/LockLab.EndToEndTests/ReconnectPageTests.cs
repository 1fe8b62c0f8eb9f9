using LockLab.TestServices;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace LockLab.EndToEndTests;

/// <summary>An open page across a server restart: it says it lost the lab, comes back by itself, and is live again.</summary>
[Collection(PublishedLab.Collection)]
public class ReconnectPageTests
{
    [SkippableFact]
    public async Task A_page_reconnects_after_the_server_restarts_and_shows_the_next_run()
    {
        Prerequisites.Require(Prerequisites.Chromium);
        var first = await ServerProcess.StartAsync();
        await using var firstServer = first;
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await BrowserFixture.LaunchChromiumAsync(playwright);
        var page = await browser.NewPageAsync();
        var errors = new List<string>();
        page.PageError += (_, error) => { lock (errors) errors.Add(error); };
        await first.OpenRoomAsync("restart"); // the presenter opened it: a viewer cannot
        await page.GotoAsync(new Uri(first.Address, "/lessons/process-locks/2?room=restart").ToString());
        await BrowserFixture.WaitUntilLiveAsync(page);

        first.KillHard();
        await Expect(page.GetByTestId("live-panel")).Not.ToHaveAttributeAsync("data-connection", "connected");
        await Expect(page.GetByTestId("live-panel")).Not.ToHaveAttributeAsync("data-interactive", "true");

        // The same lab again, on the same address: the page finds it without a reload, and joins its room once the
        // presenter has opened it again (rooms of a single lab live in its memory).
        await using var second = await ServerProcess.StartAsync(first.DataPath, first.Address.Port);
        await second.OpenRoomAsync("restart");
        await Expect(page.Locator("[data-testid=live-panel][data-interactive=true]")).ToHaveCountAsync(1, new() { Timeout = 30_000 });

        using var client = second.CreateClient(presenter: true);
        var response = await client.PostAsync("/api/runs", new StringContent("""{"scenario":"no-lock","room":"restart"}"""));
        Assert.Equal(System.Net.HttpStatusCode.Accepted, response.StatusCode);
        await Expect(page.GetByTestId("run-status")).ToHaveAttributeAsync("data-status", "completed");
        await Expect(page.Locator("[data-testid=console-line]")).ToHaveCountAsync(10);
        Assert.Empty(errors);
    }
}
