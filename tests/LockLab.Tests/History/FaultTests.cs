using System.Data.Common;
using System.Diagnostics;
using System.Net;
using LockLab.Contracts;
using LockLab.Server.History;
using LockLab.Tests.Support;
using LockLab.TestServices;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace LockLab.Tests.History;

public sealed class SqliteFaultTests(LabServerFactory lab) : FaultTests(lab), IClassFixture<LabServerFactory>
{
    /// <summary>Another process-like writer holds the database file exclusively.</summary>
    protected override async Task<IAsyncDisposable> LockHistoryAsync(RunHistory history)
    {
        var blocker = new SqliteConnection($"Data Source={history.Location}");
        await blocker.OpenAsync();
        await ExecuteAsync(blocker, "BEGIN EXCLUSIVE");
        return new Release(async () =>
        {
            await ExecuteAsync(blocker, "ROLLBACK");
            await blocker.DisposeAsync();
        });
    }
}

[Collection(PostgresCollection.Name)]
public sealed class PostgresFaultTests : FaultTests, IClassFixture<PostgresLabServerFactory>
{
    private readonly string _database;

    public PostgresFaultTests(PostgresLabServerFactory lab) : base(lab)
    {
        Prerequisites.Require(Prerequisites.PostgreSql); // first: it skips each test here, the inherited ones too
        _database = lab.DatabaseConnectionString;
    }

    /// <summary>Another client holds both tables exclusively: the lab's writes wait for it.</summary>
    protected override async Task<IAsyncDisposable> LockHistoryAsync(RunHistory history)
    {
        var blocker = new NpgsqlConnection(_database);
        await blocker.OpenAsync();
        await ExecuteAsync(blocker, "BEGIN; LOCK TABLE runs, events IN ACCESS EXCLUSIVE MODE");
        return new Release(async () =>
        {
            await ExecuteAsync(blocker, "ROLLBACK");
            await blocker.DisposeAsync();
        });
    }
}

/// <summary>Faults around the run: a locked database, a crowd of clients. The lab keeps streaming and serving.</summary>
public abstract class FaultTests(LabServerFactory lab)
{
    /// <summary>Makes the history unwritable for the lab until the returned handle is disposed.</summary>
    protected abstract Task<IAsyncDisposable> LockHistoryAsync(RunHistory history);

    protected static async Task ExecuteAsync(DbConnection db, string sql)
    {
        await using var command = db.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }

