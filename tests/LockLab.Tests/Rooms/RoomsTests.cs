using System.Net;
using System.Net.Http.Json;
using LockLab.Contracts;
using LockLab.TestServices;
using LockLab.Tests.Support;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;

namespace LockLab.Tests.Rooms;

/// <summary>Classrooms over REST and SignalR: codes, page changes and runs reach exactly the room they are for.</summary>
public class RoomsTests(LabServerFactory lab) : IClassFixture<LabServerFactory>
{
    private async Task<string> CreateRoomAsync()
    {
        var response = await lab.CreatePresenterClient().PostAsync("/api/rooms", null);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await Json.ReadAsync<RoomState>(response))!.Room;
    }

    private async Task<(HubConnection Hub, List<(string Room, string Lesson, int Page)> Pages, RoomRecorder Runs)> FollowAsync(string room)
    {
        var hub = lab.CreateHubConnection();
        var pages = new List<(string, string, int)>();
        hub.On<string, string, int>(nameof(ILabClient.PageChanged), (r, l, p) => { lock (pages) pages.Add((r, l, p)); });
        var runs = new RoomRecorder(hub);
        await hub.StartAsync();
        lab.OpenRoom(room);
        await hub.InvokeAsync<RoomState>(nameof(ILabHub.JoinRoom), room);
        return (hub, pages, runs);
    }

    [Fact]
    public async Task Creating_a_room_needs_the_key_and_gives_a_short_readable_code()
    {
        Assert.Equal(HttpStatusCode.Unauthorized, (await lab.CreateClient().PostAsync("/api/rooms", null)).StatusCode);

        var code = await CreateRoomAsync();

        Assert.Equal(RoomNames.CodeLength, code.Length);
        Assert.All(code, c => Assert.Contains(c, RoomNames.CodeAlphabet));
        var state = await lab.CreateClient().GetFromJsonAsync($"/api/rooms/{code}", ContractsJsonContext.Default.RoomState);
        Assert.Equal((code, (string?)null, 0), (state!.Room, state.Lesson, state.Viewers));
    }

    [Theory]
    [InlineData("ZZZZ", HttpStatusCode.NotFound)]
    [InlineData("bad!code", HttpStatusCode.BadRequest)]
    public async Task Unknown_or_malformed_codes_are_clear_problems(string code, HttpStatusCode expected)
    {
        var response = await lab.CreateClient().GetAsync($"/api/rooms/{Uri.EscapeDataString(code)}");
        Assert.Equal(expected, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Theory]
    [InlineData("""{"lesson":"nope","page":1}""", "lesson")]
    [InlineData("""{"lesson":"process-locks","page":99}""", "page")]
    [InlineData("""{"page":2}""", "lesson")]
    public async Task A_page_change_names_a_real_lesson_and_page(string body, string field)
    {
        var code = await CreateRoomAsync();
        var response = await lab.CreatePresenterClient().PostAsync($"/api/rooms/{code}/page", Json.Body(body));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(field, (await response.Content.ReadFromJsonAsync<ValidationProblemDetails>())!.Errors.Keys);
    }

    [Fact]
    public async Task The_presenters_page_change_and_run_reach_exactly_the_two_followers_of_that_room()
    {
        var roomA = await CreateRoomAsync();
        var roomB = await CreateRoomAsync();
        var (a1, a1Pages, a1Runs) = await FollowAsync(roomA);
        var (a2, a2Pages, a2Runs) = await FollowAsync(roomA);
        var (b, bPages, bRuns) = await FollowAsync(roomB);
        await using var _1 = a1;
        await using var _2 = a2;
        await using var _3 = b;
        var presenter = lab.CreatePresenterClient();

        Assert.Equal(2,
            (await lab.CreateClient().GetFromJsonAsync($"/api/rooms/{roomA}", ContractsJsonContext.Default.RoomState))!.Viewers);

        var moved = await presenter.PostAsync($"/api/rooms/{roomA}/page", Json.Body("""{"lesson":"process-locks","page":3}"""));
        Assert.Equal(HttpStatusCode.Accepted, moved.StatusCode);
        var run = (await Json.ReadAsync<RunInfo>(await presenter.PostAsync($"/api/rooms/{roomA}/runs",
            Json.Body("""{"scenario":"lock","iterations":1,"delayMs":1}"""))))!;
        Assert.Equal(roomA, run.Room);
        await a1Runs.CompletedAsync(run.Id);
        await a2Runs.CompletedAsync(run.Id);

        // Room B's own page change and run come afterwards: if anything of A's had reached B, it would be there first.
        var bPageSeen = new TaskCompletionSource();
        b.On<string, string, int>(nameof(ILabClient.PageChanged), (_, _, _) => bPageSeen.TrySetResult());
        await presenter.PostAsync($"/api/rooms/{roomB}/page", Json.Body("""{"lesson":"lost-updates","page":2}"""));
        var bRun = (await Json.ReadAsync<RunInfo>(await presenter.PostAsync($"/api/rooms/{roomB}/runs",
            Json.Body("""{"scenario":"lock","iterations":1,"delayMs":1}"""))))!;
        await bRuns.CompletedAsync(bRun.Id);
        await bPageSeen.Task.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal([(roomA, "process-locks", 3)], a1Pages);
        Assert.Equal([(roomA, "process-locks", 3)], a2Pages);
        Assert.Equal([(roomB, "lost-updates", 2)], bPages);
        Assert.All(bRuns.Messages, m => Assert.Equal(bRun.Id, m.RunId));
        Assert.DoesNotContain(a1Runs.Messages, m => m.RunId == bRun.Id);
        var state = await lab.CreateClient().GetFromJsonAsync($"/api/rooms/{roomA}", ContractsJsonContext.Default.RoomState);
        Assert.Equal(("process-locks", 3, 2), (state!.Lesson, state.Page, state.Viewers));
    }

    [Fact]
    public async Task Only_a_presenter_connection_may_move_the_room()
    {
        var code = await CreateRoomAsync();
        await using var viewer = lab.CreateHubConnection();
        await viewer.StartAsync();
        await viewer.InvokeAsync<RoomState>(nameof(ILabHub.JoinRoom), code);

        var error = await Assert.ThrowsAsync<HubException>(() =>
            viewer.InvokeAsync(nameof(ILabHub.SetPage), new PageRequest("process-locks", 2)));
        Assert.Contains("unauthorized", error.Message);
    }

    [Fact]
    public async Task The_app_serves_an_openapi_document_with_the_room_endpoints()
    {
        var json = await lab.CreateClient().GetStringAsync("/openapi/v1.json");
        Assert.Contains("/api/rooms/{code}/runs", json);
        Assert.Contains("/api/rooms/{code}/page", json);
        Assert.Contains("/api/runs/{id}/events", json);
    }

    [Fact]
    public async Task The_room_qr_code_is_an_svg_of_the_join_link()
    {
        var code = await CreateRoomAsync();
        var response = await lab.CreateClient().GetAsync($"/api/rooms/{code}/qr.svg");
        Assert.Equal("image/svg+xml", response.Content.Headers.ContentType?.MediaType);
        Assert.StartsWith("<svg", (await response.Content.ReadAsStringAsync()).TrimStart()[..4]);
    }
}

/// <summary>A separate lab, so that its lock-out does not touch other tests.</summary>
public sealed class KeyLockoutLabFactory : LabServerFactory;

public class KeyLockoutTests(KeyLockoutLabFactory lab) : IClassFixture<KeyLockoutLabFactory>
{
    [Fact]
    public async Task Guessing_the_key_is_locked_out_after_ten_wrong_tries()
    {
        var guesser = lab.CreateClient();
        for (var i = 0; i < LockLab.Server.Security.KeyAttemptLimiter.MaxFailures; i++)
        {
            guesser.DefaultRequestHeaders.Authorization = new("Bearer", $"guess-{i}");
            Assert.Equal(HttpStatusCode.Unauthorized, (await guesser.PostAsync("/api/rooms", null)).StatusCode);
        }

        // Now even the right key is refused from this address for a while.
        var locked = await lab.CreatePresenterClient().PostAsync("/api/rooms", null);
        Assert.Equal(HttpStatusCode.TooManyRequests, locked.StatusCode);
        Assert.Contains("Too many wrong", await locked.Content.ReadAsStringAsync());
        Assert.NotNull(locked.Headers.RetryAfter);
    }
}
