using System.Text.Json;
using LockLab.Contracts;
using LockLab.Server.Configuration;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace LockLab.Server.History;

/// <summary>A filter for the history list.</summary>
public sealed record HistoryQuery(string? Room = null, string? Scenario = null, RunStatus? Status = null, int Limit = 100);

/// <summary>
/// Every run and every event, in an embedded SQLite database (<c>{DataPath}/locklab.db</c>, WAL mode): the class's
/// runs survive a restart. Events are written in batches, one transaction each, by <see cref="RunRecorder"/>.
/// </summary>
public sealed class RunHistory
{
    private readonly string _connectionString;
    private readonly LockLabOptions _options;

    public RunHistory(IOptions<LockLabOptions> options, IHostEnvironment environment)
    {
        _options = options.Value;
        var folder = Path.GetFullPath(_options.DataPath, environment.ContentRootPath);
        DatabasePath = Path.Combine(folder, "locklab.db");
        _connectionString = new SqliteConnectionStringBuilder { DataSource = DatabasePath, Pooling = true, DefaultTimeout = 5 }.ToString();
        try
        {
            Directory.CreateDirectory(folder);
            Initialize();
        }
        catch (Exception ex) when (ex is SqliteException or IOException or UnauthorizedAccessException)
        {
            // The lab must start even when its history cannot be kept (read-only folder, corrupt file): runs
            // stream regardless, storage calls fail and are logged, and the recorder says so at start-up.
            StartupError = ex;
        }
    }

    public string DatabasePath { get; }

    /// <summary>Why the history could not be opened at start-up, if it could not.</summary>
    public Exception? StartupError { get; }

