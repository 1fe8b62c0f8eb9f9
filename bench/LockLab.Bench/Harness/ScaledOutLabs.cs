using LockLab.TestServices;

namespace LockLab.Bench.Harness;

/// <summary>
/// Two labs of one deployment, as a school scales out: <see cref="A"/> and <see cref="B"/> are real server processes
/// sharing a real Redis server (rooms' messages, rooms, runs that pages catch up with), each with its own
/// SQLite history. The deployment gets a Redis key prefix of its own, so several may share one Redis server.
/// </summary>
public sealed class ScaledOutLabs : IAsyncDisposable
{
    private ScaledOutLabs(LabServer a, LabServer b)
    {
        A = a;
        B = b;
    }

    public LabServer A { get; }
    public LabServer B { get; }

    /// <summary>
    /// Log lines in which either lab reported a StackExchange.Redis command that timed out: a lab whose Redis calls
    /// queue up is measuring its own congestion, not the hop through Redis, and the report says so.
    /// </summary>
    public IReadOnlyList<string> RedisTimeouts =>
        new[] { A, B }.SelectMany(lab => lab.Output.Split('\n'))
            .Where(line => line.Contains("Timeout performing", StringComparison.Ordinal)).ToList();

    public static async Task<ScaledOutLabs> StartAsync(BenchContext context, RedisServer redis)
    {
        var settings = new Dictionary<string, string>
        {
            ["LockLab__Redis"] = redis.Configuration,
            ["LockLab__RedisChannelPrefix"] = "bench-" + Guid.NewGuid().ToString("N")[..8],
            // Both labs are given the same presenter key (LabServer.Key), so a run may be started on either.
        };
        // One after the other: the first start may publish the lab, which the second must not do at the same time.
        var a = await context.StartServerAsync(settings);
        try
        {
            return new ScaledOutLabs(a, await context.StartServerAsync(settings));
        }
        catch
        {
            await a.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await A.DisposeAsync();
        await B.DisposeAsync();
    }
}
