using LockLab.Contracts;
using LockLab.Server.Hubs;
using LockLab.Server.Rooms;
using Microsoft.AspNetCore.SignalR;

namespace LockLab.Server.Runs;

/// <summary>
/// Pushes each run to its room: <c>RunStarted</c>, then its events in <c>seq</c> order, then <c>RunCompleted</c>.
/// Decoupled from the worker readers: it waits for news on the run's log and sends everything new in one
/// message, so a fast run is batched by itself and a slow send never stalls a worker. Nothing is dropped:
/// each message carries the events after the last one sent.
/// </summary>
public sealed class RunBroadcaster(IHubContext<LabHub, ILabClient> hub, ILogger<RunBroadcaster> logger)
{
    /// <summary>Large enough for a frame of a stress run, small enough for one WebSocket message.</summary>
    public const int MaxBatch = 2000;

    public void Follow(Run run) => _ = Task.Run(() => PumpAsync(run));

    private async Task PumpAsync(Run run)
    {
        var room = hub.Clients.Group(RoomNames.Group(run.Room));
        long sent = 0;
        var announced = false;
        try
        {
            while (true)
            {
                var changed = run.Changed; // take the signal before reading, so no append slips between
                // Read "finished" before the events: the executor appends the last events before it finishes the run,
                // so a run seen finished here has nothing left that the read below could miss.
                var finished = run.IsFinished;
                if (!announced && run.Status != RunStatus.Queued)
                {
                    await room.RunStarted(run.ToInfo());
                    announced = true;
                }
                var batch = run.EventsAfter(sent, MaxBatch);
                if (batch.Length > 0)
                {
                    await room.RunEvents(run.Id, batch);
                    sent = batch[^1].Seq;
                    continue;
                }
                if (finished)
                {
                    await room.RunCompleted(run.ToInfo());
                    return;
                }
                await changed;
            }
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "Broadcasting run {RunId} failed", run.Id);
        }
    }
}
