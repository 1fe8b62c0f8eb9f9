using System.Text.Json;
using LockLab.Contracts;
using LockLab.Server.Configuration;
using LockLab.Server.Runs;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace LockLab.Server.ScaleOut;

/// <summary>
/// The runs of every instance, in Redis, for as long as pages may ask for them live (a day; after that the
/// history database has them):
/// <list type="bullet">
/// <item><c>run:{id}</c>: the run's <see cref="RunInfo"/> as of its last status change;</item>
/// <item><c>run-events:{id}</c>: its events, one sorted-set member per batch the room was sent, scored by the batch's
/// last seq, so "events after n" is one range query;</item>
/// <item><c>room-runs:{room}</c>: the room's newest runs by creation time;</item>
/// <item><c>unfinished-runs</c>: which instance executes each run not yet finished, so that when an instance dies
/// another can tell its runs were cut off (<see cref="InstanceLiveness"/>).</item>
/// </list>
/// </summary>
/// <remarks>
/// The writes (<see cref="PublishAsync"/>, <see cref="AppendAsync"/>) are the run's broadcast waiting its turn: one that
/// Redis does not take (paused, unreachable) is tried again, with back-off, for up to
/// <see cref="LockLabOptions.RoomMessageRetrySeconds"/>; then it is given up and logged, and the broadcast goes on (a
/// page on another instance may then miss what it would have caught up with). They never throw for Redis's trouble.
/// </remarks>
public sealed class RedisSharedRuns(
    IConnectionMultiplexer redis,
    RedisKeys keys,
    IOptions<LockLabOptions> options,
    ILogger<RedisSharedRuns> logger) : ISharedRuns
{
    private static readonly TimeSpan KeptFor = TimeSpan.FromDays(1);
    private const int RunsPerRoom = 50;
    /// <summary>Batches read per round trip when catching up (a batch holds up to 2,000 events).</summary>
    private const int BatchesPerRead = 16;

    private IDatabase Db => redis.GetDatabase();

    public Task PublishAsync(RunInfo run, string owner) =>
        RedisRetry.WriteAsync(() => WriteRunAsync(run, owner), RetryBound, logger, $"run {run.Id}'s status");

    public Task AppendAsync(string runId, RunEvent[] events) =>
        events.Length == 0
            ? Task.CompletedTask
            : RedisRetry.WriteAsync(() => WriteEventsAsync(runId, events), RetryBound, logger,
                $"run {runId}'s events up to {events[^1].Seq}");

    private TimeSpan RetryBound => TimeSpan.FromSeconds(options.Value.RoomMessageRetrySeconds);

    private async Task WriteRunAsync(RunInfo run, string owner)
    {
        var batch = Db.CreateBatch();
        var writes = new List<Task>
        {
            batch.StringSetAsync(keys.Run(run.Id), JsonSerializer.Serialize(run, ContractsJsonContext.Default.RunInfo), KeptFor),
            batch.SortedSetAddAsync(keys.RoomRuns(run.Room), run.Id, run.CreatedAt.ToUnixTimeMilliseconds()),
            batch.SortedSetRemoveRangeByRankAsync(keys.RoomRuns(run.Room), 0, -RunsPerRoom - 1),
            batch.KeyExpireAsync(keys.RoomRuns(run.Room), KeptFor),
            run.IsFinished ? batch.HashDeleteAsync(keys.UnfinishedRuns, run.Id) : batch.HashSetAsync(keys.UnfinishedRuns, run.Id, owner),
        };
        // Its end gives the run's slot in the room back (RedisRoomRunSlots): the next run may start at once.
        if (run.IsFinished) writes.Add(batch.SortedSetRemoveAsync(keys.RoomRunSlots(run.Room), run.Id));
        batch.Execute();
        await Task.WhenAll(writes);
    }

    private async Task WriteEventsAsync(string runId, RunEvent[] events)
    {
        var batch = Db.CreateBatch();
        var add = batch.SortedSetAddAsync(keys.RunEvents(runId),
            JsonSerializer.Serialize(events, ContractsJsonContext.Default.RunEventArray), events[^1].Seq);
        var expire = batch.KeyExpireAsync(keys.RunEvents(runId), KeptFor);
        batch.Execute();
        await Task.WhenAll(add, expire);
    }

    public async Task<RunInfo?> FindAsync(string runId) =>
        await Db.StringGetAsync(keys.Run(runId)) is { IsNull: false } json
            ? JsonSerializer.Deserialize((string)json!, ContractsJsonContext.Default.RunInfo)
            : null;

    public async Task<RunEvent[]?> EventsAfterAsync(string runId, long after, int max)
    {
        var db = Db;
        var events = new List<RunEvent>();
        for (var skip = 0L; events.Count < max; skip += BatchesPerRead)
        {
            // Batches whose last seq is after `after` hold every event after it (the first may also hold older ones).
            var batches = await db.SortedSetRangeByScoreAsync(
                keys.RunEvents(runId), after, double.PositiveInfinity, Exclude.Start, Order.Ascending,
                skip, BatchesPerRead);
            foreach (var batch in batches)
            {
                foreach (var e in JsonSerializer.Deserialize((string)batch!, ContractsJsonContext.Default.RunEventArray)!)
                {
                    if (e.Seq > after && events.Count < max) events.Add(e);
                }
            }
            if (batches.Length < BatchesPerRead) break;
        }
        if (events.Count > 0) return events.ToArray();
        // No events: a run shared without any yet has none; a run never shared (or long expired) is not held here.
        return await db.KeyExistsAsync(keys.Run(runId)) ? [] : null;
    }

    public async Task<IReadOnlyList<RunInfo>> InRoomAsync(string room, int max)
    {
        var db = Db;
        var ids = await db.SortedSetRangeByRankAsync(keys.RoomRuns(room), 0, max - 1, Order.Descending);
        if (ids.Length == 0) return [];
        return (await db.StringGetAsync(ids.Select(id => keys.Run((string)id!)).ToArray()))
            .Where(json => !json.IsNull)
            .Select(json => JsonSerializer.Deserialize((string)json!, ContractsJsonContext.Default.RunInfo)!)
            .ToList();
    }

    /// <summary>Runs not finished, with the instance executing each.</summary>
    public async Task<IReadOnlyList<(string RunId, string Owner)>> UnfinishedAsync() =>
        (await Db.HashGetAllAsync(keys.UnfinishedRuns)).Select(e => ((string)e.Name!, (string)e.Value!)).ToList();

    /// <summary>Takes the run off the unfinished list; true for exactly one caller, who then settles its fate.</summary>
    public Task<bool> TryClaimUnfinishedAsync(string runId) => Db.HashDeleteAsync(keys.UnfinishedRuns, runId);

    /// <summary>The seq of the last event shared for the run (0: none).</summary>
    public async Task<long> LastSeqAsync(string runId) =>
        await Db.SortedSetRangeByRankWithScoresAsync(keys.RunEvents(runId), -1, -1) is [var last] ? (long)last.Score : 0;
}
