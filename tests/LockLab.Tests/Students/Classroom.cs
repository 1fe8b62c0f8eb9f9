using System.Net;
using System.Net.Http.Json;
using LockLab.Contracts;
using LockLab.TestServices;
using LockLab.Tests.Support;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;

namespace LockLab.Tests.Students;

/// <summary>
/// A room of a test lab with the presenter's page, and students' pages as they come: real SignalR connections, each
/// recording what it is sent (<see cref="RoomRecorder"/>, and the students' runs' news besides).
/// </summary>
public sealed class Classroom(LabServerFactory lab, string room) : IAsyncDisposable
{
    /// <summary>The lesson page whose experiment students run (no-lock, with the classic scenarios beside it).</summary>
    public static readonly PageRequest LessonPage = new("process-locks", 2);

    private readonly List<Page> _pages = [];

    public string Room => room;

    /// <summary>A page in the room, and what it was sent.</summary>
    public sealed class Page(HubConnection hub)
    {
        public HubConnection Hub => hub;
        public RoomRecorder Recorder { get; } = new(hub);

        /// <summary>Every <c>StudentRunChanged</c> it was sent, in order.</summary>
        public IEnumerable<RunInfo> StudentNews =>
            Recorder.Messages.Where(m => m.Method == nameof(ILabClient.StudentRunChanged)).Select(m => m.Info!);

        /// <summary>Every <c>RoomSettingsChanged</c> it was sent, in order.</summary>
        public System.Threading.Channels.Channel<RoomSettings> Settings { get; } =
            System.Threading.Channels.Channel.CreateUnbounded<RoomSettings>();

        /// <summary>
        /// Waits for a <c>RoomSettingsChanged</c> that says <paramref name="studentsMayRun"/>: with Redis between, an
        /// earlier change may reach a page that joined after it was made.
        /// </summary>
        public async Task<RoomSettings> SettingsSayAsync(bool studentsMayRun)
        {
            while (true)
            {
                var settings = await NextSettingsAsync();
                if (settings.StudentsMayRun == studentsMayRun) return settings;
            }
        }

        /// <summary>The next <c>RoomSettingsChanged</c> it is sent (within 30 s).</summary>
        public async Task<RoomSettings> NextSettingsAsync()
        {
            using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            return await Settings.Reader.ReadAsync(patience.Token);
        }

        public StudentSeat? Seat { get; set; }

        /// <summary>Every run this page heard of in any way (the room's news, or a student's run's).</summary>
        public bool HeardOf(string runId) =>
            Recorder.Messages.Any(m => m.RunId == runId);

        public Task<RunInfo> StartAsync(RunRequest request) => hub.InvokeAsync<RunInfo>(nameof(ILabHub.StartStudentRun), request);

        /// <summary>Waits, message by message, until this page was told of the run something that <paramref name="holds"/>.</summary>
        public Task<bool> ToldAsync(string runId, Func<RunInfo, bool> holds) =>
            Recorder.UntilAsync(() => StudentNews.Any(r => r.Id == runId && holds(r)));
    }

    /// <summary>The presenter's page: joins with the key, puts up the lesson page, and lets students run (unless told not to).</summary>
    public async Task<Page> OpenAsync(bool studentsMayRun = true)
    {
        var presenter = await JoinAsync(presenter: true);
        using var http = lab.CreatePresenterClient();
        (await http.PostAsJsonAsync($"/api/rooms/{room}/page", LessonPage, ContractsJsonContext.Default.PageRequest))
            .EnsureSuccessStatusCode();
        if (studentsMayRun) await AllowAsync(true);
        return presenter;
    }

    public async Task<RoomState> AllowAsync(bool studentsMayRun)
    {
        using var http = lab.CreatePresenterClient();
        var response = await http.PostAsync($"/api/rooms/{room}/settings",
            Json.Body($$"""{"studentsMayRun":{{(studentsMayRun ? "true" : "false")}}}"""));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await Json.ReadAsync<RoomState>(response))!;
    }

    /// <summary>A page joined to the room: the presenter's (with the key), a follower's, or (with an id) a student's.</summary>
    public async Task<Page> JoinAsync(bool presenter = false, string? studentId = null, string? language = null)
    {
        var hub = lab.CreateHubConnection(presenter, language);
        var page = new Page(hub);
        hub.On<string, RoomSettings>(nameof(ILabClient.RoomSettingsChanged), (_, settings) => page.Settings.Writer.TryWrite(settings));
        lock (_pages) _pages.Add(page);
        await hub.StartAsync();
        await hub.InvokeAsync<RoomState>(nameof(ILabHub.JoinRoom), room);
        if (studentId is not null) page.Seat = await hub.InvokeAsync<StudentSeat>(nameof(ILabHub.JoinAsStudent), studentId);
        return page;
    }

    /// <summary>A student's page: joins the room and says which student it is.</summary>
    public Task<Page> StudentAsync(string studentId, string? language = null) => JoinAsync(studentId: studentId, language: language);

    /// <summary>
    /// A presenter's run in step mode: it holds a consumer of the lab until stopped, so that what is queued behind it
    /// stays queued while a test looks.
    /// </summary>
    public async Task<string> HoldTheLabAsync()
    {
        using var http = lab.CreatePresenterClient();
        var response = await http.PostAsync($"/api/rooms/{room}/runs",
            Json.Body("""{"scenario":"no-lock","mode":"step","iterations":1}"""));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return (await Json.ReadAsync<RunInfo>(response))!.Id;
    }

    public async Task StopAsync(string runId)
    {
        using var http = lab.CreatePresenterClient();
        Assert.Equal(HttpStatusCode.Accepted, (await http.PostAsync($"/api/runs/{runId}/stop", null)).StatusCode);
    }

    public async ValueTask DisposeAsync()
    {
        Page[] pages;
        lock (_pages) pages = [.. _pages];
        foreach (var page in pages) await page.Hub.DisposeAsync();
    }
}

/// <summary>Short runs: two processes, one step each, no sleeps.</summary>
public static class ShortRuns
{
    public static RunRequest NoLock(int iterations = 1) => new() { Scenario = Scenarios.NoLock, Iterations = iterations, DelayMs = 0 };
}
