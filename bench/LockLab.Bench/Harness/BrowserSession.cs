using LockLab.TestServices;
using Microsoft.Playwright;

namespace LockLab.Bench.Harness;

/// <summary>
/// Debian's Chromium (<c>/usr/bin/chromium</c>) driven by Playwright, headless, with the flags this machine needs
/// (no background networking: outside connections are refused here). Each <see cref="NewContextAsync"/> is a cold
/// profile: empty cache, no cookies.
/// </summary>
public sealed class BrowserSession : IAsyncDisposable
{
    /// <summary>Where the tests find it too (throws, saying what to install, when it is missing).</summary>
    public static string ChromiumPath => Prerequisites.Chromium.Path;

    private readonly IPlaywright _playwright;
    private readonly IBrowser _browser;

    private BrowserSession(IPlaywright playwright, IBrowser browser)
    {
        _playwright = playwright;
        _browser = browser;
    }

    public static bool Available => Prerequisites.Chromium.IsInstalled;

    public static async Task<BrowserSession> StartAsync()
    {
        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync"],
        });
        return new BrowserSession(playwright, browser);
    }

    public Task<IBrowserContext> NewContextAsync(int width = 1280, int height = 720) =>
        _browser.NewContextAsync(new() { ViewportSize = new() { Width = width, Height = height } });

    public async ValueTask DisposeAsync()
    {
        await _browser.DisposeAsync();
        _playwright.Dispose();
    }
}
