using System.Data.Common;
using LockLab.Contracts;
using LockLab.Server.Configuration;
using LockLab.Server.History;
using LockLab.Server.Runs;
using LockLab.Tests.Support;
using LockLab.TestServices;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Npgsql;

namespace LockLab.Tests.History;

/// <summary>
/// The history's data layer on its own, without a server: migrations, ownership, idempotent writes, retention. The
/// same assertions for each database; each test takes a fresh, empty store.
/// </summary>
public abstract class RunHistoryStoreTests : IDisposable
{
    private readonly List<IDisposable> _opened = [];

    /// <summary>Settings that point a history at a new, empty store.</summary>
    protected abstract Task<LockLabOptions> FreshStoreAsync();

    /// <summary>A connection to the store behind the history's back, to look at (or prepare) what is stored.</summary>
    protected abstract DbConnection Connect(LockLabOptions store);

    /// <summary>Opens a history as a server instance would at start-up (migrations included).</summary>
    protected RunHistory Open(LockLabOptions store, LabInstance? instance = null)
    {
        var history = new RunHistory(Options.Create(store), new TestEnvironment(), instance ?? new LabInstance());
        lock (_opened) _opened.Add(history);
        return history;
    }

    public void Dispose()
    {
        foreach (var history in _opened) history.Dispose();
        DeleteStores();
        GC.SuppressFinalize(this);
    }

    /// <summary>After every history on them is closed.</summary>
    protected virtual void DeleteStores()
    {
    }

    protected static RunInfo Run(string id, RunStatus status, DateTimeOffset? createdAt = null) =>
        new(id, Scenarios.Lock, "store", status, new RunParameters(2, 5, [1, 3], 100, 0, LockScope.WholeLoop, StartMode.Lesson),
            createdAt ?? DateTimeOffset.UtcNow, null, null, 0, null, null, new RunLinks($"/api/runs/{id}", $"/api/runs/{id}/events"));

    protected static RunEvent[] Events(int count, long valueOffset = 0) =>
        Enumerable.Range(1, count)
            .Select(i => new RunEvent(i, i % 2 == 0 ? "p2" : "p1", 40_000 + i % 2, (EventKind)(i % 7),
                3_000_000_000L + i + valueOffset, i * 0.125 + 0.001,
                // Writes carry their ids, reads the id they saw: both must come back as they went in, and NULL as null.
                WriteId: (EventKind)(i % 7) == EventKind.Write ? 0x01000000 + i : null,
                ReadFrom: (EventKind)(i % 7) is EventKind.Read or EventKind.Write ? 0x02000000 + i : null,
                Replaced: (EventKind)(i % 7) == EventKind.Write ? i - 1 : null))
            .ToArray();

    protected IReadOnlyList<long> AppliedMigrations(LockLabOptions store)
    {
        using var db = Connect(store);
        using var select = db.CreateCommand();
        select.CommandText = "SELECT version FROM schema_migrations ORDER BY version";
        using var reader = select.ExecuteReader();
        var versions = new List<long>();
        while (reader.Read()) versions.Add(Convert.ToInt64(reader.GetValue(0), System.Globalization.CultureInfo.InvariantCulture));
        return versions;
    }

    [SkippableFact]
    public async Task Migrations_run_once_and_a_restart_keeps_the_data_and_applies_nothing()
    {
        var store = await FreshStoreAsync();
        using (var first = Open(store))
        {
            Assert.Null(first.StartupError);
            first.SaveRun(Run("kept", RunStatus.Completed));
            first.AppendEvents("kept", Events(3));
        }

        var restarted = Open(store);
        using var dialect = HistoryDialect.For(store, new TestEnvironment());

        Assert.Null(restarted.StartupError);
        Assert.Empty(HistoryMigrations.Apply(dialect)); // a third start: nothing left to do
        Assert.Equal(Enumerable.Range(1, HistoryMigrations.Latest).Select(v => (long)v), AppliedMigrations(store));
        Assert.Equal(RunStatus.Completed, (await restarted.GetRunAsync("kept"))!.Status);
        Assert.Equal(3, (await restarted.GetEventsAsync("kept", 0, 100)).Length);
    }

