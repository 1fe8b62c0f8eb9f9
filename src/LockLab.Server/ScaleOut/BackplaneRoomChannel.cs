using LockLab.Server.Hubs;
using LockLab.Server.Rooms;
using Microsoft.AspNetCore.SignalR;

namespace LockLab.Server.ScaleOut;

/// <summary>
/// Several instances: a room's messages go to its SignalR group, which the Redis backplane publishes to every
/// instance with pages in that room; each writes to its own. The send is handed to Redis in call order (one
/// connection, pipelined), so a room's messages keep their order without the sender waiting for them.
/// </summary>
public sealed class BackplaneRoomChannel(HubLifetimeManager<LabHub> hubs, ILogger<BackplaneRoomChannel> logger) : IRoomChannel
{
    public void Send(string room, string method, params object?[] args)
    {
        var sending = hubs.SendGroupAsync(RoomNames.Group(room), method, args);
        if (!sending.IsCompletedSuccessfully) _ = ObserveAsync(sending, room, method);
    }

    /// <summary>
    /// Through the backplane every page of the room gets what takes every event: a page that shows only a big run's
    /// latest lines skims the batches it does not draw (the thinned feed is a single server's, <see cref="LocalRoomChannel"/>).
    /// </summary>
    public bool ThinsBigRuns => false;

    public void SendBigRun(string room, string method, object?[]? toEveryEvent, object?[]? toLatestOnly)
    {
        if (toEveryEvent is not null) Send(room, method, toEveryEvent);
    }

    private async Task ObserveAsync(Task sending, string room, string method)
    {
        try
        {
            await sending;
        }
        catch (Exception ex)
        {
            // Pages that missed it catch up by sequence number once the backplane is back.
            logger.LogWarning(ex, "Could not publish {Method} to room {Room} on the backplane", method, room);
        }
    }
}
