using System.Net;
using LockLab.Contracts;
using LockLab.Tests.Support;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;

namespace LockLab.Tests.Runs;

/// <summary>A lab with tight limits and a worker program that misbehaves on request.</summary>
public sealed class TightLabFactory : LabServerFactory
{
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["LockLab:Limits:MaxEventsPerRun"] = "20",
        ["LockLab:Limits:MaxActiveRunsPerRoom"] = "1",
    };
}

public class LimitTests(TightLabFactory lab) : IClassFixture<TightLabFactory>
{
    private Task<HttpResponseMessage> StartAsync(string body) => lab.CreatePresenterClient().PostAsync("/api/runs", Json.Body(body));

    [Fact]
    public async Task A_run_that_would_report_more_events_than_the_limit_is_refused_up_front()
    {
        // 2 processes × 4 iterations × 3 events + 2 exits = 26 events: past the limit of 20.
        var response = await StartAsync("""{"scenario":"no-lock","room":"events-limit","iterations":4,"delayMs":1}""");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadAsStringAsync();
        Assert.Contains("would report 26 events", problem);
        Assert.Contains("allows 20", problem);
    }

    [Fact]
    public async Task At_its_event_limit_a_run_completes()
    {
        // 2 × 3 × 3 + 2 = 20 events: exactly the limit.
        var run = (await Json.ReadAsync<RunInfo>(
            await StartAsync("""{"scenario":"no-lock","room":"events-at-limit","iterations":3,"delayMs":1}""")))!;
        Assert.Equal(RunStatus.Completed, (await lab.WaitForRunAsync(run.Id)).Status);
    }

    [Fact]
    public async Task A_room_with_a_run_going_refuses_a_second_one()
    {
        // A step run stands still until stepped: it is certainly still going when the second request arrives.
        var first = (await Json.ReadAsync<RunInfo>(
            await StartAsync("""{"scenario":"lock","room":"busy","mode":"step","iterations":1}""")))!;
        var second = await StartAsync("""{"scenario":"lock","room":"busy","iterations":1}""");
        var elsewhere = await StartAsync("""{"scenario":"lock","room":"not-busy","iterations":1,"delayMs":1}""");

        Assert.Equal(HttpStatusCode.Conflict, second.StatusCode);
        Assert.Contains("already has 1 run", await second.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Accepted, elsewhere.StatusCode);
        await lab.CreatePresenterClient().PostAsync($"/api/runs/{first.Id}/stop", null);
        Assert.Equal(RunStatus.Cancelled, (await lab.WaitForRunAsync(first.Id)).Status);
    }
}

/// <summary>REST, a room's REST and the hub start runs through one launcher: each door gives the same answers.</summary>
public class LaunchDoorTests(TightLabFactory lab) : IClassFixture<TightLabFactory>
{
    [Fact]
    public async Task A_busy_room_and_a_wrong_request_get_the_same_answer_at_every_door()
    {
        using var presenter = lab.CreatePresenterClient();
        var created = await presenter.PostAsync("/api/rooms", null);
        var room = (await Json.ReadAsync<RoomState>(created))!.Room;
        // A step run stands still until stepped: the room is busy for as long as the test needs.
        var first = (await Json.ReadAsync<RunInfo>(await presenter.PostAsync("/api/runs",
            Json.Body($$"""{"scenario":"lock","room":"{{room}}","mode":"step","iterations":1}"""))))!;
        await using var hub = lab.CreateHubConnection(presenter: true);
        await hub.StartAsync();
        await hub.InvokeAsync<RoomState>(nameof(ILabHub.JoinRoom), room);

        var rest = await presenter.PostAsync("/api/runs", Json.Body($$"""{"scenario":"lock","room":"{{room}}","iterations":1}"""));
        var roomRest = await presenter.PostAsync($"/api/rooms/{room}/runs", Json.Body("""{"scenario":"lock","iterations":1}"""));
        var overHub = await Assert.ThrowsAsync<HubException>(() =>
            hub.InvokeAsync<RunInfo>(nameof(ILabHub.StartRun), new RunRequest { Scenario = "lock", Iterations = 1 }));

        Assert.Equal(HttpStatusCode.Conflict, rest.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, roomRest.StatusCode);
        var busy = $"Room '{room}' already has 1 run(s) queued or running";
        Assert.Contains(busy, await rest.Content.ReadAsStringAsync());
        Assert.Contains(busy, await roomRest.Content.ReadAsStringAsync());
        Assert.Contains(busy, overHub.Message);
        Assert.Equal(LabErrorCode.RoomFull, HubErrors.Of(overHub).Code);

        // The same wrong field, named the same way.
        var badRest = await presenter.PostAsync("/api/runs", Json.Body("""{"scenario":"lock","processes":50}"""));
        var badRoomRest = await presenter.PostAsync($"/api/rooms/{room}/runs", Json.Body("""{"scenario":"lock","processes":50}"""));
        var badHub = await Assert.ThrowsAsync<HubException>(() =>
            hub.InvokeAsync<RunInfo>(nameof(ILabHub.StartRun), new RunRequest { Scenario = "lock", Processes = 50 }));
        Assert.Equal(HttpStatusCode.BadRequest, badRest.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, badRoomRest.StatusCode);
        Assert.Contains("\"processes\"", await badRest.Content.ReadAsStringAsync());
        Assert.Contains("\"processes\"", await badRoomRest.Content.ReadAsStringAsync());
        Assert.Contains("processes:", badHub.Message);
        Assert.Equal(LabErrorCode.InvalidRequest, HubErrors.Of(badHub).Code);

        await presenter.PostAsync($"/api/runs/{first.Id}/stop", null);
        Assert.Equal(RunStatus.Cancelled, (await lab.WaitForRunAsync(first.Id)).Status);
    }
}

