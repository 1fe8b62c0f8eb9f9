using LockLab.TestServices;
using Microsoft.Playwright;

namespace LockLab.EndToEndTests;

/// <summary>
/// One real server and one headless Debian Chromium (driven by Playwright) shared by a test class. Without Chromium it
/// starts nothing: each test calls <c>Prerequisites.Require(Prerequisites.Chromium)</c> first and is skipped.
/// </summary>
public partial class BrowserFixture : IAsyncLifetime
{
    /// <summary>Headless on a machine without a display or GPU, as root (no sandbox), and no traffic to the outside.</summary>
    private static readonly string[] ChromiumArgs =
        ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync"];

    private IPlaywright? _playwright;
    private LabProcess? _server;
    private IBrowser? _browser;

    /// <summary>Debian's Chromium: Playwright cannot download its own browser on these machines.</summary>
    public static string ChromiumPath => Prerequisites.Chromium.Path;

    public LabProcess Server => _server ?? throw NotStarted();
    public IBrowser Browser => _browser ?? throw NotStarted();

    /// <summary>Screenshots land here (the test run's output folder), kept as artifacts.</summary>
    public static string ArtifactsFolder { get; } = Directory.CreateDirectory(Path.Combine(AppContext.BaseDirectory, "artifacts")).FullName;

    /// <summary>The lab the browser is pointed at: on loopback only, unless a test class needs more.</summary>
    protected virtual Task<LabProcess> StartServerAsync() => ServerProcess.StartAsync(tls: Tls);

    /// <summary>Serve the lab over HTTPS with a certificate of the fixture's own (<see cref="Tls"/>).</summary>
    protected virtual bool ServesHttps => false;

    /// <summary>With <see cref="ServesHttps"/>: the lab's certificate.</summary>
    public TestCertificate? Tls { get; private set; }

    public async Task InitializeAsync()
    {
        if (!Prerequisites.Chromium.IsInstalled) return;
        try
        {
            if (ServesHttps) Tls = TestCertificate.Create();
            _server = await StartServerAsync();
            _playwright = await Playwright.CreateAsync();
            _browser = await LaunchChromiumAsync(_playwright);
        }
        catch
        {
            await DisposeAsync(); // what did start must not outlive the failure
            throw;
        }
    }

    /// <summary>Headless Debian Chromium with the lab's usual flags.</summary>
    public static Task<IBrowser> LaunchChromiumAsync(IPlaywright playwright) =>
        playwright.Chromium.LaunchAsync(
            new BrowserTypeLaunchOptions { ExecutablePath = ChromiumPath, Headless = true, Args = ChromiumArgs });

    private static InvalidOperationException NotStarted() =>
        new($"The browser fixture did not start: call Prerequisites.Require(Prerequisites.Chromium) first in the test " +
            $"({Prerequisites.Chromium}).");

    /// <summary>A fresh page that records every console error and uncaught exception: any of them fails the test.</summary>
    /// <param name="bypassCsp">Let scripts the test injects run (the accessibility scan's axe-core), which the lab's
    /// content security policy would block.</param>
    /// <param name="inWebAssembly">A browser that holds the lab's WebAssembly client (it has visited before): its pages
    /// run in WebAssembly. Otherwise, as on a first visit, they run on the server (the lab's PageInteractivity). The
    /// browser is given the cookie such a visit leaves, not the files: they download as the page loads.</param>
    public async Task<(IPage Page, List<string> Errors)> NewPageAsync(int width = 1440, int height = 900, bool bypassCsp = false,
        bool inWebAssembly = false)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = width, Height = height },
            // The HTTPS lab's certificate is self-signed: Chromium is told to take it (test clients trust it alone).
            IgnoreHTTPSErrors = Tls is not null,
            BypassCSP = bypassCsp,
        });
        if (inWebAssembly) await context.AddCookiesAsync([await ClientCookieAsync(Server)]);
        var page = await context.NewPageAsync();
        var errors = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Type == "error") lock (errors) errors.Add($"console: {message.Text}");
        };
        page.PageError += (_, error) => { lock (errors) errors.Add($"page error: {error}"); };
        return (page, errors);
    }

    /// <summary>The cookie a browser keeps once it has fetched the lab's client: named and valued as the page says.</summary>
    public static async Task<Cookie> ClientCookieAsync(LabProcess server)
    {
        using var http = server.CreateClient();
        var page = await http.GetStringAsync("/");
        var client = ClientPrefetch().Match(page);
        if (!client.Success) throw new InvalidOperationException("The lab's first-visit page does not name its client's build.");
        return new Cookie
        {
            Name = client.Groups["cookie"].Value, Value = client.Groups["version"].Value, Url = server.Address.ToString(),
        };
    }

    [System.Text.RegularExpressions.GeneratedRegex("""id="locklab-client" data-version="(?<version>[^"]+)" data-cookie="(?<cookie>[^"]+)""")]
    private static partial System.Text.RegularExpressions.Regex ClientPrefetch();

    /// <summary>
    /// Waits until the prerendered page is interactive, in WebAssembly or on the server (the live panel reports it;
    /// other pages mark the body).
    /// </summary>
    public static Task WaitUntilInteractiveAsync(IPage page) =>
        page.Locator("body[data-interactive=true]")
            .WaitForAsync(new LocatorWaitForOptions { Timeout = 30_000, State = WaitForSelectorState.Attached });

    /// <summary>Waits until the page is interactive and connected to the lab's hub.</summary>
    public static Task WaitUntilLiveAsync(IPage page) =>
        page.Locator("[data-testid=live-panel][data-connection=connected]").WaitForAsync(new LocatorWaitForOptions { Timeout = 30_000 });

    public async Task DisposeAsync()
    {
        if (_browser is not null) await _browser.DisposeAsync();
        _browser = null;
        _playwright?.Dispose();
        _playwright = null;
        if (_server is not null) await _server.DisposeAsync();
        _server = null;
        Tls?.Dispose();
        Tls = null;
    }
}
