using StackExchange.Redis;

namespace LockLab.Server.ScaleOut;

/// <summary>
/// A Redis write that a short outage must not lose (a room's message, a run's shared state): tried again, with back-off
/// (0.1 s, doubling to 2 s), until it succeeds or <see cref="Configuration.LockLabOptions.RoomMessageRetrySeconds"/> have
/// passed since it first failed. The caller waits for it, so what it sends after comes after. Logs the first failure,
/// the recovery and a give-up.
/// </summary>
internal static class RedisRetry
{
    /// <param name="what">What is written, for the log ("RunEvents for room K7QX").</param>
    /// <param name="stopping">Cancelled: the write is tried no more after its next failure.</param>
    /// <returns>True when written; false when given up.</returns>
    public static async Task<bool> WriteAsync(
        Func<Task> write, TimeSpan bound, ILogger logger, string what, CancellationToken stopping = default)
    {
        DateTime? firstFailure = null;
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                await write();
                if (firstFailure is not null)
                    logger.LogInformation("Redis took {What} after {Seconds:0.0} s",
                        what, (DateTime.UtcNow - firstFailure.Value).TotalSeconds);
                return true;
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException or ObjectDisposedException)
            {
                firstFailure ??= DateTime.UtcNow;
                if (DateTime.UtcNow - firstFailure.Value > bound || stopping.IsCancellationRequested)
                {
                    logger.LogError(ex, "Could not write {What} to Redis for {Seconds} s; given up", what, bound.TotalSeconds);
                    return false;
                }
                if (attempt == 0) logger.LogWarning(ex, "Redis did not take {What}; trying again", what);
                try
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(2_000, 100 << Math.Min(attempt, 5))), stopping);
                }
                catch (OperationCanceledException)
                {
                }
            }
        }
    }
}