    [SkippableFact]
    public async Task Several_instances_starting_at_once_on_a_new_database_all_migrate_it_without_failing()
    {
        var store = await FreshStoreAsync();
        const int instances = 4;
        using var together = new Barrier(instances);

        // Dedicated threads, released together: each opens the history as a starting server would.
        var starts = Enumerable.Range(0, instances).Select(_ => Task.Factory.StartNew(() =>
        {
            together.SignalAndWait(TimeSpan.FromSeconds(30));
            return Open(store);
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default)).ToArray();
        var histories = await Task.WhenAll(starts).WaitAsync(TimeSpan.FromSeconds(60));

        Assert.All(histories, h => Assert.Null(h.StartupError));
        Assert.Equal(Enumerable.Range(1, HistoryMigrations.Latest).Select(v => (long)v), AppliedMigrations(store));
        histories[0].SaveRun(Run("after-the-race", RunStatus.Completed));
        Assert.NotNull(await histories[^1].GetRunAsync("after-the-race"));
    }

    [SkippableFact]
    public async Task Mark_interrupted_marks_only_the_unfinished_runs_of_owners_that_are_gone()
    {
        var store = await FreshStoreAsync();
        var (alive, dead) = (new LabInstance(), new LabInstance());
        var survivor = Open(store, alive);
        var departed = Open(store, dead);
        departed.SaveRun(Run("dead-running", RunStatus.Running));
        departed.AppendEvents("dead-running", Events(3));
        departed.SaveRun(Run("dead-queued", RunStatus.Queued));
        departed.SaveRun(Run("dead-finished", RunStatus.Completed));
        survivor.SaveRun(Run("alive-running", RunStatus.Running));
        survivor.SaveRun(Run("dead-queued", RunStatus.Running)); // an update by another instance: the owner stays

        var unfinished = survivor.UnfinishedRuns();
        var marked = survivor.MarkInterrupted(owner => owner == dead.Id);
        var markedAgain = survivor.MarkInterrupted(owner => owner == dead.Id);

        Assert.Equal(
            new[] { ("alive-running", alive.Id), ("dead-queued", dead.Id), ("dead-running", dead.Id) },
            unfinished.Select(r => (r.RunId, r.Instance)).Order());
        Assert.Equal(["dead-queued", "dead-running"], marked.Select(r => r.Id).Order());
        Assert.All(marked, r => Assert.Equal(RunStatus.Interrupted, r.Status));
        Assert.Equal(3, marked.Single(r => r.Id == "dead-running").EventCount);
        Assert.Contains("server stopped", (await survivor.GetRunAsync("dead-running"))!.Error);
        Assert.Equal(RunStatus.Interrupted, (await survivor.GetRunAsync("dead-queued"))!.Status);
        Assert.Equal(RunStatus.Running, (await survivor.GetRunAsync("alive-running"))!.Status);
        Assert.Equal(RunStatus.Completed, (await survivor.GetRunAsync("dead-finished"))!.Status);
        Assert.Empty(markedAgain);
        Assert.Equal(new[] { ("alive-running", alive.Id) }, survivor.UnfinishedRuns().Select(r => (r.RunId, r.Instance)));
    }

    [SkippableFact]
    public async Task Appending_the_same_batch_twice_stores_it_once_exactly_as_sent()
    {
        var store = await FreshStoreAsync();
        var history = Open(store);
        history.SaveRun(Run("twice", RunStatus.Running));
        var events = Events(RunHistory.EventsPerBatch * 2 + 500); // several round trips' worth

        history.AppendEvents("twice", events);
        history.AppendEvents("twice", events);
        history.AppendEvents("twice", Events(10, valueOffset: 1000)); // seqs already stored: ignored, not overwritten

        var stored = await history.GetEventsAsync("twice", 0, int.MaxValue);
        Assert.Equal(events, stored);
        Assert.Equal(events[^100..], await history.GetEventsAsync("twice", events[^101].Seq, 100));
    }

    [SkippableFact]
    public async Task Retention_removes_the_oldest_finished_runs_but_never_unfinished_or_kept_ones()
    {
        var store = await FreshStoreAsync();
        store.Limits.MaxStoredRuns = 2;
        var history = Open(store);
        var start = DateTimeOffset.UtcNow.AddHours(-1);
        history.SaveRun(Run("unfinished", RunStatus.Running, start));
        foreach (var i in Enumerable.Range(1, 4))
        {
            history.SaveRun(Run($"finished-{i}", RunStatus.Completed, start.AddMinutes(i)));
            history.AppendEvents($"finished-{i}", Events(5));
        }

        var removed = history.Prune(new HashSet<string> { "finished-1" }, DateTimeOffset.UtcNow);

        Assert.Equal(1, removed);
        Assert.Null(await history.GetRunAsync("finished-2"));
        Assert.Empty(await history.GetEventsAsync("finished-2", 0, 100));
        Assert.Equal(["finished-1", "finished-3", "finished-4", "unfinished"],
            (await history.ListAsync(new HistoryQuery())).Select(r => r.Id).Order());
        Assert.Equal(["finished-4", "finished-3"],
            (await history.ListAsync(new HistoryQuery(Status: RunStatus.Completed, Limit: 2))).Select(r => r.Id));
    }

    [SkippableFact]
    public async Task Readiness_says_where_the_history_is_and_how_many_runs_it_holds()
    {
        var store = await FreshStoreAsync();
        var history = Open(store);
        history.SaveRun(Run("counted", RunStatus.Completed));

        var result = await new HistoryHealthCheck(history).CheckHealthAsync(new HealthCheckContext());

        Assert.Equal(HealthStatus.Healthy, result.Status);
        Assert.Contains(history.Location, result.Description);
        Assert.Contains("1 run(s) stored", result.Description);
    }

    private sealed class TestEnvironment : IHostEnvironment
    {
        public string EnvironmentName { get; set; } = "Test";
        public string ApplicationName { get; set; } = "LockLab.Tests";
        public string ContentRootPath { get; set; } = AppContext.BaseDirectory;
        public IFileProvider ContentRootFileProvider { get; set; } = new NullFileProvider();
    }
}

public sealed class SqliteRunHistoryStoreTests : RunHistoryStoreTests
{
    private readonly List<string> _folders = [];

