using System.Net.Http.Json;
using System.Text.Json;
using LockLab.Contracts;
using LockLab.EndToEndTests.ScaleOut;
using LockLab.TestServices;

namespace LockLab.EndToEndTests;

/// <summary>A page that stops reading slows no other page and no run, and is let go so it can reconnect and catch up.</summary>
[Collection(PublishedLab.Collection)]
public class SlowViewerTests
{
    [Fact]
    public async Task A_stalled_page_slows_nobody_and_is_disconnected()
    {
        const string room = "slow";
        await using var server = await ServerProcess.StartAsync();
        using var client = server.CreateClient(presenter: true);
        await server.OpenRoomAsync(room); // as the presenter does: viewers join open rooms
        using var stalled = await StalledViewer.JoinAsync(server.Address, room);
        await using var healthy = await RoomRecorder.JoinAsync(server.Address, room);
        await server.WaitForViewersAsync(room, 2);

        // Three fast runs of 8 processes × 1000 iterations: ~24,000 events, a few megabytes each, that the stalled
        // page never takes. The healthy page must get all of every run, promptly.
        for (var i = 0; i < 3; i++)
        {
            var response = await client.PostAsync("/api/runs",
                new StringContent($$"""{"scenario":"no-lock","room":"{{room}}","processes":8,"iterations":1000,"delayMs":0}"""));
            var id = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
            var run = await healthy.CompletedAsync(id, TimeSpan.FromSeconds(30));
            Assert.Equal(RunStatus.Completed, run.Status);
            Assert.Equal(run.EventCount, healthy.EventsOf(id).Length);
        }

        // The stalled page is let go (well before SignalR's own 30-second client time-out).
        await server.WaitForViewersAsync(room, 1);
    }
}
