using LockLab.Client.Services;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace LockLab.Tests.Hubs;

/// <summary>
/// The page's hub client (<see cref="HubLink"/>) against a real SignalR hub on a real Kestrel port: the protocol,
/// keep-alive and reconnecting, which the lab's own hub cannot provoke on demand.
/// </summary>
public sealed class HubLinkTests : IAsyncLifetime
{
    private WebApplication _app = null!;
    private Uri _hub = null!;

    public sealed class ProbeHub : Hub
    {
        public string Echo(string text) => text;
        public int Add(int a, long b) => (int)(a + b);
        public string? Token() => Context.GetHttpContext()?.Request.Query["access_token"];
        public async Task Burst(int count)
        {
            for (var i = 0; i < count; i++) await Clients.Caller.SendAsync("Item", i, $"item {i}");
        }
        public void Fail() => throw new HubException("The probe refused.");
        /// <summary>The connection breaks without a word (as a network drop or a server crash looks).</summary>
        public void Drop() => Context.GetHttpContext()!.Abort();
        /// <summary>The server ends the connection and tells the client not to come back.</summary>
        public void Close() => Context.Abort();
    }

    public async Task InitializeAsync() => (_app, _hub) = await StartHubAsync(serverPings: TimeSpan.FromMilliseconds(200));

    public async Task DisposeAsync() => await _app.DisposeAsync();

