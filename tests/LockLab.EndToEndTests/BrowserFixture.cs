using Microsoft.Playwright;

namespace LockLab.EndToEndTests;

/// <summary>One real server and one headless Debian Chromium (driven by Playwright) shared by a test class.</summary>
public class BrowserFixture : IAsyncLifetime
{
    /// <summary>Debian's Chromium: Playwright cannot download its own browser on these machines.</summary>
    public const string ChromiumPath = "/usr/bin/chromium";

    private IPlaywright? _playwright;

    public ServerProcess Server { get; private set; } = null!;
    public IBrowser Browser { get; private set; } = null!;

    /// <summary>Screenshots land here (the test run's output folder), kept as artifacts.</summary>
    public static string ArtifactsFolder { get; } = Directory.CreateDirectory(Path.Combine(AppContext.BaseDirectory, "artifacts")).FullName;

    public async Task InitializeAsync()
    {
        Server = await StartServerAsync();
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });
    }

    /// <summary>The lab the browser is pointed at: on loopback only, unless a test class needs more.</summary>
    protected virtual Task<ServerProcess> StartServerAsync() => ServerProcess.StartAsync();

    /// <summary>A fresh page that records every console error and uncaught exception: any of them fails the test.</summary>
    public async Task<(IPage Page, List<string> Errors)> NewPageAsync(int width = 1440, int height = 900)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = width, Height = height } });
        var page = await context.NewPageAsync();
        var errors = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Type == "error") lock (errors) errors.Add($"console: {message.Text}");
        };
        page.PageError += (_, error) => { lock (errors) errors.Add($"page error: {error}"); };
        return (page, errors);
    }

    /// <summary>Waits until WebAssembly has taken over the prerendered page (the live panel reports it; other pages mark the body).</summary>
    public static Task WaitUntilInteractiveAsync(IPage page) =>
        page.Locator("body[data-interactive=true]").WaitForAsync(new LocatorWaitForOptions { Timeout = 30_000, State = WaitForSelectorState.Attached });

    /// <summary>Waits until the WebAssembly page is interactive and connected to the lab's hub.</summary>
    public static Task WaitUntilLiveAsync(IPage page) =>
        page.Locator("[data-testid=live-panel][data-connection=connected]").WaitForAsync(new LocatorWaitForOptions { Timeout = 30_000 });

    public async Task DisposeAsync()
    {
        if (Browser is not null) await Browser.DisposeAsync();
        _playwright?.Dispose();
        if (Server is not null) await Server.DisposeAsync();
    }
}