    protected override Task<LockLabOptions> FreshStoreAsync()
    {
        var folder = Directory.CreateTempSubdirectory("locklab-store-").FullName;
        _folders.Add(folder);
        return Task.FromResult(new LockLabOptions { DataPath = folder });
    }

    protected override DbConnection Connect(LockLabOptions store)
    {
        var db = new SqliteConnection($"Data Source={Path.Combine(store.DataPath, SqliteHistoryDialect.FileName)};Pooling=false");
        db.Open();
        return db;
    }

    [Fact]
    public async Task A_database_from_before_migrations_is_adopted_with_its_runs_and_events()
    {
        var store = await FreshStoreAsync();
        using (var old = (SqliteConnection)Connect(store))
        {
            // Exactly what the first release created, and a run it was recording when it stopped.
            using var create = old.CreateCommand();
            create.CommandText = """
                PRAGMA journal_mode = WAL;
                CREATE TABLE runs (id TEXT PRIMARY KEY, room TEXT NOT NULL, scenario TEXT NOT NULL, status TEXT NOT NULL, created_at TEXT NOT NULL, info TEXT NOT NULL);
                CREATE INDEX runs_by_time ON runs (created_at DESC);
                CREATE TABLE events (run_id TEXT NOT NULL, seq INTEGER NOT NULL, process TEXT NOT NULL, pid INTEGER NOT NULL, kind TEXT NOT NULL,
                    value INTEGER NOT NULL, at_ms REAL NOT NULL, PRIMARY KEY (run_id, seq)) WITHOUT ROWID;
                INSERT INTO runs VALUES ('old', 'main', 'lock', 'running', '2026-01-01T00:00:00.0000000Z', $info);
                INSERT INTO events VALUES ('old', 1, 'p1', 41, 'print', 1, 12.5), ('old', 2, 'p2', 42, 'print', 4, 13.25);
                """;
            create.Parameters.AddWithValue("$info", System.Text.Json.JsonSerializer.Serialize(
                Run("old", RunStatus.Running, new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero)),
                ContractsJsonContext.Default.RunInfo));
            create.ExecuteNonQuery();
        }

