using System.Threading.RateLimiting;
using LockLab.Server.Configuration;
using Microsoft.Extensions.Options;

namespace LockLab.Server.Runs;

/// <summary>
/// Runs one client address may start per minute (<c>LockLab:Limits:RunsPerMinutePerClient</c>), whichever way it asks:
/// the REST endpoints and the hub's <c>StartRun</c> draw on the same allowance (<see cref="RunLauncher"/>), so a page's
/// connection is no way around it.
/// </summary>
public sealed class RunStartLimiter(IOptions<LockLabOptions> options) : IDisposable
{
    private readonly PartitionedRateLimiter<string> _limiter = PartitionedRateLimiter.Create<string, string>(client =>
        RateLimitPartition.GetFixedWindowLimiter(client, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = options.Value.Limits.RunsPerMinutePerClient,
            Window = TimeSpan.FromMinutes(1),
        }));

    public bool TryTake(string client)
    {
        using var lease = _limiter.AttemptAcquire(client);
        return lease.IsAcquired;
    }

    public void Dispose() => _limiter.Dispose();
}
