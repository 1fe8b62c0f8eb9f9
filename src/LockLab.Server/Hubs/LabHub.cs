using LockLab.Contracts;
using LockLab.Server.Rooms;
using LockLab.Server.Runs;
using LockLab.Server.Security;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;

namespace LockLab.Server.Hubs;

/// <summary>
/// <c>/hubs/lab</c>. Thin on purpose: a run outlives any connection, so it lives in <see cref="RunOrchestrator"/>
/// and reaches rooms through <see cref="RunBroadcaster"/>. Anyone may watch; starting a run needs the presenter key
/// (sent as the connection's access token).
/// </summary>
public sealed class LabHub(RunStore store, RunOrchestrator orchestrator, RunRequestValidator validator, ScenarioCatalog scenarios) : Hub<ILabClient>
{
    public const string Path = "/hubs/lab";
    private const string RoomKey = "room";

    /// <summary>Joins a room (leaving the previous one) and returns what it shows now.</summary>
    public async Task<RoomState> JoinRoom(string room)
    {
        if (!RoomNames.IsValid(room)) throw new HubException($"Invalid room '{room}'. {RoomNames.Rule}");
        if (Context.Items.TryGetValue(RoomKey, out var previous) && previous is string old && old != room)
        {
            await Groups.RemoveFromGroupAsync(Context.ConnectionId, RoomNames.Group(old));
        }
        await Groups.AddToGroupAsync(Context.ConnectionId, RoomNames.Group(room));
        Context.Items[RoomKey] = room;
        return store.RoomState(room);
    }

    /// <summary>The scenarios with their defaults and limits (as <c>GET /api/scenarios</c>).</summary>
    public ScenarioInfo[] GetScenarios() => [.. scenarios.All];

    /// <summary>Starts a run; without a room it goes to the caller's room (or <c>main</c>).</summary>
    [Authorize(Policy = PresenterKeyAuthenticationHandler.Policy)]
    public RunInfo StartRun(RunRequest request)
    {
        if (request is null) throw new HubException("A run request is required.");
        var room = Context.Items.TryGetValue(RoomKey, out var joined) && joined is string r ? r : RoomNames.Main;
        if (!validator.TryValidate(request, room, out var valid, out var errors))
        {
            throw new HubException("Invalid run request: " + string.Join(" ", errors.Select(e => $"{e.Key}: {string.Join(" ", e.Value)}")));
        }
        var run = orchestrator.Enqueue(valid!) ?? throw new HubException("Too many runs are queued; try again in a moment.");
        return run.ToInfo();
    }

    /// <summary>Step mode: lets <paramref name="process"/> take its next step in the run.</summary>
    [Authorize(Policy = PresenterKeyAuthenticationHandler.Policy)]
    public void StepRun(string runId, string process)
    {
        var run = store.Find(runId ?? "") ?? throw new HubException($"No run '{runId}'.");
        var refusal = run.TryStep(process ?? "");
        if (refusal is not null) throw new HubException(refusal);
    }

    /// <summary>Stops a queued or running run.</summary>
    [Authorize(Policy = PresenterKeyAuthenticationHandler.Policy)]
    public void StopRun(string runId)
    {
        var run = store.Find(runId ?? "") ?? throw new HubException($"No run '{runId}'.");
        run.Stop("Stopped by the presenter.", DateTimeOffset.UtcNow);
    }

    /// <summary>A run's events after <paramref name="after"/>: how a client that joined late or reconnected catches up.</summary>
    public RunEvent[] GetEvents(string runId, long after)
    {
        if (after < 0) throw new HubException("'after' must be 0 or more.");
        var run = store.Find(runId ?? "") ?? throw new HubException($"No run '{runId}'.");
        return run.EventsAfter(after, RunBroadcaster.MaxBatch * 10);
    }
}
