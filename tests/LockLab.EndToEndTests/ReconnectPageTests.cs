using LockLab.TestServices;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace LockLab.EndToEndTests;

/// <summary>
/// An open page across a server restart: it says it lost the lab, comes back by itself, and is live again. A page that
/// runs in WebAssembly reconnects; one that runs on the server (a first visit) lost its circuit with the server, and
/// Blazor shows that it is rejoining, then reloads the page once the lab answers again.
/// </summary>
[Collection(PublishedLab.Collection)]
public class ReconnectPageTests
{
    [SkippableTheory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_page_comes_back_after_the_server_restarts_and_shows_the_next_run(bool inWebAssembly)
    {
        Prerequisites.Require(Prerequisites.Chromium);
        var first = await ServerProcess.StartAsync();
        await using var firstServer = first;
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await BrowserFixture.LaunchChromiumAsync(playwright);
        await using var context = await browser.NewContextAsync();
        if (inWebAssembly) await context.AddCookiesAsync([await BrowserFixture.ClientCookieAsync(first)]);
        var page = await context.NewPageAsync();
        var errors = new List<string>();
        page.PageError += (_, error) => { lock (errors) errors.Add(error); };
        var killed = false;
        var reloaded = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        page.FrameNavigated += (_, frame) => { if (frame == page.MainFrame && Volatile.Read(ref killed)) reloaded.TrySetResult(); };
        await first.OpenRoomAsync("restart"); // the presenter opened it: a viewer cannot
        await page.GotoAsync(new Uri(first.Address, "/lessons/process-locks/2?room=restart").ToString());
        await BrowserFixture.WaitUntilLiveAsync(page);
        await Expect(page.Locator("body")).ToHaveAttributeAsync("data-runs-in", inWebAssembly ? "WebAssembly" : "Server");

        Volatile.Write(ref killed, true);
        first.KillHard();
        if (inWebAssembly)
        {
            await Expect(page.GetByTestId("live-panel")).Not.ToHaveAttributeAsync("data-connection", "connected");
            await Expect(page.GetByTestId("live-panel")).Not.ToHaveAttributeAsync("data-interactive", "true");
        }
        else
        {
            // The page's components were on the server: Blazor says it is rejoining it (its display, in a shadow root).
            await Expect(page.Locator("#components-reconnect-modal .components-reconnect-overlay")).ToBeVisibleAsync();
        }

        // The same lab again, on the same address: the page finds it by itself, and joins its room once the presenter has
        // opened it again (rooms of a single lab live in its memory).
        await using var second = await ServerProcess.StartAsync(first.DataPath, first.Address.Port);
        await second.OpenRoomAsync("restart");
        // A page on the server is reloaded by Blazor (until then it shows what it showed, under the display); one in
        // WebAssembly reconnects without a reload.
        if (!inWebAssembly) await reloaded.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await Expect(page.Locator("[data-testid=live-panel][data-interactive=true][data-connection=connected]"))
            .ToHaveCountAsync(1, new() { Timeout = 30_000 });
        Assert.Equal(!inWebAssembly, reloaded.Task.IsCompleted);

        using var client = second.CreateClient(presenter: true);
        var response = await client.PostAsync("/api/runs", new StringContent("""{"scenario":"no-lock","room":"restart"}"""));
        Assert.Equal(System.Net.HttpStatusCode.Accepted, response.StatusCode);
        await Expect(page.GetByTestId("run-status")).ToHaveAttributeAsync("data-status", "completed");
        await Expect(page.Locator("[data-testid=console-line]")).ToHaveCountAsync(10);
        Assert.Empty(errors);
    }
}