    protected sealed class Release(Func<Task> release) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync() => await release();
    }

    [SkippableFact]
    public async Task A_locked_database_does_not_stop_a_run_streaming_and_the_record_catches_up_afterwards()
    {
        var history = lab.Services.GetRequiredService<RunHistory>();
        var recorder = lab.Services.GetRequiredService<RunRecorder>();
        await using var viewer = lab.CreateHubConnection();
        var room = new RoomRecorder(viewer);
        await viewer.StartAsync();
        lab.OpenRoom("db-locked");
        await viewer.InvokeAsync<RoomState>(nameof(ILabHub.JoinRoom), "db-locked");

        var locked = await LockHistoryAsync(history);

        var run = (await Json.ReadAsync<RunInfo>(await lab.CreatePresenterClient().PostAsync("/api/runs",
            Json.Body("""{"scenario":"lock","room":"db-locked","iterations":3,"delayMs":20}"""))))!;
        var recorded = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        recorder.Recorded += id => { if (id == run.Id) recorded.TrySetResult(); };

        var completed = await room.CompletedAsync(run.Id); // live, while the database is locked
        Assert.Equal(RunStatus.Completed, completed.Status);
        Assert.Equal(completed.EventCount, room.EventsOf(run.Id).Length);
        Assert.Equal(HttpStatusCode.OK, (await lab.CreateClient().GetAsync($"/api/runs/{run.Id}")).StatusCode);
        Assert.False(recorded.Task.IsCompleted, "the record cannot be complete while the database is locked");

        await locked.DisposeAsync();
        await recorded.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(completed.EventCount, (await history.GetEventsAsync(run.Id, 0, int.MaxValue)).Length);
        Assert.Equal(RunStatus.Completed, (await history.GetRunAsync(run.Id))!.Status);
    }

    [SkippableFact]
    public async Task A_hundred_clients_hammering_run_creation_meet_the_limits_and_leave_no_process_behind()
    {
        var withKey = lab.CreatePresenterClient();
        var withoutKey = lab.CreateClient();
        // Step runs: they stand still until stepped, so every accepted run is still running when the burst ends, however
        // slow the machine (the room's limit is on runs at the same time; a live run could end mid-burst and free its slot).
        var body = """{"scenario":"lock","room":"hammer","mode":"step"}""";

        var responses = await Task.WhenAll(Enumerable.Range(0, 100).Select(i =>
            (i % 2 == 0 ? withKey : withoutKey).PostAsync("/api/runs", Json.Body(body))));
        var health = await lab.CreateClient().GetAsync("/healthz"); // still answering

        var anonymous = responses.Where((_, i) => i % 2 == 1).Select(r => r.StatusCode).ToList();
        var presenter = responses.Where((_, i) => i % 2 == 0).Select(r => r.StatusCode).ToList();
        Assert.All(anonymous, s => Assert.Equal(HttpStatusCode.Unauthorized, s));
        Assert.All(presenter, s => Assert.Contains(s, new[]
        {
            HttpStatusCode.Accepted, HttpStatusCode.Conflict, HttpStatusCode.TooManyRequests, HttpStatusCode.ServiceUnavailable
        }));
        var accepted = presenter.Count(s => s == HttpStatusCode.Accepted);
        Assert.InRange(accepted, 1, 3); // MaxActiveRunsPerRoom
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);

        foreach (var response in responses.Where(r => r.StatusCode == HttpStatusCode.Accepted))
        {
            var id = (await Json.ReadAsync<RunInfo>(response))!.Id;
            Assert.Equal(HttpStatusCode.Accepted, (await withKey.PostAsync($"/api/runs/{id}/stop", null)).StatusCode);
            Assert.Equal(RunStatus.Cancelled, (await lab.WaitForRunAsync(id)).Status);
        }
        // Every worker this lab started for a run has exited; what remains of its children are the pool's
        // pre-started, idle ones (a lab running elsewhere on the machine has workers of its own: not counted).
        var pool = lab.Services.GetRequiredService<LockLab.Server.Runs.WorkerPool>();
        Assert.True(await Waiting.UntilAsync(() =>
            Process.GetProcessesByName("LockLab.Worker").Where(p => ParentOf(p.Id) == Environment.ProcessId)
                .Select(p => p.Id).All(pool.IdlePids.Contains),
            TimeSpan.FromSeconds(10)), "a worker process outlived its run");
    }

    /// <summary>The parent pid, from /proc/{pid}/stat (the field after the parenthesised name).</summary>
    private static int ParentOf(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1]);
        }
        catch (IOException)
        {
            return 0; // gone meanwhile
        }
    }
}

/// <summary>
/// A lab whose history database is capped at 1 MB: it fills up as a full disk would (SQLite: a PostgreSQL history
/// is sized by its server).
/// </summary>
public sealed class FullDiskLabFactory : LabServerFactory
{
    protected override IDictionary<string, string?> Settings =>
        new Dictionary<string, string?> { ["LockLab:Limits:MaxHistoryMegabytes"] = "1" };

    /// <summary>A full database takes no write however often it is asked: tried as often, without the long pauses.</summary>
    protected override IReadOnlyList<TimeSpan>? HistoryRetryDelays =>
        [TimeSpan.FromMilliseconds(10), TimeSpan.FromMilliseconds(10), TimeSpan.FromMilliseconds(10)];
}

public class FullDiskTests(FullDiskLabFactory lab) : IClassFixture<FullDiskLabFactory>
{
    [Fact]
    public async Task A_full_history_database_does_not_stop_runs_streaming_or_the_server_serving()
    {
        await using var viewer = lab.CreateHubConnection();
        var room = new RoomRecorder(viewer);
        await viewer.StartAsync();
        lab.OpenRoom("disk-full");
        await viewer.InvokeAsync<RoomState>(nameof(ILabHub.JoinRoom), "disk-full");

        // Each run is ~48,000 events (several MB in the database): the second cannot fit in 1 MB.
        foreach (var _ in Enumerable.Range(0, 2))
        {
            var run = (await Json.ReadAsync<RunInfo>(await lab.CreatePresenterClient().PostAsync("/api/runs",
                Json.Body("""{"scenario":"lock-per-step","room":"disk-full","processes":8,"iterations":1000,"delayMs":0}"""))))!;
            var completed = await room.CompletedAsync(run.Id);
            Assert.Equal(RunStatus.Completed, completed.Status);
            Assert.Equal(completed.EventCount, room.EventsOf(run.Id).Length); // streamed live, every event
        }
        Assert.Equal(HttpStatusCode.OK, (await lab.CreateClient().GetAsync("/healthz")).StatusCode);
        var size = new FileInfo(lab.Services.GetRequiredService<RunHistory>().Location).Length;
        Assert.True(size <= 1024 * 1024 + 4096, $"the database grew to {size} bytes past its cap");
    }
}
