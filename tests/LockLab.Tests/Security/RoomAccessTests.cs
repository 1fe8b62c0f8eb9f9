using System.Net;
using LockLab.Contracts;
using LockLab.Server.Security;
using LockLab.Tests.Support;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;

namespace LockLab.Tests.Security;

/// <summary>
/// Rooms only by the key: a viewer joins rooms that exist, only the presenter opens (and closes) them, a connection
/// cannot try room names at speed, and one address cannot hold the lab's connections.
/// </summary>
public class RoomAccessTests(LabServerFactory lab) : IClassFixture<LabServerFactory>
{
    private async Task<HubConnection> ConnectAsync(bool presenter = false)
    {
        var hub = lab.CreateHubConnection(presenter);
        await hub.StartAsync();
        return hub;
    }

    [Fact]
    public async Task A_viewer_cannot_bring_a_room_into_being_and_is_told_why()
    {
        await using var viewer = await ConnectAsync();
        var refused = await Assert.ThrowsAsync<HubException>(() => viewer.InvokeAsync<RoomState>(nameof(ILabHub.JoinRoom), "made-up"));
        Assert.Equal(LabErrorCode.NotFound, HubErrors.Of(refused).Code);
        Assert.Contains("There is no room 'made-up' open now", refused.Message);
        Assert.Equal(HttpStatusCode.NotFound, (await lab.CreateClient().GetAsync("/api/rooms/made-up")).StatusCode);

        // The lab's own room is always open.
        await viewer.InvokeAsync<RoomState>(nameof(ILabHub.JoinRoom), RoomNames.Main);
    }

    [Fact]
    public async Task The_presenter_opens_a_room_by_joining_it_or_by_name_and_closes_it()
    {
        await using (var presenter = await ConnectAsync(presenter: true))
        {
            await presenter.InvokeAsync<RoomState>(nameof(ILabHub.JoinRoom), "period-2");
        }
        await using var viewer = await ConnectAsync();
        await viewer.InvokeAsync<RoomState>(nameof(ILabHub.JoinRoom), "period-2");

        Assert.Equal(HttpStatusCode.Unauthorized, (await lab.CreateClient().PutAsync("/api/rooms/period-3", null)).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await lab.CreatePresenterClient().PutAsync("/api/rooms/no%20spaces", null)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await lab.CreatePresenterClient().PutAsync("/api/rooms/period-3", null)).StatusCode);
        await viewer.InvokeAsync<RoomState>(nameof(ILabHub.JoinRoom), "period-3");

        Assert.Equal(HttpStatusCode.Unauthorized, (await lab.CreateClient().DeleteAsync("/api/rooms/period-3")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await lab.CreatePresenterClient().DeleteAsync("/api/rooms/period-3")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await lab.CreatePresenterClient().DeleteAsync("/api/rooms/period-3")).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await lab.CreatePresenterClient().DeleteAsync("/api/rooms/main")).StatusCode);
        await using var late = await ConnectAsync();
        await Assert.ThrowsAsync<HubException>(() => late.InvokeAsync<RoomState>(nameof(ILabHub.JoinRoom), "period-3"));
    }

    [Fact]
    public async Task A_connection_that_tries_room_after_room_is_held_back()
    {
        await using var prober = await ConnectAsync();
        var answers = new List<string>();
        for (var i = 0; i < 15; i++)
        {
            try
            {
                await prober.InvokeAsync<RoomState>(nameof(ILabHub.JoinRoom), RoomNames.Main);
                answers.Add("joined");
            }
            catch (HubException ex)
            {
                answers.Add(ex.Message);
            }
        }
        Assert.Equal(10, answers.Count(a => a == "joined")); // a burst of ten, then one every two seconds
        Assert.Contains(answers, a => a.Contains("changed rooms too often"));
    }
}

/// <summary>A lab that lets one address hold two hub connections.</summary>
public sealed class TwoConnectionsLabFactory : LabServerFactory
{
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?> { ["LockLab:MaxConnectionsPerAddress"] = "2" };
}

public class ConnectionsPerAddressTests(TwoConnectionsLabFactory lab) : IClassFixture<TwoConnectionsLabFactory>
{
    private async Task<bool> CanJoinAsync(HubConnection hub)
    {
        try
        {
            await hub.StartAsync();
            await hub.InvokeAsync<RoomState>(nameof(ILabHub.JoinRoom), RoomNames.Main);
            return true;
        }
        catch (Exception ex) when (ex is HubException or InvalidOperationException or TaskCanceledException or System.IO.IOException)
        {
            return false;
        }
    }

    [Fact]
    public async Task One_address_holds_at_most_its_share_of_connections_and_gets_a_place_back_when_one_closes()
    {
        await using var first = lab.CreateHubConnection();
        await using var second = lab.CreateHubConnection();
        await using var third = lab.CreateHubConnection();
        Assert.True(await CanJoinAsync(first));
        Assert.True(await CanJoinAsync(second));
        Assert.False(await CanJoinAsync(third));

        await first.StopAsync();
        await using var fourth = lab.CreateHubConnection();
        Assert.True(await TestServices.Waiting.UntilAsync(async () => await CanJoinAsync(fourth) ? "joined" : null,
            TimeSpan.FromSeconds(10), "a place to come back", TimeSpan.FromMilliseconds(100)) is not null);
    }
}

