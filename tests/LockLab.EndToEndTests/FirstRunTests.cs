using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.RegularExpressions;
using LockLab.TestServices;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace LockLab.EndToEndTests;

/// <summary>
/// A new user's first minutes: a fresh clone (tracked files only), the README's run command exactly as written, and
/// the things a teacher does first. Each check here once failed on a fresh clone while every other test passed,
/// because every other test gave the lab a prepared folder and a Development build.
/// </summary>
public partial class FirstRunTests(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    /// <summary>The README command's port (its launch profile): a lab of the user's own on it would be measured instead.</summary>
    private const int ReadmePort = 5080;

    [SkippableFact]
    public async Task A_fresh_clone_started_with_the_readme_command_keeps_its_runs_and_serves_a_small_interactive_page()
    {
        Prerequisites.Require(Prerequisites.Chromium);
        Assert.True(PortIsFree(ReadmePort), $"Port {ReadmePort} is in use: stop the lab running there; this test starts the README's command, which listens on it.");
        using var clone = await FreshClone.CreateAsync(Repository.Root);
        await using var lab = ReadmeLab.Start(clone.Folder, Repository.Root);
        Uri address;
        try
        {
            // The first start restores, builds and publishes: minutes on a busy 2-core machine.
            address = await lab.Listening.WaitAsync(TimeSpan.FromMinutes(10));
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"`{lab.Command}` did not listen within 10 minutes:\n{lab.Output}");
        }
        Assert.Equal(ReadmePort, address.Port);
        using var http = new HttpClient { BaseAddress = address };

        // Ready: the history could be opened (it lives in a data folder that no clone has).
        var ready = await http.GetAsync("/readyz");
        Assert.True(ready.StatusCode == HttpStatusCode.OK, $"/readyz {(int)ready.StatusCode}: {await ready.Content.ReadAsStringAsync()}\n{lab.Output}");

        // A run with the key the lab generated is recorded and listed.
        var key = GeneratedKey().Match(lab.Output) is { Success: true } m ? m.Groups[1].Value : throw new InvalidOperationException("No generated key logged:\n" + lab.Output);
        using var presenter = new HttpClient { BaseAddress = address };
        presenter.DefaultRequestHeaders.Authorization = new("Bearer", key);
        var started = await presenter.PostAsync("/api/runs", new StringContent("""{"scenario":"lock","delayMs":0}""", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        var runId = (await started.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        var finished = await Waiting.UntilAsync(async () =>
        {
            var run = await http.GetFromJsonAsync<JsonElement>($"/api/runs/{runId}");
            return run.GetProperty("status").GetString() is "completed" or "failed" ? run.GetProperty("status").GetString() : null;
        }, TimeSpan.FromSeconds(60), "the run to finish", poll: TimeSpan.FromMilliseconds(100));
        Assert.Equal("completed", finished);
        var listed = await http.GetFromJsonAsync<JsonElement>("/api/runs");
        Assert.Contains(listed.EnumerateArray(), r => r.GetProperty("id").GetString() == runId);

        // The History page is served and lists it; the lesson page arrives small and becomes interactive.
        var (page, errors) = await browser.NewPageAsync();
        await page.GotoAsync(new Uri(address, "/history").ToString());
        await BrowserFixture.WaitUntilInteractiveAsync(page);
        await Expect(page.Locator($"[data-run='{runId}'], a[href*='{runId}']").First).ToBeAttachedAsync();

        var (lesson, lessonErrors) = await browser.NewPageAsync();
        long transferred = 0;
        lesson.RequestFinished += async (_, request) =>
        {
            var sizes = await request.SizesAsync();
            Interlocked.Add(ref transferred, sizes.ResponseHeadersSize + sizes.ResponseBodySize);
        };
        await lesson.GotoAsync(new Uri(address, "/lessons/process-locks/2").ToString());
        await lesson.Locator("[data-testid=live-panel][data-interactive=true]").WaitForAsync(new() { Timeout = 30_000 });
        await lesson.WaitForLoadStateAsync(LoadState.NetworkIdle);
        Assert.True(Interlocked.Read(ref transferred) < 3_000_000, $"The lesson page transferred {Interlocked.Read(ref transferred):N0} bytes (target: under 3 MB).");

        // Nothing went wrong on the way: the start-up log holds no warning or error but the generated key's notice.
        var complaints = lab.Lines.Where(l => Complaint().IsMatch(l) && !l.Contains("generated one for this start", StringComparison.Ordinal)).ToList();
        Assert.True(complaints.Count == 0, "Warnings or errors while starting and serving:\n" + string.Join('\n', complaints));
        Assert.Empty(errors);
        Assert.Empty(lessonErrors);
    }

    private static bool PortIsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.IPv6Any, port) { Server = { DualMode = true } };
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    [GeneratedRegex("generated one for this start: ([0-9a-f]+)")]
    private static partial Regex GeneratedKey();

    /// <summary>Serilog's warning, error and fatal lines, and MSBuild's warnings and errors from the build and publish.</summary>
    [GeneratedRegex(@"\[\d\d:\d\d:\d\d (WRN|ERR|FTL)\]|\b(warning|error) [A-Z]+\d+|Unhandled exception", RegexOptions.IgnoreCase)]
    private static partial Regex Complaint();
}