    /// <summary>A hub on a loopback port; it pings its clients every <paramref name="serverPings"/>.</summary>
    private static async Task<(WebApplication, Uri)> StartHubAsync(TimeSpan serverPings)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.AddSignalR(o => o.KeepAliveInterval = serverPings);
        var app = builder.Build();
        app.UseWebSockets();
        app.MapHub<ProbeHub>("/hubs/probe");
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
        return (app, new Uri(new Uri(address), "/hubs/probe"));
    }

    /// <summary>
    /// A link that gives a silent server 2 s (it pings every 0.2 s: ten times over, for a busy machine) and retries
    /// every 50 ms.
    /// </summary>
    private HubLink Link(string? token = null, Uri? hub = null) =>
        new(hub ?? _hub, () => token, _ => TimeSpan.FromMilliseconds(50), pingInterval: TimeSpan.FromMilliseconds(300), serverTimeout: TimeSpan.FromSeconds(2));

    [Fact]
    public async Task Calls_return_their_results_and_the_servers_calls_arrive_in_order()
    {
        await using var link = Link();
        var items = new List<(int, string)>();
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        link.On("Item", async args =>
        {
            // A handler may call the hub itself (the page catches up this way) without stalling the connection.
            if (args[0].GetInt32() == 0) Assert.Equal("nested", await link.InvokeAsync("Echo", Json.String, "nested"));
            items.Add((args[0].GetInt32(), args[1].GetString()!));
            if (items.Count == 300) done.SetResult();
        });
        await link.StartAsync();

        Assert.Equal("héllo 进程", await link.InvokeAsync("Echo", Json.String, "héllo 进程"));
        Assert.Equal(5, await link.InvokeAsync("Add", Json.Int32, 2, 3L));
        await link.InvokeAsync("Burst", 300);
        await done.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(Enumerable.Range(0, 300).Select(i => (i, $"item {i}")), items);
    }

    [Fact]
    public async Task A_hub_error_comes_back_with_the_hubs_message_and_the_connection_stays()
    {
        await using var link = Link();
        await link.StartAsync();

        var error = await Assert.ThrowsAsync<HubCallException>(() => link.InvokeAsync("Fail"));
        Assert.Contains("HubException: The probe refused.", error.Message);
        Assert.Equal("still here", await link.InvokeAsync("Echo", Json.String, "still here"));
    }

    [Fact]
    public async Task The_access_token_is_read_at_connect_and_sent_in_the_address()
    {
        await using var link = Link(token: "k&y=1");
        await link.StartAsync();
        Assert.Equal("k&y=1", await link.InvokeAsync("Token", Json.String));
    }

    [Fact]
    public async Task An_idle_connection_stays_up_while_the_server_pings()
    {
        // Beside it, the same link to a server that never pings: it gives up after its patience (2 s) and, having
        // reconnected, gives up again. Once it has done so twice, the link under test has been idle for longer than
        // twice its patience, timed by the same keep-alive checks that would have dropped it. No clock of the test's
        // own: on a machine so busy that those checks run late, the wait grows with them.
        var (silent, silentHub) = await StartHubAsync(serverPings: TimeSpan.FromHours(1));
        await using var _ = silent;
        await using var link = Link();
        await using var control = Link(hub: silentHub);
        var dropped = false;
        link.Reconnecting += () => { dropped = true; return Task.CompletedTask; };
        var controlDrops = 0;
        var controlDroppedTwice = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        control.Reconnecting += () =>
        {
            if (Interlocked.Increment(ref controlDrops) == 2) controlDroppedTwice.TrySetResult();
            return Task.CompletedTask;
        };
        await link.StartAsync();
        await control.StartAsync(); // after the link: the control's patience runs out no sooner than the link's would

        await controlDroppedTwice.Task.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.False(dropped);
        Assert.Equal(HubLinkState.Connected, link.State);
        Assert.Equal("awake", await link.InvokeAsync("Echo", Json.String, "awake"));
    }

    [Fact]
    public async Task A_server_gone_silent_is_given_up_on_and_connected_again()
    {
        var (silent, hub) = await StartHubAsync(serverPings: TimeSpan.FromHours(1));
        await using var _ = silent;
        await using var link = Link(hub: hub);
        var reconnected = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        link.Reconnected += () => { reconnected.TrySetResult(); return Task.CompletedTask; };
        await link.StartAsync();

        await reconnected.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("hello again", await link.InvokeAsync("Echo", Json.String, "hello again"));
    }

    [Fact]
    public async Task A_dropped_connection_reconnects_and_says_so()
    {
        await using var link = Link();
        var events = new List<string>();
        var reconnected = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        link.Reconnecting += () => { events.Add("reconnecting"); return Task.CompletedTask; };
        link.Reconnected += () => { events.Add("reconnected"); reconnected.SetResult(); return Task.CompletedTask; };
        await link.StartAsync();

        await Assert.ThrowsAsync<HubCallException>(() => link.InvokeAsync("Drop")); // its answer never comes
        await reconnected.Task.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(["reconnecting", "reconnected"], events);
        Assert.Equal(HubLinkState.Connected, link.State);
        Assert.Equal("back", await link.InvokeAsync("Echo", Json.String, "back"));
    }

    [Fact]
    public async Task A_server_that_closes_the_connection_is_not_called_again()
    {
        await using var link = Link();
        var closed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var reconnecting = false;
        link.Closed += () => { closed.SetResult(); return Task.CompletedTask; };
        link.Reconnecting += () => { reconnecting = true; return Task.CompletedTask; };
        await link.StartAsync();

        _ = link.InvokeAsync("Close").ContinueWith(t => t.Exception, TaskScheduler.Default);
        await closed.Task.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(HubLinkState.Disconnected, link.State);
        Assert.False(reconnecting);
        await Assert.ThrowsAsync<InvalidOperationException>(() => link.InvokeAsync("Echo", Json.String, "anyone?"));
    }

    [Fact]
    public async Task Stopping_and_starting_again_connects_with_the_new_token()
    {
        var token = "first";
        await using var link = new HubLink(_hub, () => token, _ => TimeSpan.Zero);
        var closed = 0;
        link.Closed += () => { closed++; return Task.CompletedTask; };
        await link.StartAsync();
        Assert.Equal("first", await link.InvokeAsync("Token", Json.String));

        token = "second"; // as when a presenter types the key
        await link.StopAsync();
        Assert.Equal(HubLinkState.Disconnected, link.State);
        await link.StartAsync();

        Assert.Equal("second", await link.InvokeAsync("Token", Json.String));
        Assert.Equal(1, closed);
    }

    [Fact]
    public async Task Starting_against_a_missing_hub_fails_and_leaves_it_disconnected()
    {
        await using var link = new HubLink(new Uri(_hub, "/hubs/none"), () => null, _ => TimeSpan.Zero);
        await Assert.ThrowsAnyAsync<Exception>(link.StartAsync);
        Assert.Equal(HubLinkState.Disconnected, link.State);
    }

    private static LockLab.Contracts.ContractsJsonContext Json => LockLab.Contracts.ContractsJsonContext.Default;
}
