using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using LockLab.Contracts;
using LockLab.TestServices;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;

namespace LockLab.EndToEndTests.ScaleOut;

/// <summary>
/// The school's single address: the nginx configuration the compose `scale` profile ships
/// (<c>deploy/nginx/locklab.conf</c>), run by a real nginx in front of two real lab instances. It must keep each
/// browser on one lab, spread browsers over the labs, carry SignalR's WebSocket, keep per-lab endpoints private, and
/// send a page whose lab died to the other one.
/// </summary>
[Collection(PublishedLab.Collection)]
public partial class ProxyTests(SchoolInfrastructure infrastructure) : IClassFixture<SchoolInfrastructure>
{
    /// <summary>The school's servers, and nginx in front of its labs.</summary>
    private static readonly Prerequisite[] Programs = [.. SchoolInfrastructure.Programs, Prerequisites.Nginx];

    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private sealed record SchoolBehindProxy(TwoInstances Labs, NginxServer Proxy) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await Proxy.DisposeAsync();
            await Labs.DisposeAsync();
        }

        /// <summary>The lab (A or B) whose port the access log names.</summary>
        public LabProcess LabAt(int port) => Labs.A.Address.Port == port ? Labs.A : Labs.B;

        /// <summary>
        /// The port of the lab that answered a logged request. The shipped format logs <c>lab $upstream_addr</c>: every
        /// lab nginx tried, in order (<c>lab 127.0.0.1:5001, 127.0.0.1:5002 in …</c>); the last one answered.
        /// </summary>
        private static int AnsweringLab(string line) =>
            int.Parse(LabsInLog().Match(line).Groups["labs"].Value.Split(", ")[^1].Split(':')[^1]);

        /// <summary>
        /// The labs that answered the requests whose path contains <paramref name="marker"/>, once nginx
        /// has logged <paramref name="count"/> of them.
        /// </summary>
        public async Task<int[]> UpstreamPortsAsync(string marker, int count)
        {
            int[] ports = [];
            Assert.True(await Waiting.UntilAsync(() =>
            {
                // nginx logs a request just after answering it: the line may trail the response by a moment.
                ports = File.ReadLines(Proxy.AccessLog).Where(l => l.Contains(marker, StringComparison.Ordinal))
                    .Select(AnsweringLab).ToArray();
                return ports.Length >= count;
            }, Patience), $"nginx logged {ports.Length} of {count} requests for '{marker}'");
            return ports;
        }
    }

    /// <param name="change">A change to the shipped nginx configuration (<see cref="NginxServer.RefuseWebSockets"/>).</param>
    /// <param name="tls">HTTPS turned on at the proxy with this certificate, as the shipped example says.</param>
    private async Task<SchoolBehindProxy> DeployBehindProxyAsync(Func<string, string>? change = null, TestCertificate? tls = null)
    {
        var labs = await TwoInstances.DeployAsync(infrastructure);
        try
        {
            var proxy = await NginxServer.StartAsync(Path.Combine(Repository.Root, "deploy", "nginx", "locklab.conf"),
                new Dictionary<string, Uri> { ["locklab-a:8080"] = labs.A.Address, ["locklab-b:8080"] = labs.B.Address }, change, tls);
            return new SchoolBehindProxy(labs, proxy);
        }
        catch
        {
            await labs.DisposeAsync();
            throw;
        }
    }

    [SkippableFact]
    public async Task With_HTTPS_turned_on_the_proxy_serves_the_lab_and_its_hub_over_TLS_and_sends_plain_HTTP_there()
    {
        Prerequisites.Require(Programs);
        using var certificate = TestCertificate.Create();
        await using var school = await DeployBehindProxyAsync(tls: certificate);
        var https = school.Proxy.TlsAddress!;

        using var plain = new HttpClient(certificate.CreateHandler()) { BaseAddress = school.Proxy.Address };
        var redirected = await plain.GetAsync("/lessons/process-locks/2?room=x");
        Assert.Equal(HttpStatusCode.PermanentRedirect, redirected.StatusCode);
        Assert.Equal(new Uri(https, "/lessons/process-locks/2?room=x"), redirected.Headers.Location);
        Assert.False(redirected.Headers.Contains("Strict-Transport-Security")); // HSTS over plain HTTP means nothing

        using var secure = new HttpClient(certificate.CreateHandler()) { BaseAddress = https };
        var page = await secure.GetAsync("/lessons/process-locks/2");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("max-age=31536000", page.Headers.GetValues("Strict-Transport-Security").Single());

        // The presenter's connection: the hub over WSS through the proxy, the key as its access token, a run started.
        await using var presenter = new HubConnectionBuilder()
            .WithUrl(new Uri(https, "/hubs/lab"), o =>
            {
                o.Transports = HttpTransportType.WebSockets;
                o.HttpMessageHandlerFactory = _ => certificate.CreateHandler();
                o.WebSocketConfiguration = ws =>
                    ws.RemoteCertificateValidationCallback = (_, presented, _, _) => certificate.IsPresented(presented);
                o.AccessTokenProvider = () => Task.FromResult<string?>(school.Labs.A.Key);
            })
            .Build();
        await presenter.StartAsync();
        var run = await presenter.InvokeAsync<RunInfo>(nameof(ILabHub.StartRun), new RunRequest { Scenario = "lock", Room = "main" });
        var finished = await Waiting.UntilAsync(async () =>
            await secure.GetFromJsonAsync($"/api/runs/{run.Id}", ContractsJsonContext.Default.RunInfo) is { IsFinished: true } info
                ? info
                : null,
            Patience, "the run's end");
        Assert.Equal(RunStatus.Completed, finished.Status);
    }

    [SkippableFact]
    public async Task The_proxy_keeps_each_browser_on_one_lab_spreads_browsers_over_both_and_keeps_per_lab_endpoints_private()
    {
        Prerequisites.Require(Programs);
        await using var school = await DeployBehindProxyAsync();

        // A first visit is answered with the cookie that keys the browser to its lab from then on.
        using (var firstVisit = new HttpClient { BaseAddress = school.Proxy.Address })
        {
            var answer = await firstVisit.GetAsync("/healthz");
            Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
            Assert.Contains(answer.Headers.GetValues("Set-Cookie"), c => c.StartsWith("locklab_node=127.0.0.1;", StringComparison.Ordinal));
        }

        // Twenty browsers (their cookies as the proxy set them from twenty addresses), three requests each.
        const int browsers = 20, visits = 3;
        for (var i = 1; i <= browsers; i++)
        {
            using var browser = new HttpClient { BaseAddress = school.Proxy.Address };
            browser.DefaultRequestHeaders.Add("Cookie", $"locklab_node=10.1.2.{i}");
            for (var visit = 0; visit < visits; visit++)
            {
                // A path a lab answers (no such run: 404, from the lab), unique to the browser: the log keeps paths, not queries.
                var answer = await browser.GetAsync($"/api/runs/browser-{i}x");
                Assert.Equal(HttpStatusCode.NotFound, answer.StatusCode);
                Assert.Equal("application/problem+json", answer.Content.Headers.ContentType?.MediaType);
            }
        }
        var labOfBrowser = new List<int>();
        for (var i = 1; i <= browsers; i++)
        {
            var ports = await school.UpstreamPortsAsync($"browser-{i}x", visits);
            Assert.Single(ports.Distinct()); // every visit of one browser reached one lab
            labOfBrowser.Add(ports[0]);
        }
        Assert.Equal(new[] { school.Labs.A.Address.Port, school.Labs.B.Address.Port }.Order(),
            labOfBrowser.Distinct().Order()); // both labs serve browsers

        // Metrics and readiness describe one lab: through the single address they would answer for a random one.
        using var anyone = new HttpClient { BaseAddress = school.Proxy.Address };
        Assert.Equal(HttpStatusCode.Forbidden, (await anyone.GetAsync("/metrics")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await anyone.GetAsync("/readyz")).StatusCode);
    }

    [SkippableFact]
    public async Task A_page_streams_over_a_WebSocket_through_the_proxy_and_moves_to_the_other_lab_when_its_lab_dies()
    {
        Prerequisites.Require(Programs);
        const string room = "proxied";
        await using var school = await DeployBehindProxyAsync();
        await school.Labs.A.OpenRoomAsync(room); // as the presenter does: viewers join open rooms
        await using var page = await RoomRecorder.JoinAsync(school.Proxy.Address, room);
        var ownLab = school.LabAt((await school.UpstreamPortsAsync("/hubs/lab/negotiate", 1)).Single());
        var otherLab = ownLab == school.Labs.A ? school.Labs.B : school.Labs.A;

        // A run on the page's own lab, as a presenter keyed to the same lab starts it: every event, live, through nginx.
        var finished = await ownLab.StartRunAsync(new { scenario = "lock", room, iterations = 5, delayMs = 10 });
        var completed = await page.CompletedAsync(finished.Id, Patience);
        Assert.Equal(Enumerable.Range(1, (int)completed.EventCount).Select(i => (long)i), page.EventsOf(finished.Id).Select(e => e.Seq));

        var cut = await ownLab.StartStreamingRunAsync(room, page, eventsSeen: 4);
        ownLab.KillHard();
        await page.Closed.WaitAsync(Patience);

        // The page reconnects to the same address: nginx finds its lab gone and passes it to the other.
        await using var again = await RoomRecorder.JoinAsync(school.Proxy.Address, room);
        Assert.Equal(otherLab.Address.Port, (await school.UpstreamPortsAsync("/hubs/lab/negotiate", 2))[^1]);
        var interrupted = await again.FinishedAsync(cut.Id, Patience);
        Assert.Equal(RunStatus.Interrupted, interrupted.Status);
        using var http = new HttpClient { BaseAddress = school.Proxy.Address };
        var kept = await http.GetFromJsonAsync($"/api/runs/{finished.Id}/events?after=0", ContractsJsonContext.Default.RunEventArray);
        Assert.Equal(completed.EventCount, kept!.Length);
    }

    [SkippableFact]
    public async Task A_page_behind_a_proxy_that_refuses_WebSockets_falls_back_and_shows_a_run_live()
    {
        Prerequisites.Require([.. Programs, Prerequisites.Chromium]);
        const string room = "no-websockets";
        await using var school = await DeployBehindProxyAsync(NginxServer.RefuseWebSockets);
        using var playwright = await Microsoft.Playwright.Playwright.CreateAsync();
        await using var browser = await BrowserFixture.LaunchChromiumAsync(playwright);
        var page = await browser.NewPageAsync();
        var errors = new List<string>();
        page.Console += (_, message) =>
        {
            // Chromium's own report of the refused upgrade (not the page's): the one error this network makes.
            var refusedUpgrade = message.Text.StartsWith("WebSocket connection to ", StringComparison.Ordinal)
                && message.Text.Contains("/hubs/lab", StringComparison.Ordinal);
            if (message.Type == "error" && !refusedUpgrade) lock (errors) errors.Add(message.Text);
        };
        page.PageError += (_, error) => { lock (errors) errors.Add(error); };

        await school.Labs.A.OpenRoomAsync(room);
        await page.GotoAsync(new Uri(school.Proxy.Address, $"/lessons/process-locks/2?room={room}").ToString());
        await BrowserFixture.WaitUntilLiveAsync(page);
        // The WebSocket was tried and refused by the proxy; SignalR fell back to Server-Sent Events through it.
        await Microsoft.Playwright.Assertions.Expect(page.GetByTestId("connection-status"))
            .ToHaveAttributeAsync("data-transport", "ServerSentEvents");
        // nginx may write its access log's line a moment after the answer.
        Assert.True(await Waiting.UntilAsync(
                () => File.ReadLines(school.Proxy.AccessLog).Any(l => l.Contains("\"GET /hubs/lab\" 403", StringComparison.Ordinal)),
                TimeSpan.FromSeconds(10)),
            "nginx logged no refused WebSocket upgrade");

        // A run started over HTTP through the same address shows on the page as it happens, to its last line.
        using var presenter = new HttpClient { BaseAddress = school.Proxy.Address };
        presenter.DefaultRequestHeaders.Authorization = new("Bearer", school.Labs.A.Key);
        var response = await presenter.PostAsJsonAsync("/api/runs", new { scenario = "lock", room, iterations = 5, delayMs = 200 });
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var run = (await response.Content.ReadFromJsonAsync(ContractsJsonContext.Default.RunInfo))!;
        var lines = page.Locator("[data-testid=console-line]");
        await Microsoft.Playwright.Assertions.Expect(page.GetByTestId("run-status")).ToHaveAttributeAsync("data-run", run.Id);
        // Live: printed lines on the page while the run still runs (two seconds of it), checked at every frame.
        await page.WaitForFunctionAsync("""
            () => document.querySelector('[data-testid=run-status]')?.dataset.status === 'running'
                && document.querySelectorAll('[data-testid=console-line]').length > 0
            """);
        await Microsoft.Playwright.Assertions.Expect(page.GetByTestId("run-status")).ToHaveAttributeAsync("data-status", "completed");
        var printed = await lines.EvaluateAllAsync<long[]>("lines => lines.map(l => Number(l.dataset.value))");
        Assert.Equal([1L, 2, 3, 4, 5, 8, 11, 14, 17, 20], printed);
        Assert.Empty(errors);
    }

    [GeneratedRegex(@" lab (?<labs>.+?) in ")]
    private static partial Regex LabsInLog();
}
