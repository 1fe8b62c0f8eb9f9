using System.Collections.Concurrent;

namespace LockLab.Server.Security;

/// <summary>
/// Slows down guessing the presenter key: after <see cref="MaxFailures"/> wrong keys from one address within
/// <see cref="Window"/>, every key attempt from it is refused (429) until the window has passed. Right keys never count.
/// </summary>
public sealed class KeyAttemptLimiter(TimeProvider clock)
{
    public const int MaxFailures = 10;
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    private readonly ConcurrentDictionary<string, (DateTimeOffset Since, int Failures)> _failures = new();

    public bool IsLockedOut(string address) =>
        _failures.TryGetValue(address, out var f) && clock.GetUtcNow() - f.Since < Window && f.Failures >= MaxFailures;

    public void RecordFailure(string address)
    {
        var now = clock.GetUtcNow();
        _failures.AddOrUpdate(address, _ => (now, 1), (_, f) => now - f.Since >= Window ? (now, 1) : (f.Since, f.Failures + 1));
        if (_failures.Count > 10_000) // many addresses: forget the stale ones rather than grow without bound
        {
            foreach (var (key, f) in _failures) if (now - f.Since >= Window) _failures.TryRemove(key, out _);
        }
    }
}