    private SqliteConnection Open()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        if (_options.Limits.MaxHistoryMegabytes > 0)
        {
            // SQLite's page cap: past it, writes fail exactly as on a full disk (SQLITE_FULL).
            using var cap = connection.CreateCommand();
            cap.CommandText = $"PRAGMA max_page_count = {(long)_options.Limits.MaxHistoryMegabytes * 1024 * 1024 / 4096}";
            cap.ExecuteNonQuery();
        }
        return connection;
    }

    private void Initialize()
    {
        using var db = Open();
        Execute(db, """
            PRAGMA journal_mode = WAL;
            PRAGMA synchronous = NORMAL;
            CREATE TABLE IF NOT EXISTS runs (
                id TEXT PRIMARY KEY,
                room TEXT NOT NULL,
                scenario TEXT NOT NULL,
                status TEXT NOT NULL,
                created_at TEXT NOT NULL,
                info TEXT NOT NULL
            );
            CREATE INDEX IF NOT EXISTS runs_by_time ON runs (created_at DESC);
            CREATE TABLE IF NOT EXISTS events (
                run_id TEXT NOT NULL,
                seq INTEGER NOT NULL,
                process TEXT NOT NULL,
                pid INTEGER NOT NULL,
                kind TEXT NOT NULL,
                value INTEGER NOT NULL,
                at_ms REAL NOT NULL,
                PRIMARY KEY (run_id, seq)
            ) WITHOUT ROWID;
            """);
    }

    /// <summary>
    /// Runs that were queued or running when the server stopped cannot go on: they become <c>interrupted</c>,
    /// keeping the events they had. Returns how many.
    /// </summary>
    public int MarkInterrupted()
    {
        using var db = Open();
        var interrupted = new List<RunInfo>();
        using (var select = db.CreateCommand())
        {
            select.CommandText = "SELECT info FROM runs WHERE status IN ('queued', 'running')";
            using var reader = select.ExecuteReader();
            while (reader.Read()) interrupted.Add(Deserialize(reader.GetString(0)));
        }
        foreach (var run in interrupted)
        {
            var count = Scalar<long>(db, "SELECT COUNT(*) FROM events WHERE run_id = $id", ("$id", run.Id));
            Save(db, null, run with
            {
                Status = RunStatus.Interrupted,
                EventCount = count,
                Error = "The server stopped while this run was going; the events it had reported are kept.",
            });
        }
        return interrupted.Count;
    }

    /// <summary>How many runs are stored: opens the database and reads it, so it throws when the history is unusable now.</summary>
    public long CountRuns()
    {
        using var db = Open();
        return Scalar<long>(db, "SELECT COUNT(*) FROM runs");
    }

    public void SaveRun(RunInfo run)
    {
        using var db = Open();
        Save(db, null, run);
    }

    private static void Save(SqliteConnection db, SqliteTransaction? tx, RunInfo run)
    {
        using var command = db.CreateCommand();
        command.Transaction = tx;
        command.CommandText = """
            INSERT INTO runs (id, room, scenario, status, created_at, info) VALUES ($id, $room, $scenario, $status, $created, $info)
            ON CONFLICT (id) DO UPDATE SET status = excluded.status, info = excluded.info
            """;
        command.Parameters.AddWithValue("$id", run.Id);
        command.Parameters.AddWithValue("$room", run.Room);
        command.Parameters.AddWithValue("$scenario", run.Scenario);
        command.Parameters.AddWithValue("$status", Name(run.Status));
        command.Parameters.AddWithValue("$created", run.CreatedAt.UtcDateTime.ToString("O"));
        command.Parameters.AddWithValue("$info", JsonSerializer.Serialize(run, ContractsJsonContext.Default.RunInfo));
        command.ExecuteNonQuery();
    }

    /// <summary>Appends a batch of a run's events in one transaction (re-writing a seq already stored is harmless).</summary>
    public void AppendEvents(string runId, IReadOnlyList<RunEvent> events)
    {
        if (events.Count == 0) return;
        using var db = Open();
        using var tx = db.BeginTransaction();
        using var command = db.CreateCommand();
        command.Transaction = tx;
        command.CommandText = "INSERT OR IGNORE INTO events (run_id, seq, process, pid, kind, value, at_ms) VALUES ($run, $seq, $process, $pid, $kind, $value, $at)";
        var run = command.Parameters.Add("$run", SqliteType.Text);
        var seq = command.Parameters.Add("$seq", SqliteType.Integer);
        var process = command.Parameters.Add("$process", SqliteType.Text);
        var pid = command.Parameters.Add("$pid", SqliteType.Integer);
        var kind = command.Parameters.Add("$kind", SqliteType.Text);
        var value = command.Parameters.Add("$value", SqliteType.Integer);
        var at = command.Parameters.Add("$at", SqliteType.Real);
        command.Prepare();
        run.Value = runId;
        foreach (var e in events)
        {
            seq.Value = e.Seq;
            process.Value = e.Process;
            pid.Value = e.Pid;
            kind.Value = Name(e.Kind);
            value.Value = e.Value;
            at.Value = e.AtMs;
            command.ExecuteNonQuery();
        }
        tx.Commit();
    }

    public RunInfo? GetRun(string id)
    {
        using var db = Open();
        using var command = db.CreateCommand();
        command.CommandText = "SELECT info FROM runs WHERE id = $id";
        command.Parameters.AddWithValue("$id", id);
        return command.ExecuteScalar() is string json ? Deserialize(json) : null;
    }

    public RunEvent[] GetEvents(string id, long after, int limit)
    {
        using var db = Open();
        using var command = db.CreateCommand();
        command.CommandText = "SELECT seq, process, pid, kind, value, at_ms FROM events WHERE run_id = $id AND seq > $after ORDER BY seq LIMIT $limit";
        command.Parameters.AddWithValue("$id", id);
        command.Parameters.AddWithValue("$after", after);
        command.Parameters.AddWithValue("$limit", limit);
        using var reader = command.ExecuteReader();
        var events = new List<RunEvent>();
        while (reader.Read())
        {
            events.Add(new RunEvent(reader.GetInt64(0), reader.GetString(1), reader.GetInt32(2), KindNamed(reader.GetString(3)), reader.GetInt64(4), reader.GetDouble(5)));
        }
        return events.ToArray();
    }

    public RunInfo[] List(HistoryQuery query)
    {
        using var db = Open();
        using var command = db.CreateCommand();
        var where = new List<string>();
        if (query.Room is not null) { where.Add("room = $room"); command.Parameters.AddWithValue("$room", query.Room); }
        if (query.Scenario is not null) { where.Add("scenario = $scenario"); command.Parameters.AddWithValue("$scenario", query.Scenario); }
        if (query.Status is { } status) { where.Add("status = $status"); command.Parameters.AddWithValue("$status", Name(status)); }
        command.CommandText = $"SELECT info FROM runs {(where.Count > 0 ? "WHERE " + string.Join(" AND ", where) : "")} ORDER BY created_at DESC LIMIT $limit";
        command.Parameters.AddWithValue("$limit", query.Limit);
        using var reader = command.ExecuteReader();
        var runs = new List<RunInfo>();
        while (reader.Read()) runs.Add(Deserialize(reader.GetString(0)));
        return runs.ToArray();
    }

    /// <summary>
    /// Retention: keeps at most <c>MaxStoredRuns</c> runs and none older than <c>MaxRunAgeDays</c>, never a run that is
    /// not finished, nor those in <paramref name="keep"/> (runs someone is watching). Returns how many were removed.
    /// </summary>
    public int Prune(IReadOnlySet<string> keep, DateTimeOffset now)
    {
        var limits = _options.Limits;
        using var db = Open();
        var candidates = new List<string>();
        using (var command = db.CreateCommand())
        {
            command.CommandText = """
                SELECT id FROM runs WHERE status NOT IN ('queued', 'running') AND (
                    created_at < $oldest
                    OR id NOT IN (SELECT id FROM runs ORDER BY created_at DESC LIMIT $max))
                """;
            command.Parameters.AddWithValue("$oldest", now.AddDays(-limits.MaxRunAgeDays).UtcDateTime.ToString("O"));
            command.Parameters.AddWithValue("$max", limits.MaxStoredRuns);
            using var reader = command.ExecuteReader();
            while (reader.Read()) candidates.Add(reader.GetString(0));
        }
        var doomed = candidates.Where(id => !keep.Contains(id)).ToList();
        using var tx = db.BeginTransaction();
        foreach (var id in doomed)
        {
            Execute(db, "DELETE FROM events WHERE run_id = $id; DELETE FROM runs WHERE id = $id;", tx, ("$id", id));
        }
        tx.Commit();
        return doomed.Count;
    }

    private static RunInfo Deserialize(string json) => JsonSerializer.Deserialize(json, ContractsJsonContext.Default.RunInfo)!;

    private static string Name(RunStatus status) => JsonSerializer.Serialize(status, ContractsJsonContext.Default.Options).Trim('"');

    private static string Name(EventKind kind) => JsonSerializer.Serialize(kind, ContractsJsonContext.Default.Options).Trim('"');

    private static EventKind KindNamed(string name) => JsonSerializer.Deserialize<EventKind>($"\"{name}\"", ContractsJsonContext.Default.Options);

    private static void Execute(SqliteConnection db, string sql, SqliteTransaction? tx = null, params (string Name, object Value)[] parameters)
    {
        using var command = db.CreateCommand();
        command.Transaction = tx;
        command.CommandText = sql;
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value);
        command.ExecuteNonQuery();
    }

    private static T Scalar<T>(SqliteConnection db, string sql, params (string Name, object Value)[] parameters)
    {
        using var command = db.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value);
        return (T)command.ExecuteScalar()!;
    }
}
