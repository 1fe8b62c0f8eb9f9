using System.Net;
using LockLab.Contracts;
using LockLab.Server.Rooms;
using Microsoft.AspNetCore.SignalR;
using LockLab.TestServices;
using LockLab.Tests.Support;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace LockLab.Tests.Rooms;

/// <summary>
/// Idle rooms close by themselves (<see cref="RoomExpiry"/>): 24 h after the last page watched and the last run was on,
/// never while either lasts, never <c>main</c>. The sweep is asked with a clock set ahead, so a day passes at once.
/// </summary>
public class RoomExpiryTests(LabServerFactory lab) : IClassFixture<LabServerFactory>
{
    private static readonly TimeSpan Day = TimeSpan.FromHours(24);

    /// <summary>The lab's own sweep, seeing the time <paramref name="ahead"/> of now.</summary>
    private Task<IReadOnlyList<string>> SweepAsync(TimeSpan ahead) =>
        ActivatorUtilities.CreateInstance<RoomExpiry>(lab.Services, new ClockAhead(ahead)).SweepAsync();

    private async Task<string> OpenRoomAsync()
    {
        var room = "idle-" + Guid.NewGuid().ToString("N")[..8];
        var response = await lab.CreatePresenterClient().PutAsync($"/api/rooms/{room}", null);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return room;
    }

    private async Task<HttpStatusCode> LookUpAsync(string room) => (await lab.CreateClient().GetAsync($"/api/rooms/{room}")).StatusCode;

    [Fact]
    public async Task A_room_nobody_used_for_a_day_is_closed_and_viewers_can_no_longer_join_it()
    {
        var room = await OpenRoomAsync();

        Assert.DoesNotContain(room, await SweepAsync(Day - TimeSpan.FromHours(1)));
        Assert.Equal(HttpStatusCode.OK, await LookUpAsync(room));

        Assert.Contains(room, await SweepAsync(Day + TimeSpan.FromMinutes(1)));
        Assert.Equal(HttpStatusCode.NotFound, await LookUpAsync(room));
        await using var viewer = lab.CreateHubConnection();
        await viewer.StartAsync();
        var refused = await Assert.ThrowsAsync<HubException>(() => viewer.InvokeAsync<RoomState>(nameof(ILabHub.JoinRoom), room));
        Assert.Contains("no room", refused.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task A_watched_room_stays_open_and_its_day_counts_from_its_last_viewer_leaving()
    {
        var room = await OpenRoomAsync();
        var viewer = lab.CreateHubConnection();
        await viewer.StartAsync();
        await viewer.InvokeAsync<RoomState>(nameof(ILabHub.JoinRoom), room);

        Assert.DoesNotContain(room, await SweepAsync(Day * 3));

        // The viewer leaves "now": a day from now, less an hour, the room is still open (the sweep above, seeing three
        // days ahead, marked it in use then; a mark is never moved back, so look from further on).
        await viewer.DisposeAsync();
        var connections = lab.Services.GetRequiredService<RoomConnections>();
        Assert.True(await Waiting.UntilAsync(() => connections.Count(room) == 0, TimeSpan.FromSeconds(10)));
        Assert.DoesNotContain(room, await SweepAsync(Day * 4 - TimeSpan.FromHours(1)));
        Assert.Contains(room, await SweepAsync(Day * 4 + TimeSpan.FromMinutes(1)));
    }

    [Fact]
    public async Task A_room_with_a_run_on_stays_open_however_long_the_run_waits()
    {
        var room = await OpenRoomAsync();
        var response = await lab.CreatePresenterClient().PostAsync(
            "/api/runs", Json.Body($$"""{"scenario":"lock","room":"{{room}}","mode":"step","iterations":1}"""));
        var run = (await Json.ReadAsync<RunInfo>(response))!;
        await lab.WaitForRunAsync(run.Id, r => r.Status == RunStatus.Running);

        Assert.DoesNotContain(room, await SweepAsync(Day * 2));
        Assert.Equal(HttpStatusCode.OK, await LookUpAsync(room));

        await lab.CreatePresenterClient().PostAsync($"/api/runs/{run.Id}/stop", null);
        await lab.WaitForRunAsync(run.Id);
        Assert.Contains(room, await SweepAsync(Day * 3 + TimeSpan.FromMinutes(1)));
    }

    [Fact]
    public async Task Main_never_closes()
    {
        Assert.DoesNotContain(RoomNames.Main, await SweepAsync(Day * 365));
        Assert.Equal(HttpStatusCode.OK, await LookUpAsync(RoomNames.Main));
    }

    /// <summary>The real time, moved ahead: what the lab marked "now" is that long ago.</summary>
    private sealed class ClockAhead(TimeSpan ahead) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + ahead;
    }
}

/// <summary>The sweep runs by itself at the configured idle time.</summary>
public class RoomExpiryScheduleTests(RoomExpiryScheduleTests.ShortIdleLab lab) : IClassFixture<RoomExpiryScheduleTests.ShortIdleLab>
{
    /// <summary>Rooms close after 2 s (swept every second).</summary>
    public sealed class ShortIdleLab : LabServerFactory
    {
        public LogCapture Log { get; } = new();

        protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
        {
            ["LockLab:RoomIdleHours"] = (2.0 / 3600).ToString(System.Globalization.CultureInfo.InvariantCulture),
        };

        protected override void ConfigureWebHost(Microsoft.AspNetCore.Hosting.IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.ConfigureServices(services => services.AddSingleton<Serilog.Core.ILogEventSink>(Log));
        }
    }

    [Fact]
    public async Task An_unused_room_closes_by_itself_after_the_configured_idle_time_and_says_so_in_the_log()
    {
        var room = "brief-" + Guid.NewGuid().ToString("N")[..8];
        Assert.True((await lab.CreatePresenterClient().PutAsync($"/api/rooms/{room}", null)).IsSuccessStatusCode);

        await lab.Log.WaitForAsync(
            e => LogCapture.Text(e, "Room") == room && e.MessageTemplate.Text.StartsWith("Closed room"), TimeSpan.FromSeconds(30));

        Assert.Equal(HttpStatusCode.NotFound, (await lab.CreateClient().GetAsync($"/api/rooms/{room}")).StatusCode);
    }

    [Theory]
    [InlineData(24, 60)]      // a day: every minute
    [InlineData(0.1, 36)]     // 6 min: a tenth
    [InlineData(0.001, 1)]    // 3.6 s: every second
    public void The_sweep_period_is_a_tenth_of_the_idle_time_between_one_second_and_one_minute(double hours, double seconds) =>
        Assert.Equal(seconds, RoomExpiry.SweepPeriod(TimeSpan.FromHours(hours)).TotalSeconds, 3);
}