/// <summary>Worker programs that write garbage: the run fails cleanly, the lab goes on.</summary>
public abstract class BadWorkerLabFactory(string script, IDictionary<string, string?>? settings = null) : LabServerFactory
{
    private readonly string _worker = WriteScript(script);

    private static string WriteScript(string script)
    {
        var path = Path.Combine(Path.GetTempPath(), $"locklab-bad-worker-{Guid.NewGuid():N}.sh");
        File.WriteAllText(path, "#!/bin/sh\n" + script + "\n");
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }

    protected override IDictionary<string, string?> Settings =>
        new Dictionary<string, string?>(settings ?? new Dictionary<string, string?>()) { ["LockLab:WorkerPath"] = _worker };

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing); // the lab and its workers first: then nothing runs the script any more
        File.Delete(_worker);
    }
}

// The scripts end in "exec sleep": the shell becomes the sleep, so the process the lab kills is the one holding the
// worker's pipes. A sleep left as the shell's child would keep them open, and the lab's end of the run would wait for it.
public sealed class GarbageWorkerLabFactory() : BadWorkerLabFactory("read job; echo 'this is not an event'; exec sleep 30");

public sealed class OversizedLineWorkerLabFactory() : BadWorkerLabFactory("read job; head -c 100000 /dev/zero | tr '\\0' 'x'; exec sleep 30");

/// <summary>
/// A worker that reports far more events than its job makes (60 well-formed prints as p1, tickets 1–60) against a limit
/// of 40: a run the validator let through (the lesson's lock run reports 38) is still stopped at the limit.
/// </summary>
public sealed class FloodingWorkerLabFactory() : BadWorkerLabFactory(
    """read job; case "$job" in *'"index":0'*) i=1; while [ $i -le 60 ]; """ +
        """do echo "{\"seq\":$i,\"process\":\"p1\",\"pid\":$$,\"kind\":\"print\",\"value\":$i,\"atMs\":1}"; """ +
        """i=$((i+1)); done;; esac; exec sleep 30""",
    new Dictionary<string, string?> { ["LockLab:Limits:MaxEventsPerRun"] = "40" });

/// <summary>A misbehaving worker fails only its own run, with a reason that says what it did; the lab goes on.</summary>
public abstract class BadWorkerTests(LabServerFactory lab, string expectedReason)
{
    [Fact]
    public async Task The_run_fails_cleanly_with_the_reason_and_the_lab_goes_on()
    {
        var response = await lab.CreatePresenterClient().PostAsync("/api/runs", Json.Body("""{"scenario":"lock","room":"bad-worker"}"""));
        var run = await lab.WaitForRunAsync((await Json.ReadAsync<RunInfo>(response))!.Id);

        Assert.Equal(RunStatus.Failed, run.Status);
        Assert.Contains(expectedReason, run.Error);
        Assert.Equal(HttpStatusCode.OK, (await lab.CreateClient().GetAsync("/healthz")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await lab.CreateClient().GetAsync("/api/scenarios")).StatusCode);
    }
}

/// <summary>A worker that prints something that is not an event.</summary>
public class GarbageWorkerTests(GarbageWorkerLabFactory lab) : BadWorkerTests(lab, "not an event"), IClassFixture<GarbageWorkerLabFactory>;

/// <summary>A worker that writes an endless line: refused at 4 KB, so it cannot fill the server's memory.</summary>
public class OversizedLineWorkerTests(OversizedLineWorkerLabFactory lab)
    : BadWorkerTests(lab, "longer than 4096 bytes"), IClassFixture<OversizedLineWorkerLabFactory>;

/// <summary>A worker that floods the server with events: stopped at the run's event limit.</summary>
public class FloodingWorkerTests(FloodingWorkerLabFactory lab)
    : BadWorkerTests(lab, "more than 40 events"), IClassFixture<FloodingWorkerLabFactory>;
