using System.Net;
using System.Net.Http.Json;
using LockLab.Contracts;
using LockLab.TestServices;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using static Microsoft.Playwright.Assertions;

namespace LockLab.EndToEndTests;

/// <summary>The lab serving HTTPS itself, from a certificate given in configuration as a school would give it.</summary>
public sealed class TlsBrowserFixture : BrowserFixture
{
    protected override bool ServesHttps => true;
}

/// <summary>
/// On plain HTTP the presenter key (and the session that replaces it) can be read by anyone on the classroom network:
/// with a certificate configured, the page, the API and the hub go over HTTPS/WSS, plain HTTP is sent there, and the
/// key works.
/// </summary>
[Collection(PublishedLab.Collection)]
public class TlsTests(TlsBrowserFixture lab) : IClassFixture<TlsBrowserFixture>
{
    [SkippableFact]
    public async Task Plain_HTTP_is_redirected_to_HTTPS_which_tells_browsers_to_keep_to_it()
    {
        Prerequisites.Require(Prerequisites.Chromium);
        using var plain = new HttpClient(lab.Tls!.CreateHandler()) { BaseAddress = lab.Server.PlainAddress };
        var redirected = await plain.GetAsync("/lessons/process-locks/2?room=x");
        Assert.Equal(HttpStatusCode.TemporaryRedirect, redirected.StatusCode);
        Assert.Equal(new Uri(lab.Server.Address, "/lessons/process-locks/2?room=x"), redirected.Headers.Location);

        // HSTS is sent to the school's own names, never to localhost (a developer's browser would keep it for every project).
        using var secure = lab.Server.CreateClient();
        var page = await secure.SendAsync(
            new HttpRequestMessage(HttpMethod.Get, "/lessons/process-locks/2") { Headers = { Host = "lab.school.example" } });
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.StartsWith("max-age=", page.Headers.GetValues("Strict-Transport-Security").Single());
        var local = await secure.GetAsync("/lessons/process-locks/2");
        Assert.False(local.Headers.Contains("Strict-Transport-Security"));
    }

    [SkippableFact]
    public async Task The_hub_over_WSS_takes_the_key_and_runs_the_experiment()
    {
        Prerequisites.Require(Prerequisites.Chromium);
        var tls = lab.Tls!;
        await using var hub = new HubConnectionBuilder()
            .WithUrl(new Uri(lab.Server.Address, "/hubs/lab"), o =>
            {
                o.Transports = HttpTransportType.WebSockets;
                o.HttpMessageHandlerFactory = _ => tls.CreateHandler();
                o.WebSocketConfiguration = ws =>
                    ws.RemoteCertificateValidationCallback = (_, presented, _, _) => tls.IsPresented(presented);
                o.AccessTokenProvider = () => Task.FromResult<string?>(ServerProcess.Key);
            })
            .Build();
        await hub.StartAsync();
        await hub.InvokeAsync<RoomState>(nameof(ILabHub.JoinRoom), "wss");
        var run = await hub.InvokeAsync<RunInfo>(nameof(ILabHub.StartRun), new RunRequest { Scenario = "lock", Room = "wss" });

        using var api = lab.Server.CreateClient();
        var finished = await Waiting.UntilAsync(async () =>
            await api.GetFromJsonAsync($"/api/runs/{run.Id}", ContractsJsonContext.Default.RunInfo) is { IsFinished: true } info
                ? info
                : null,
            TimeSpan.FromSeconds(30), "the run's end");
        Assert.Equal(RunStatus.Completed, finished.Status);
    }

    [SkippableFact]
    public async Task A_teacher_signs_in_over_HTTPS_and_the_page_streams_a_run_over_WSS()
    {
        Prerequisites.Require(Prerequisites.Chromium);
        var (page, errors) = await lab.NewPageAsync();
        await page.GotoAsync(new Uri(lab.Server.Address, $"/lessons/process-locks/3?room=tls&key={ServerProcess.Key}").ToString());
        await BrowserFixture.WaitUntilLiveAsync(page);
        Assert.StartsWith("https://", page.Url);
        Assert.DoesNotContain("key=", page.Url);
        await Expect(page.GetByTestId("connection-status")).ToHaveAttributeAsync("data-transport", "WebSockets");

        await page.GetByTestId("run-experiment").ClickAsync();
        await Expect(page.GetByTestId("run-status")).ToHaveAttributeAsync("data-status", "completed", new() { Timeout = 30_000 });
        await Expect(page.Locator("[data-testid=console-line]")).ToHaveCountAsync(10);
        Assert.Empty(errors);
    }
}
