using System.Text.Json;
using LockLab.Client.Resources;
using LockLab.Contracts;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.Localization;
using Microsoft.JSInterop;

namespace LockLab.Client.Services;

public enum ConnectionStatus
{
    Offline,
    Connecting,
    Connected,
    Reconnecting,
}

/// <summary>
/// The page's live link to the lab: a connection to the SignalR hub <c>/hubs/lab</c> (see <see cref="HubClient"/>),
/// joined to one room. Keeps the room's current run up to date from
/// <c>RunStarted</c>/<c>RunEvents</c>/<c>RunCompleted</c>, and catches up on anything missed (late join, reconnect)
/// by sequence number, so the page never shows a gap. What it says itself (<see cref="LastError"/>, why a call was
/// refused) is in the page's language; the server's own reasons come as the server words them.
/// </summary>
public sealed class LabConnection(
    NavigationManager navigation, IJSRuntime js, PresenterKeyStore keys, StudentIdStore students, IStringLocalizer<Strings> L,
    ILogger<HubClient> log)
    : IAsyncDisposable
{
    private HubClient? _hub;

    /// <summary>
    /// The server sends this connection only a big run's latest events (<see cref="LatestLines"/>), not every event: it
    /// said so when asked. Otherwise (an older server) the page reads a big run's batches at most ten times a second.
    /// </summary>
    private bool _thinnedFeed;
    private readonly SemaphoreSlim _sync = new(1, 1);

    /// <summary>Runs this page has seen, by id (the newest few); events are routed to their run.</summary>
    private readonly Dictionary<string, LiveRun> _runs = new(StringComparer.Ordinal);
    private const int RunsKept = 20;

    public ConnectionStatus Status { get; private set; } = ConnectionStatus.Offline;

    /// <summary>How the page reaches the hub while connected ("WebSockets", "ServerSentEvents", "LongPolling"); else empty.</summary>
    public string Transport { get; private set; } = "";
    public string Room { get; private set; } = "main";

    /// <summary>The room's newest run.</summary>
    public LiveRun? Current { get; private set; }

    /// <summary>The runs this page has seen, newest first.</summary>
    public IReadOnlyList<LiveRun> Runs => _runs.Values.OrderByDescending(r => r.Info.CreatedAt).ToList();

    /// <summary>A run this page has seen (null once it is forgotten, after the newest few).</summary>
    public LiveRun? Find(string runId) => _runs.GetValueOrDefault(runId);

    /// <summary>
    /// A big run (<see cref="LiveRun.ShowsLatestOnly"/>) is streaming: news arrives dozens of times a second, and a page
    /// that redraws on each (a whole lesson with its live panel) keeps the browser from drawing. Pages then follow at
    /// most every <see cref="LiveRun.LinesEveryMs"/>.
    /// </summary>
    public bool StreamsBigRun => Current is { ShowsLatestOnly: true, Info.IsFinished: false };

    /// <summary>The newest run of a scenario this page has seen: what a lesson page shows beside its experiment.</summary>
    public LiveRun? LatestFor(string scenario) =>
        _runs.Values.Where(r => r.Info.Scenario == scenario).MaxBy(r => r.Info.CreatedAt);
    public string? LastError { get; private set; }

    /// <summary>The lesson (slug) and page the room's presenter shows; null lesson until one is chosen.</summary>
    public string? RoomLesson { get; private set; }
    public int RoomPage { get; private set; } = 1;

    /// <summary>Pages connected to the room, this one included.</summary>
    public int Viewers { get; private set; }

    /// <summary>The presenter lets students run the page's experiment in this room.</summary>
    public bool StudentsMayRun { get; private set; }

    /// <summary>
    /// The id this browser keeps as a student (<see cref="StudentIds"/>), on a follower's page (<see cref="JoinAsStudent"/>).
    /// Where students may run, the page joins as that student, and its runs stream to it.
    /// </summary>
    public string? StudentId { get; private set; }

    private bool _joinsAsStudent;

    /// <summary>Said by a follower's page before it connects: it goes by this browser's student id (read as it connects).</summary>
    public void JoinAsStudent() => _joinsAsStudent = true;

    /// <summary>How the room labels this student ("Student 3") once the page joined as one; null before.</summary>
    public string? StudentLabel { get; private set; }

    /// <summary>The runs this page started as a student: their news (place in the queue, start, end) is its own.</summary>
    private readonly HashSet<string> _myRuns = new(StringComparer.Ordinal);

    /// <summary>The presenter's list of the room's students' runs, by id.</summary>
    private readonly Dictionary<string, RunInfo> _studentRuns = new(StringComparer.Ordinal);
    private const int StudentRunsKept = 50;

    /// <summary>Presenter: the students' runs in the room, newest first.</summary>
    public IReadOnlyList<RunInfo> StudentRuns => [.. _studentRuns.Values.OrderByDescending(r => r.CreatedAt)];

    /// <summary>Whether this page started the run as a student: it may stop it.</summary>
    public bool IsMyRun(string runId) => _myRuns.Contains(runId);

    /// <summary>This student's newest run, as the page last heard of it (queued with its place, running, ended).</summary>
    public RunInfo? MyLatestRun => _myRuns.Select(id => Find(id)?.Info).OfType<RunInfo>().MaxBy(r => r.CreatedAt);

    /// <summary>Goes up at every change of the students' side of the room (setting, runs, seat): what pages redraw on.</summary>
    public int StudentsVersion { get; private set; }

    /// <summary>The scenarios with their defaults and limits, once connected.</summary>
    public IReadOnlyList<ScenarioInfo> Scenarios { get; private set; } = [];

    /// <summary>The server's limits beyond the scenarios' parameters, once connected.</summary>
    public LabLimits? Limits { get; private set; }

    /// <summary>Raised after any change the page should render.</summary>
    public event Action? Changed;

    /// <summary>
    /// While a big run streams (<see cref="StreamsBigRun"/>), raised at most every <see cref="LiveRun.LinesEveryMs"/>
    /// with everything that arrived meanwhile: what its latest lines and figures redraw on. One timer for the page,
    /// however many parts of it show the run.
    /// </summary>
    public event Action? BigRunTick;

    private bool _tickQueued;

    private void OnChanged()
    {
        Changed?.Invoke();
        if (!StreamsBigRun || _tickQueued) return;
        _tickQueued = true;
        _ = TickAfterAsync();
    }

    private async Task TickAfterAsync()
    {
        await Task.Delay(LiveRun.LinesEveryMs);
        _tickQueued = false;
        BigRunTick?.Invoke();
    }

    private Task? _connecting;

    /// <summary>
    /// Connects (once, however many components ask at the same time) and joins <paramref name="room"/>; called
    /// again with another room, it moves there. Called by pages once they are interactive (in WebAssembly, or on the
    /// server's circuit), never while prerendering: the connection is the browser's.
    /// </summary>
    public Task ConnectAsync(string room)
    {
        if (_connecting is null)
        {
            Room = room;
            return _connecting = ConnectCoreAsync();
        }
        return MoveToAsync(room);
    }

    private async Task MoveToAsync(string room)
    {
        await _connecting!;
        if (room == Room) return;
        Room = room;
        if (_hub is not { State: HubState.Connected }) return;
        try
        {
            await JoinAsync();
        }
        catch (HubCallException ex)
        {
            await RefusedAsync(ex);
        }
    }

    private async Task ConnectCoreAsync()
    {
        await TakeKeyFromAddressAsync();
        await keys.LoadAsync();
        _hub = new HubClient(js, navigation.ToAbsoluteUri("/hubs/lab"), () => keys.Credential, log);
        var json = ClientJsonContext.Default;
        // Each message is read at once (its JSON lives only as long as the call) and handled once the room's state is in.
        _hub.On(nameof(ILabClient.RunStarted), args =>
        {
            var info = args[0].Deserialize(json.RunInfo)!;
            return WhenJoined(() => OnRunInfoAsync(info));
        });
        _hub.OnRunEvents((runId, lastSeq, eventsJson) => WhenJoined(() => OnRunEventsAsync(runId, lastSeq, eventsJson)));
        _hub.On(nameof(ILabClient.RunCompleted), args =>
        {
            var info = args[0].Deserialize(json.RunInfo)!;
            return WhenJoined(() => OnRunInfoAsync(info));
        });
        _hub.On(nameof(ILabClient.PageChanged), args =>
        {
            var (room, lesson, page) = (args[0].GetString(), args[1].GetString(), args[2].GetInt32());
            return WhenJoined(() =>
            {
                if (room == Room)
                {
                    (RoomLesson, RoomPage) = (lesson, page);
                    OnChanged();
                }
                return Task.CompletedTask;
            });
        });
        _hub.On(nameof(ILabClient.ViewersChanged), args =>
        {
            var (room, viewers) = (args[0].GetString(), args[1].GetInt32());
            return WhenJoined(() =>
            {
                if (room == Room)
                {
                    Viewers = viewers;
                    OnChanged();
                }
                return Task.CompletedTask;
            });
        });
        _hub.On(nameof(ILabClient.RoomSettingsChanged), args =>
        {
            var (room, settings) = (args[0].GetString(), args[1].Deserialize(json.RoomSettings)!);
            return WhenJoined(async () =>
            {
                if (room != Room || settings.StudentsMayRun is not { } allowed) return;
                StudentsMayRun = allowed;
                if (allowed) await TakeSeatAsync();
                StudentsChanged();
            });
        });
        _hub.On(nameof(ILabClient.StudentRunChanged), args =>
        {
            var info = args[0].Deserialize(json.RunInfo)!;
            return WhenJoined(async () =>
            {
                if (info.Room != Room) return;
                if (HasPresenterKey) KeepStudentRun(info);
                // Without the key, only this student's own runs' news reaches the page, whichever of their pages
                // started the run (their phone's run on their laptop): each is theirs to follow and to stop.
                else _myRuns.Add(info.Id);
                if (_myRuns.Contains(info.Id)) await OnRunInfoAsync(info);
                StudentsChanged();
            });
        });
        _hub.Reconnecting += () => SetStatus(ConnectionStatus.Reconnecting);
        _hub.Reconnected += async () =>
        {
            try
            {
                await JoinAsync();
            }
            catch (HubCallException ex)
            {
                await RefusedAsync(ex);
            }
            catch (Exception ex)
            {
                LastError = L["Reconnected, but could not rejoin the room: {0}", ex.Message];
                await SetStatus(ConnectionStatus.Offline);
            }
        };
        _hub.Closed += async () =>
        {
            // Closed for good (the server said not to come back, or it was stopped to send a new key): try again a
            // little later, as long as the page is open.
            await SetStatus(ConnectionStatus.Offline);
            await Task.Delay(TimeSpan.FromSeconds(5) * (0.5 + Random.Shared.NextDouble()));
            if (!_disposed && _hub is { State: HubState.Disconnected }) await StartAsync();
        };

        await StartAsync();
    }

    /// <summary>
    /// The presenter's sign-in link carries <c>?key=…</c>: sign this browser in with it and take it out of the address
    /// bar (so it is not shared by a screenshot or a copied link). Done before connecting, so the connection carries the
    /// session.
    /// </summary>
    private async Task TakeKeyFromAddressAsync()
    {
        var uri = navigation.ToAbsoluteUri(navigation.Uri);
        var (key, rest) = TakeFromQuery(uri.Query, "key");
        if (string.IsNullOrEmpty(key)) return;
        if (await keys.SignInAsync(key) is { } error) LastError = error;
        navigation.NavigateTo(uri.GetLeftPart(UriPartial.Path) + rest, replace: true);
    }

    /// <summary>
    /// The value of <paramref name="name"/> in a query string (<c>?a=1&amp;key=x</c>), and the query without it, the
    /// other parameters exactly as they were. (System.Web.HttpUtility would do it, as one more assembly to download.)
    /// </summary>
    public static (string? Value, string Others) TakeFromQuery(string query, string name)
    {
        string? value = null;
        var kept = new List<string>();
        foreach (var part in query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = part.IndexOf('=');
            var partName = Uri.UnescapeDataString((equals < 0 ? part : part[..equals]).Replace('+', ' '));
            if (partName == name) value ??= equals < 0 ? "" : Uri.UnescapeDataString(part[(equals + 1)..].Replace('+', ' '));
            else kept.Add(part);
        }
        return (value, kept.Count == 0 ? "" : "?" + string.Join('&', kept));
    }

    private async Task StartAsync()
    {
        await SetStatus(ConnectionStatus.Connecting);
        // From the start: an early connection hands over what the room sent it as soon as the page takes it.
        _heldWhileJoining ??= [];
        var joining = false;
        try
        {
            await _hub!.StartAsync();
            joining = true;
            await JoinAsync();
        }
        catch (HubCallException ex)
        {
            await RefusedAsync(ex);
        }
        catch (Exception ex) when (ex is not ObjectDisposedException)
        {
            // Whatever went wrong (no transport, time-out, server down), the page stays usable and says so.
            LastError = L["Could not connect to the lab: {0}", ex.Message];
            await SetStatus(ConnectionStatus.Offline);
        }
        finally
        {
            // A start that failed before joining drops what was held, unless a join (a reconnect's) is under way: joins
            // hand over what they held themselves, the latest one when one superseded another.
            if (!joining && !_joinUnderWay) _heldWhileJoining = null;
        }
    }

    /// <summary>
    /// The room's news that came while the page was (re)joining, held until the room's state is in: it is newer than that
    /// state, which would otherwise undo it (a run that ended while the page loaded would show as running for good). The
    /// first join's answer can be seconds old by the time the page reads it (js/hub.js joined while .NET was loading), and
    /// what the room said since waits here. Null when nothing is held.
    /// </summary>
    private List<Func<Task>>? _heldWhileJoining;

    private Task WhenJoined(Func<Task> handle)
    {
        if (_heldWhileJoining is null) return handle();
        _heldWhileJoining.Add(handle);
        return Task.CompletedTask;
    }

    /// <summary>
    /// Handles what was held, in the order it came (more may come meanwhile), or drops it when the join failed. Handing
    /// over takes turns with the network (a catch-up asks for events): a join that a newer one superseded meanwhile
    /// stops there, and leaves what is held to the newer one.
    /// </summary>
    private async Task ReleaseHeldAsync(int join, bool joined)
    {
        var held = _heldWhileJoining;
        while (joined && join == _latestJoin && held is { Count: > 0 })
        {
            var next = held[0];
            held.RemoveAt(0);
            try
            {
                await next();
            }
            catch (Exception ex)
            {
                // As a message handled at once would be (HubClient): reported, and the page goes on with the rest.
                log.LogError(ex, "A hub message held while joining could not be handled");
            }
        }
        if (join == _latestJoin && ReferenceEquals(_heldWhileJoining, held)) _heldWhileJoining = null;
    }

    /// <summary>Counts joins: only the latest one's answer is taken (see <see cref="JoinAsync"/>).</summary>
    private int _latestJoin;
    /// <summary>A join is asking, applying its answer or handing over what was held.</summary>
    private bool _joinUnderWay;

    /// <summary>
    /// (Re)joins the room and catches up with its current run; false when a newer join superseded this one. A join asked
    /// for while another is under way (a circuit that came back during the page's first join, a move to another room)
    /// does not wait for it: the earlier one's answer may never come (lost while the circuit was down). The earlier one
    /// applies nothing more and fails silently. Two joins applying their answers together would each clear what the
    /// other had caught up.
    /// </summary>
    private async Task<bool> JoinAsync()
    {
        var join = ++_latestJoin;
        // What was held for a join this one supersedes stays held: this one's answer may be the early one of the page's
        // first connection (js/hub.js hands it to whichever call asks first), older than some of what is held.
        _heldWhileJoining ??= [];
        _joinUnderWay = true;
        var joined = false;
        try
        {
            await JoinCoreAsync(join);
            joined = true;
        }
        catch (Exception) when (join != _latestJoin)
        {
            // Superseded: whatever became of this one, the latest join is what the page goes by.
        }
        finally
        {
            await ReleaseHeldAsync(join, joined);
            if (join == _latestJoin) _joinUnderWay = false;
        }
        return join == _latestJoin;
    }

    private async Task JoinCoreAsync(int join)
    {
        // Sent together, answered in order: one round trip instead of three before the run buttons work. On a page's
        // first connection they were made already, while .NET was loading (js/hub.js, preconnect: the same four calls,
        // keep the two in step); their answers are taken from there.
        var json = ClientJsonContext.Default;
        var scenarios = Scenarios.Count == 0 ? _hub!.InvokeAsync(nameof(ILabHub.GetScenarios), json.ScenarioInfoArray) : null;
        var limits = Limits is null ? _hub!.InvokeAsync(nameof(ILabHub.GetLimits), json.LabLimits) : null;
        // This page shows a big run's latest lines only: the server may send it just those, not every event. Said on
        // every (re)connect, as it belongs to the connection.
        var latestOnly = _hub!.InvokeAsync(nameof(ILabHub.ShowLatestOnly), json.Boolean);
        var joining = _hub!.InvokeAsync(nameof(ILabHub.JoinRoom), json.RoomState, Room);
        bool thinned;
        try
        {
            thinned = await latestOnly;
        }
        catch (HubCallException)
        {
            // A server that does not offer it sends every event; the page reads a big run's at most ten times a second.
            thinned = false;
        }
        var scenariosIn = scenarios is null ? null : await scenarios;
        var limitsIn = limits is null ? null : await limits;
        // Each answer is taken only while this join is the latest: a superseded one's may come a minute late.
        if (join != _latestJoin) return;
        (_thinnedFeed, Scenarios, Limits) = (thinned, scenariosIn ?? Scenarios, limitsIn ?? Limits);
        var state = await joining;
        if (join != _latestJoin) return;
        (RoomLesson, RoomPage, Viewers) = (state.Lesson, state.Page, state.Viewers);
        // Start from what the room says now: after a reconnect or a server restart, runs this page still thinks
        // are running may be long gone. Oldest first, so the newest ends up as Current; each catches up.
        await _sync.WaitAsync();
        try
        {
            _runs.Clear();
            Current = null;
        }
        finally
        {
            _sync.Release();
        }
        foreach (var run in state.RecentRuns.OrderBy(r => r.BeforeTheRoomAt))
        {
            if (join != _latestJoin) return;
            await OnRunInfoAsync(run, joined: true);
        }
        if (join != _latestJoin) return;
        // The students' side: whether they may run; the rest is asked for once the page is connected (below).
        StudentsMayRun = state.StudentsMayRun;
        (StudentLabel, _seatedIn) = (null, null);
        _myRuns.Clear();
        _studentRuns.Clear();
        await SetStatus(ConnectionStatus.Connected);
        // After the page is connected, not before: its run buttons do not wait for the students' side of the room.
        await CatchUpStudentsAsync(join);
    }

    /// <summary>
    /// Connected, but the room would not have this page: say why, and if the room is not open (yet: a server restarted
    /// before the presenter's page came back), try again now and then, so the page joins once the presenter has opened it.
    /// </summary>
    private async Task RefusedAsync(HubCallException ex)
    {
        var refusal = ErrorOf(nameof(ILabHub.JoinRoom), ex);
        LastError = refusal.Message;
        await SetStatus(ConnectionStatus.Offline);
        if (refusal.Code == LabErrorCode.NotFound) _ = WaitForRoomAsync(Room);
    }

    /// <summary>Joins <paramref name="room"/> once it is open, asking every few seconds while this page waits for it.</summary>
    private async Task WaitForRoomAsync(string room)
    {
        while (!_disposed && _hub is { State: HubState.Connected } && Room == room && Status == ConnectionStatus.Offline)
        {
            await Task.Delay(TimeSpan.FromSeconds(4) * (0.5 + Random.Shared.NextDouble()));
            // Joined meanwhile (a reconnect's join), or moved on: nothing to wait for any more.
            if (_disposed || _hub is not { State: HubState.Connected } || Room != room || Status != ConnectionStatus.Offline) return;
            try
            {
                // Superseded by a newer join: that one says how it went.
                if (await JoinAsync()) LastError = null;
                return;
            }
            catch (HubCallException ex)
            {
                LastError = ErrorOf(nameof(ILabHub.JoinRoom), ex).Message;
                OnChanged();
            }
        }
    }

    /// <summary>
    /// Reconnects so that a new presenter session is sent (it travels as the connection's access token).
    /// </summary>
    public async Task RefreshCredentialsAsync()
    {
        if (_hub is null) return;
        await _hub.StopAsync();
        await StartAsync();
    }

    public bool HasPresenterKey => !string.IsNullOrEmpty(keys.Credential);

    /// <summary>
    /// Asks the lab to start a run in this room. Returns why not (a code to act on and a sentence), or null
    /// when accepted.
    /// </summary>
    public async Task<LabError?> StartRunAsync(RunRequest request)
    {
        if (_hub is null || Status != ConnectionStatus.Connected) return NotConnected;
        try
        {
            var run = await _hub.InvokeAsync(nameof(ILabHub.StartRun), ClientJsonContext.Default.RunInfo, request with { Room = Room });
            await OnRunInfoAsync(run);
            return null;
        }
        catch (HubCallException ex)
        {
            var error = ErrorOf(nameof(ILabHub.StartRun), ex);
            // A session this browser kept has ended (expired, or the key changed): forget it, so the key is asked for.
            if (error.Code == LabErrorCode.PresenterKeyRequired && keys.Credential is not null) await keys.ForgetAsync();
            return error;
        }
    }

    private LabError NotConnected => new(LabErrorCode.NotNow, L["Not connected to the lab."]);

    private string? _seatedIn;

    /// <summary>The presenter's list of the students' runs; a student's seat and own runs, where students may run.</summary>
    private async Task CatchUpStudentsAsync(int join)
    {
        if (HasPresenterKey && _hub is { State: HubState.Connected })
        {
            try
            {
                var runs = await _hub.InvokeAsync(nameof(ILabHub.GetStudentRuns), ClientJsonContext.Default.RunInfoArray);
                if (join != _latestJoin) return;
                foreach (var run in runs) KeepStudentRun(run);
            }
            catch (HubCallException)
            {
                // A session that has ended: the list stays empty, and the key is asked for when the presenter acts.
            }
        }
        if (join != _latestJoin) return;
        if (StudentsMayRun) await TakeSeatAsync();
        StudentsChanged();
    }

    /// <summary>
    /// Joins the room as this browser's student (<see cref="StudentId"/>), once per join: from then on the student's
    /// runs stream to this page. A page without a student id (the presenter's, a lesson page) takes no seat.
    /// </summary>
    private async Task TakeSeatAsync()
    {
        // Read when first needed, whether the page connected as a follower or moved into the room from another page.
        if (_joinsAsStudent) StudentId ??= await students.GetAsync();
        if (StudentId is null || _seatedIn == Room || _hub is not { State: HubState.Connected }) return;
        try
        {
            var seat = await _hub.InvokeAsync(nameof(ILabHub.JoinAsStudent), ClientJsonContext.Default.StudentSeat, StudentId);
            (StudentLabel, _seatedIn) = (seat.Label, seat.Room);
            foreach (var run in seat.Runs.OrderBy(r => r.CreatedAt))
            {
                _myRuns.Add(run.Id);
                await OnRunInfoAsync(run, joined: true);
            }
        }
        catch (HubCallException ex)
        {
            LastError = ErrorOf(nameof(ILabHub.JoinAsStudent), ex).Message;
        }
    }

    /// <summary>
    /// A student runs the page's experiment (<paramref name="request"/> names it, or names nothing: the page's own).
    /// Returns why not (a code and a sentence), or null when accepted: the run is this page's from then on.
    /// </summary>
    public async Task<LabError?> StartStudentRunAsync(RunRequest request)
    {
        if (_hub is null || Status != ConnectionStatus.Connected) return NotConnected;
        await TakeSeatAsync();
        try
        {
            var run = await _hub.InvokeAsync(nameof(ILabHub.StartStudentRun), ClientJsonContext.Default.RunInfo, request);
            _myRuns.Add(run.Id);
            await OnRunInfoAsync(run);
            StudentsChanged();
            return null;
        }
        catch (HubCallException ex)
        {
            return ErrorOf(nameof(ILabHub.StartStudentRun), ex);
        }
    }

    /// <summary>Presenter: lets students run experiments in this room, or stops them. Returns why not, or null.</summary>
    public async Task<string?> SetStudentsMayRunAsync(bool allowed)
    {
        // The switch shows the teacher's choice at once, not its old state until the room's news of it arrives (it
        // flicked back and forth); a refusal puts it back.
        var before = StudentsMayRun;
        StudentsMayRun = allowed;
        var error = await InvokeAsync(nameof(ILabHub.SetRoomSettings), new RoomSettings(allowed));
        if (error is not null) StudentsMayRun = before;
        return error;
    }

    /// <summary>Presenter: shows a student's run to the whole room. Returns why not, or null.</summary>
    public Task<string?> ShowRunToRoomAsync(string runId) => InvokeAsync(nameof(ILabHub.ShowRunToRoom), runId);

    private void KeepStudentRun(RunInfo run)
    {
        _studentRuns[run.Id] = run;
        foreach (var old in _studentRuns.Values.OrderByDescending(r => r.CreatedAt).Skip(StudentRunsKept).ToList())
        {
            _studentRuns.Remove(old.Id);
        }
    }

    private void StudentsChanged()
    {
        StudentsVersion++;
        OnChanged();
    }

    /// <summary>Step mode: lets a process take its next step. Returns why not, or null.</summary>
    public Task<string?> StepAsync(string runId, string process) => InvokeAsync(nameof(ILabHub.StepRun), runId, process);

    /// <summary>Presenter: creates a classroom and returns its code (null when refused; see <see cref="LastError"/>).</summary>
    public async Task<string?> CreateRoomAsync()
    {
        if (_hub is null || Status != ConnectionStatus.Connected) return null;
        try
        {
            return await _hub.InvokeAsync(nameof(ILabHub.CreateRoom), ClientJsonContext.Default.String);
        }
        catch (HubCallException ex)
        {
            LastError = ErrorOf(nameof(ILabHub.CreateRoom), ex).Message;
            OnChanged();
            return null;
        }
    }

    /// <summary>Presenter: moves everyone following this room to a lesson page. Returns why not, or null.</summary>
    public Task<string?> SetPageAsync(string lesson, int page) => InvokeAsync(nameof(ILabHub.SetPage), new PageRequest(lesson, page));

    /// <summary>Stops a queued or running run (the presenter's any, a student's their own). Returns why not, or null.</summary>
    public Task<string?> StopAsync(string runId) =>
        InvokeAsync(!HasPresenterKey && IsMyRun(runId) ? nameof(ILabHub.StopStudentRun) : nameof(ILabHub.StopRun), runId);

    private async Task<string?> InvokeAsync(string method, params object[] args)
    {
        if (_hub is null || Status != ConnectionStatus.Connected) return NotConnected.Message;
        try
        {
            await _hub.InvokeAsync(method, args);
            return null;
        }
        catch (HubCallException ex)
        {
            return ErrorOf(method, ex).Message;
        }
    }

    /// <summary>
    /// The lab's error in a failed call (<see cref="LabError"/>). SignalR puts its own words before the server's, and
    /// refuses a call that needs the presenter key in its own words alone.
    /// </summary>
    private LabError ErrorOf(string method, HubCallException ex)
    {
        if (ex.Message.Contains("because user is unauthorized", StringComparison.Ordinal))
        {
            return new LabError(LabErrorCode.PresenterKeyRequired, L["This needs the presenter key."]);
        }
        var marker = "HubException: ";
        var at = ex.Message.IndexOf(marker, StringComparison.Ordinal);
        return at >= 0
            ? LabError.FromHubMessage(ex.Message[(at + marker.Length)..])
            : new LabError(LabErrorCode.Other,
                ex.Message.Replace($"An unexpected error occurred invoking '{method}' on the server.", "").Trim());
    }

    /// <param name="joined">From the room's state at a (re)join, not news of a run as it happens.</param>
    private async Task OnRunInfoAsync(RunInfo info, bool joined = false)
    {
        await _sync.WaitAsync();
        try
        {
            if (!_runs.TryGetValue(info.Id, out var run))
            {
                run = new LiveRun(info) { MetAtStart = !joined && !info.IsFinished };
                _runs[info.Id] = run;
                if (run.ShowsLatestOnly) _hub?.ShowLatestOnly(run.Id, LatestLinesPerBatch);
                // A student's run the presenter showed counts from that moment: it becomes the room's current run.
                if (Current is null || info.BeforeTheRoomAt >= Current.Info.BeforeTheRoomAt) Current = run;
                Forget();
                await CatchUpAsync(run, streaming: !joined && !info.IsFinished);
            }
            else
            {
                // RunCompleted follows the last RunEvents; one catch-up call covers anything a reconnect swallowed
                // (sequence numbers can have gaps after a crash, so counts cannot tell).
                // A big run whose last events the page already shows (the server sends them before RunCompleted)
                // needs no call.
                if (info.IsFinished && !run.Info.IsFinished && !run.ShowsItsEnd(info)) await CatchUpAsync(run);
                run.Update(info);
                // The student whose run the presenter just showed: it is the room's current run now.
                if (Current is not null && info.BeforeTheRoomAt > Current.Info.BeforeTheRoomAt) Current = run;
            }
        }
        finally
        {
            _sync.Release();
        }
        OnChanged();
    }

    /// <summary>
    /// A batch of a run's events, as JSON: all of them, or for a big run (<see cref="LiveRun.ShowsLatestOnly"/>) its last
    /// <see cref="LatestLinesPerBatch"/>. The page redraws a big run ten times a second: between redraws a batch only moves
    /// the run's position on, and is not parsed.
    /// </summary>
    private Task OnRunEventsAsync(string runId, long lastSeq, string eventsJson)
    {
        // On a feed that brings a big run's latest events only (ten times a second), each batch is worth reading.
        if (!_thinnedFeed && Find(runId) is { ShowsLatestOnly: true } run && !run.DueForLines(Environment.TickCount64))
        {
            run.MovedTo(lastSeq);
            OnChanged();
            return Task.CompletedTask;
        }
        return OnRunEventsAsync(runId, JsonSerializer.Deserialize(eventsJson, ClientJsonContext.Default.RunEventArray) ?? []);
    }

    private async Task OnRunEventsAsync(string runId, RunEvent[] events)
    {
        if (events.Length == 0) return;
        await _sync.WaitAsync();
        try
        {
            if (!_runs.TryGetValue(runId, out var run)) return; // RunStarted (or the join) introduces a run before its events
            if (run.HasGapBefore(events[0].Seq)) await CatchUpAsync(run);
            var wasBig = run.ShowsLatestOnly;
            run.Add(events);
            // A run that turned out bigger than its parameters said: from now on only its batches' last events cross.
            if (!wasBig && run.ShowsLatestOnly) _hub?.ShowLatestOnly(run.Id, LatestLinesPerBatch);
        }
        finally
        {
            _sync.Release();
        }
        OnChanged();
    }

    /// <summary>A big run's events handed over from a batch: more than its console shows (40 lines, a third of the events).</summary>
    private const int LatestLinesPerBatch = 150;

    private void Forget()
    {
        foreach (var old in _runs.Values.OrderByDescending(r => r.Info.CreatedAt).Skip(RunsKept).ToList()) _runs.Remove(old.Id);
    }

    /// <param name="streaming">A run this page has just heard start (<c>RunStarted</c>, or its own start): its
    /// events are on their way.</param>
    private async Task CatchUpAsync(LiveRun run, bool streaming = false)
    {
        if (run.ShowsLatestOnly)
        {
            // A big run that has just started, on a feed that brings its latest events ten times a second: the next
            // message is where it is now (asking as well cost the page a parse of 300 events just as the run began to
            // stream). A page that joins a run midway, or hears it end, asks.
            if (_thinnedFeed && streaming) return;
            // A big run: where it is now, not the millions of events before (those are the run's record, a link away).
            if (_hub is { State: HubState.Connected })
            {
                run.Add(await _hub.InvokeAsync(nameof(ILabHub.GetLatestEvents), ClientJsonContext.Default.RunEventArray,
                    run.Id, LiveRun.LatestKept));
            }
            return;
        }
        while (_hub is { State: HubState.Connected })
        {
            var missed = await _hub.InvokeAsync(nameof(ILabHub.GetEvents), ClientJsonContext.Default.RunEventArray, run.Id, run.LastSeq);
            if (run.Add(missed) == 0) return;
        }
    }

    private Task SetStatus(ConnectionStatus status)
    {
        Status = status;
        Transport = status == ConnectionStatus.Connected ? _hub?.Transport ?? "" : "";
        if (status == ConnectionStatus.Connected) LastError = null;
        OnChanged();
        return Task.CompletedTask; // a Task so that it can serve as a connection event handler directly
    }

    /// <summary>
    /// The page has gone. In WebAssembly that ends everything with the tab; on the server (a circuit) this connection's
    /// waiting and retrying would go on without it, so each loop checks this first.
    /// </summary>
    private bool _disposed;

    public async ValueTask DisposeAsync()
    {
        if (_disposed) return;
        _disposed = true;
        if (_hub is not null) await _hub.DisposeAsync();
        _sync.Dispose();
    }
}