        var history = Open(store);

        Assert.Null(history.StartupError);
        Assert.Equal(Enumerable.Range(1, HistoryMigrations.Latest).Select(v => (long)v), AppliedMigrations(store));
        Assert.Equal(new[] { ("old", "") },
            history.UnfinishedRuns().Select(r => (r.RunId, r.Instance))); // stored before owners were recorded
        Assert.Equal(
            [new RunEvent(1, "p1", 41, EventKind.Print, 1, 12.5), new RunEvent(2, "p2", 42, EventKind.Print, 4, 13.25)],
            await history.GetEventsAsync("old", 0, 10));
        var interrupted = Assert.Single(history.MarkInterrupted(owner => owner == ""));
        Assert.Equal(("old", 2L), (interrupted.Id, interrupted.EventCount));
    }

    protected override void DeleteStores()
    {
        foreach (var folder in _folders) Directory.Delete(folder, recursive: true);
    }
}

[Collection(PostgresCollection.Name)]
public sealed class PostgresRunHistoryStoreTests : RunHistoryStoreTests
{
    /// <summary>Trust authentication ignores it: it is there to prove that it is never shown.</summary>
    private const string Password = "never-shown-3f9a";

    private readonly PostgresFixture _postgres;

    public PostgresRunHistoryStoreTests(PostgresFixture postgres)
    {
        Prerequisites.Require(Prerequisites.PostgreSql); // first: it skips each test here, the inherited ones too
        _postgres = postgres;
    }

    protected override async Task<LockLabOptions> FreshStoreAsync()
    {
        var database = await _postgres.NewDatabaseAsync("store");
        return new LockLabOptions { Database = new NpgsqlConnectionStringBuilder(database) { Password = Password }.ToString() };
    }

    protected override DbConnection Connect(LockLabOptions store)
    {
        var db = new NpgsqlConnection(store.Database);
        db.Open();
        return db;
    }

    [SkippableFact]
    public async Task The_location_names_the_server_and_database_but_never_the_password()
    {
        var store = await FreshStoreAsync();
        var history = Open(store);
        var settings = new NpgsqlConnectionStringBuilder(store.Database);

        Assert.Equal($"postgresql://127.0.0.1:{settings.Port}/{settings.Database}", history.Location);
        Assert.DoesNotContain(Password, history.Location);
    }

    [SkippableFact]
    public async Task A_database_that_cannot_be_reached_leaves_the_lab_running_but_not_ready_and_the_password_unsaid()
    {
        var unreachable = new LockLabOptions
        {
            Database = $"Host=127.0.0.1;Port={FreePort.Next()};Database=nowhere;Username=lab;Password={Password};Timeout=3",
        };

        var history = Open(unreachable);
        var result = await new HistoryHealthCheck(history).CheckHealthAsync(new HealthCheckContext());

        Assert.IsAssignableFrom<DbException>(history.StartupError);
        Assert.Equal(HealthStatus.Unhealthy, result.Status);
        Assert.Contains("could not be opened", result.Description);
        Assert.Contains("/nowhere", result.Description);
        Assert.DoesNotContain(Password, result.Description);
    }
}
