using LockLab.Contracts;
using LockLab.Server.Configuration;
using LockLab.Server.Runs;
using Microsoft.Extensions.Options;

namespace LockLab.Server.Rooms;

/// <summary>
/// Closes rooms nobody uses: a room other than <c>main</c> in which no page has watched and no run has been on for
/// <c>LockLab:RoomIdleHours</c> (24) is removed, as if its presenter had closed it. Rooms are opened for a lesson and
/// then forgotten; without this they would pile up to the deployment's cap (and, with Redis, outlive restarts).
/// </summary>
/// <remarks>
/// Each instance marks the rooms it sees in use (its viewers, its runs) at every sweep, so with several instances a
/// room watched only elsewhere stays marked by that instance; before removing a room it asks once more, across
/// instances, whether anybody watches it or a run is on. A room thus closes between the idle time and the idle time
/// plus one sweep period after its last use.
/// </remarks>
public sealed class RoomExpiry(
    IRoomDirectory directory,
    RoomConnections connections,
    RunStore store,
    RunLookup runs,
    TimeProvider clock,
    IOptions<LockLabOptions> options,
    ILogger<RoomExpiry> logger) : BackgroundService
{
    /// <summary>How long a room may be idle; null when rooms never close by themselves (<c>RoomIdleHours</c> ≤ 0).</summary>
    public TimeSpan? IdleTime => options.Value.RoomIdleHours > 0 ? TimeSpan.FromHours(options.Value.RoomIdleHours) : null;

    /// <summary>A tenth of the idle time, between 1 s and 1 min: precise enough, and cheap (one Redis read per sweep).</summary>
    public static TimeSpan SweepPeriod(TimeSpan idle) =>
        TimeSpan.FromTicks(Math.Clamp(idle.Ticks / 10, TimeSpan.TicksPerSecond, TimeSpan.TicksPerMinute));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (IdleTime is not { } idle) return;
        using var timer = new PeriodicTimer(SweepPeriod(idle), clock);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await SweepAsync();
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // Redis away for a moment, say: the next sweep tries again; a room closing late harms nobody.
                logger.LogWarning(ex, "Could not look for idle rooms; trying again in {Period}", SweepPeriod(idle));
            }
        }
    }

    /// <summary>Marks the rooms in use here, then closes those idle for longer than <see cref="IdleTime"/>. Returns them.</summary>
    public async Task<IReadOnlyList<string>> SweepAsync()
    {
        if (IdleTime is not { } idle) return [];
        var now = clock.GetUtcNow();
        foreach (var (room, _) in connections.Counts()) directory.MarkActive(room, now);
        foreach (var room in store.ActiveRooms()) directory.MarkActive(room, now);

        var closed = new List<string>();
        foreach (var room in await directory.IdleSinceAsync(now - idle))
        {
            if (room == RoomNames.Main || await InUseAsync(room))
            {
                directory.MarkActive(room, now);
                continue;
            }
            if (!await directory.RemoveAsync(room)) continue;
            closed.Add(room);
            logger.LogInformation("Closed room {Room}: no page watched it and no run was on for {IdleHours} h", room, idle.TotalHours);
        }
        return closed;
    }

    /// <summary>Watched or running on any instance (another may not have marked it yet).</summary>
    private async Task<bool> InUseAsync(string room)
    {
        if (await directory.ViewersAsync(room, connections.Count(room)) > 0) return true;
        var state = await runs.RoomStateAsync(room);
        return state.CurrentRun is { Status: RunStatus.Queued or RunStatus.Running };
    }
}
