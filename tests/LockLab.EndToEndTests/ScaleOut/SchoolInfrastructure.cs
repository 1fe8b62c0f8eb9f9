using System.Net.Http.Json;
using LockLab.Contracts;
using LockLab.TestServices;

namespace LockLab.EndToEndTests.ScaleOut;

/// <summary>
/// A school's shared infrastructure for the class: one real Redis server and one real PostgreSQL server. Each test
/// deploys its own instances, under a Redis key prefix and in a database of their own. Without either program it
/// starts nothing: each test calls <c>Prerequisites.Require(SchoolInfrastructure.Programs)</c> first and is skipped.
/// </summary>
public sealed class SchoolInfrastructure : IAsyncLifetime
{
    /// <summary>What the school runs on: a test using this fixture requires these first.</summary>
    public static Prerequisite[] Programs { get; } = [Prerequisites.Redis, Prerequisites.PostgreSql];

    private RedisServer? _redis;
    private PostgresServer? _postgres;

    public RedisServer Redis => _redis ?? throw NotStarted();
    public PostgresServer Postgres => _postgres ?? throw NotStarted();

    public async Task InitializeAsync()
    {
        if (!Programs.All(p => p.IsInstalled)) return;
        var redis = RedisServer.StartAsync();
        var postgres = PostgresServer.StartAsync();
        try
        {
            await Task.WhenAll(redis, postgres);
        }
        catch
        {
            // One failed (and cleaned up after itself); the other may have started, and must not outlive the failure.
            // WhenAll has waited for both to finish.
            if (redis.IsCompletedSuccessfully) await redis.Result.DisposeAsync();
            if (postgres.IsCompletedSuccessfully) await postgres.Result.DisposeAsync();
            throw;
        }
        (_redis, _postgres) = (redis.Result, postgres.Result);
    }

    public async Task DisposeAsync()
    {
        if (_redis is not null) await _redis.DisposeAsync();
        if (_postgres is not null) await _postgres.DisposeAsync();
    }

    private static InvalidOperationException NotStarted() =>
        new($"The school's servers did not start: call Prerequisites.Require(SchoolInfrastructure.Programs) first in " +
            $"the test ({string.Join(", ", Programs.AsEnumerable())}).");
}

/// <summary>
/// Two instances of one deployment on the school's Redis and a PostgreSQL database of their own; disposing stops
/// both (a test may already have stopped one).
/// </summary>
/// <param name="Settings">What both were started with: the Redis key prefix, the history's connection string, ….</param>
public sealed record TwoInstances(LabProcess A, LabProcess B, IReadOnlyDictionary<string, string> Settings) : IAsyncDisposable
{
    /// <summary>The deployment's own PostgreSQL database (<c>LockLab:Database</c>).</summary>
    public string Database => Settings["LockLab__Database"];

    /// <summary>
    /// The Redis key that says <paramref name="instance"/> is alive (<c>RedisKeys.Heartbeat</c>: the prefix, then the
    /// instance id, which is the host, the process id and a random suffix).
    /// </summary>
    public async Task<string?> HeartbeatKeyAsync(RedisServer redis, LabProcess instance)
    {
        var keys = await redis.CommandAsync("KEYS", $"{Settings["LockLab__RedisChannelPrefix"]}:instance:*-{instance.Pid}-*");
        return keys.Split('\n', StringSplitOptions.RemoveEmptyEntries).SingleOrDefault();
    }

    public void Deconstruct(out LabProcess a, out LabProcess b) => (a, b) = (A, B);

    public static async Task<TwoInstances> DeployAsync(SchoolInfrastructure school, Dictionary<string, string>? extra = null)
    {
        var settings = new Dictionary<string, string>
        {
            ["LockLab__Redis"] = school.Redis.Configuration,
            ["LockLab__RedisChannelPrefix"] = "test-" + Guid.NewGuid().ToString("N")[..8],
            ["LockLab__Database"] = await school.Postgres.CreateDatabaseAsync("school_" + Guid.NewGuid().ToString("N")),
        };
        foreach (var (k, v) in extra ?? []) settings[k] = v;
        var starting = new[] { ServerProcess.StartAsync(settings: settings), ServerProcess.StartAsync(settings: settings) };
        try
        {
            var servers = await Task.WhenAll(starting);
            return new TwoInstances(servers[0], servers[1], settings);
        }
        catch
        {
            foreach (var started in starting.Where(t => t.IsCompletedSuccessfully)) await started.Result.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await A.DisposeAsync();
        await B.DisposeAsync();
    }
}

/// <summary>Runs started on one lab of a deployment, as a presenter starts them over HTTP.</summary>
public static class LabRunStarts
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    public static async Task<RunInfo> StartRunAsync(this LabProcess server, object request)
    {
        using var client = server.CreateClient(presenter: true);
        var response = await client.PostAsJsonAsync("/api/runs", request);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync(ContractsJsonContext.Default.RunInfo))!;
    }

    /// <summary>
    /// Waits until the room counts <paramref name="count"/> viewers, as <c>GET /api/rooms/{room}</c> tells (every
    /// instance's pages). A page that never reads its join's answer is counted once the server has taken it.
    /// </summary>
    public static Task WaitForViewersAsync(this LabProcess server, string room, int count) =>
        Waiting.UntilAsync(async () =>
        {
            using var http = server.CreateClient();
            var state = await http.GetFromJsonAsync($"/api/rooms/{room}", ContractsJsonContext.Default.RoomState);
            return state!.Viewers == count ? state : null;
        }, Patience, $"room {room} to have {count} viewer(s)");

    /// <summary>Starts a ten-second run (long enough to be stopped or cut off midway) and waits until the viewer sees it stream.</summary>
    public static async Task<RunInfo> StartStreamingRunAsync(this LabProcess server, string room, RoomRecorder viewer, int eventsSeen)
    {
        var run = await server.StartRunAsync(new { scenario = "lock", room, iterations = 100, delayMs = 100 });
        Assert.True(await Waiting.UntilAsync(() => viewer.EventsOf(run.Id).Length >= eventsSeen, Patience), "the run did not stream");
        return run;
    }
}