/// <summary>
/// The circuits of pages that run on the server (a browser's first visit) are bounded per address as the hub's
/// connections are, and counted apart from them.
/// </summary>
public class CircuitsPerAddressTests(TwoConnectionsLabFactory lab) : IClassFixture<TwoConnectionsLabFactory>
{
    /// <summary>A circuit's connection as a browser opens it (a WebSocket to /_blazor); null when it is refused.</summary>
    private async Task<System.Net.WebSockets.WebSocket?> OpenCircuitAsync()
    {
        try
        {
            return await lab.Server.CreateWebSocketClient().ConnectAsync(new Uri(lab.Server.BaseAddress, "/_blazor"), CancellationToken.None);
        }
        catch (InvalidOperationException ex) when (ex.Message.Contains("429", StringComparison.Ordinal))
        {
            return null; // "Incomplete handshake, status code: 429"
        }
    }

    [Fact]
    public async Task One_address_holds_at_most_its_share_of_circuits_beside_its_hub_connections_and_gets_a_place_back()
    {
        // The address's hub connections do not take its circuits' places.
        await using var hub = lab.CreateHubConnection();
        await hub.StartAsync();

        using var first = await OpenCircuitAsync();
        using var second = await OpenCircuitAsync();
        using var third = await OpenCircuitAsync();
        Assert.NotNull(first);
        Assert.NotNull(second);
        Assert.Null(third);

        await first!.CloseAsync(System.Net.WebSockets.WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
        var fourth = await TestServices.Waiting.UntilAsync(OpenCircuitAsync, TimeSpan.FromSeconds(10), "a circuit's place back",
            TimeSpan.FromMilliseconds(100));
        fourth.Dispose();
    }
}

/// <summary>
/// Room codes cannot be guessed at speed by opening connection after connection: the codes that do not exist that one
/// address may name are counted across its connections and the HTTP lookups, while the codes its class uses stay open.
/// </summary>
public class RoomCodeGuessTests(LabServerFactory lab) : IClassFixture<LabServerFactory>
{
    private async Task<string> JoinOnNewConnectionAsync(string room)
    {
        await using var hub = lab.CreateHubConnection();
        await hub.StartAsync();
        try
        {
            await hub.InvokeAsync<RoomState>(nameof(ILabHub.JoinRoom), room);
            return "joined";
        }
        catch (HubException ex)
        {
            return HubErrors.Of(ex).Code.ToString();
        }
    }

    [Fact]
    public async Task A_script_opening_new_connections_is_held_back_while_the_class_still_gets_into_its_room()
    {
        const string classRoom = "period-5";
        Assert.Equal(HttpStatusCode.OK, (await lab.CreatePresenterClient().PutAsync($"/api/rooms/{classRoom}", null)).StatusCode);
        Assert.Equal("joined", await JoinOnNewConnectionAsync(classRoom)); // a student of the class, before the script

        // A fresh connection for each code: the per-connection join allowance never comes into play.
        var answers = new List<string>();
        for (var i = 0; i < RoomCodeGuesses.Burst + 5; i++) answers.Add(await JoinOnNewConnectionAsync($"GS{i:D2}"));

        Assert.Equal(RoomCodeGuesses.Burst, answers.Count(a => a == nameof(LabErrorCode.NotFound)));
        Assert.Equal(5, answers.Count(a => a == nameof(LabErrorCode.NotNow)));
        var http = await lab.CreateClient().GetAsync("/api/rooms/GSXX");
        Assert.Equal(HttpStatusCode.TooManyRequests, http.StatusCode);
        Assert.Equal("application/problem+json", http.Content.Headers.ContentType?.MediaType);
        Assert.NotNull(http.Headers.RetryAfter);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await lab.CreateClient().GetAsync("/api/runs?room=GSXX")).StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await lab.CreateClient().GetAsync("/api/rooms/GSXX/qr.svg")).StatusCode);

        // Behind the same address: the class's room, a code already named (a page waiting for its room asks again and
        // again), the lab's own room, and the presenter are not held back.
        Assert.Equal("joined", await JoinOnNewConnectionAsync(classRoom));
        Assert.Equal(HttpStatusCode.OK, (await lab.CreateClient().GetAsync($"/api/rooms/{classRoom}")).StatusCode);
        Assert.Equal(nameof(LabErrorCode.NotFound), await JoinOnNewConnectionAsync("GS00"));
        Assert.Equal("joined", await JoinOnNewConnectionAsync(RoomNames.Main));
        Assert.Equal(HttpStatusCode.NotFound, (await lab.CreatePresenterClient().GetAsync("/api/rooms/GSYY")).StatusCode);
    }
}
