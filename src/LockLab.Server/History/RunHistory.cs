using System.Data;
using System.Data.Common;
using System.Globalization;
using System.Text.Json;
using LockLab.Contracts;
using LockLab.Server.Configuration;
using LockLab.Server.Runs;
using Microsoft.Extensions.Options;

namespace LockLab.Server.History;

/// <summary>A filter for the history list.</summary>
public sealed record HistoryQuery(string? Room = null, string? Scenario = null, RunStatus? Status = null, int Limit = 100);

/// <summary>
/// Every run and every event, so that the class's runs survive a restart: in an embedded SQLite database
/// (<c>{DataPath}/locklab.db</c>, WAL mode) or, when <c>LockLab:Database</c> is set, in PostgreSQL, which several
/// instances share. One code path for both (plain ADO.NET); <see cref="HistoryDialect"/> holds what differs.
/// Events are written in batches, one transaction each, by <see cref="RunRecorder"/>.
/// </summary>
public sealed class RunHistory : IStoredRuns, IDisposable
{
    /// <summary>Events per round trip when the provider pipelines a batch of commands (PostgreSQL).</summary>
    public const int EventsPerBatch = 1000;

    private const string Unfinished = "status IN ('queued', 'running')";

    private const string InsertEvent = """
        INSERT INTO events (run_id, seq, process, pid, kind, value, at_ms, write_id, read_from, replaced, round)
        VALUES (@run, @seq, @process, @pid, @kind, @value, @at, @write, @readFrom, @replaced, @round)
        ON CONFLICT (run_id, seq) DO NOTHING
        """;

    private readonly HistoryDialect _dialect;
    private readonly LockLabOptions _options;
    private readonly LabInstance _instance;

    public RunHistory(IOptions<LockLabOptions> options, IHostEnvironment environment, LabInstance instance)
    {
        _options = options.Value;
        _instance = instance;
        // A malformed connection string throws here and stops the start-up: a typo in the settings, not a fault to ride out.
        _dialect = HistoryDialect.For(_options, environment);
        try
        {
            HistoryMigrations.Apply(_dialect);
        }
        catch (Exception ex) when (ex is DbException or IOException or UnauthorizedAccessException)
        {
            // The lab must start even when its history cannot be kept (read-only folder, corrupt file, database
            // down): runs stream regardless, storage calls fail and are logged, and the recorder says so at start-up.
            StartupError = ex;
        }
    }

    /// <summary>Where the history is kept (a file path, or a PostgreSQL URL without credentials).</summary>
    public string Location => _dialect.Location;

    /// <summary>Why the history could not be opened at start-up, if it could not and has not been since.</summary>
    public Exception? StartupError
    {
        get => Volatile.Read(ref _startupError);
        private set => Volatile.Write(ref _startupError, value);
    }

    private Exception? _startupError;

    /// <summary>
    /// Tries again to open a history that could not be opened at start-up (a database server still starting, a file
    /// that was in the way): true once it is open. The recorder asks now and then (<see cref="RunRecorder"/>), so
    /// the lab becomes ready without a restart.
    /// </summary>
    public bool TryOpenAgain()
    {
        if (StartupError is null) return true;
        try
        {
            HistoryMigrations.Apply(_dialect);
            StartupError = null;
            return true;
        }
        catch (Exception ex) when (ex is DbException or IOException or UnauthorizedAccessException)
        {
            StartupError = ex;
            return false;
        }
    }

    /// <summary>
    /// Marks the runs still queued or running whose owning instance <paramref name="ownerIsGone"/> says is gone as
    /// <c>interrupted</c> (they cannot go on: their workers died with it), keeping the events they had. Returns them.
    /// </summary>
    public IReadOnlyList<RunInfo> MarkInterrupted(Func<string, bool> ownerIsGone)
    {
        using var db = _dialect.Open();
        var cutOff = new List<RunInfo>();
        using (var select = Command(db, null, $"SELECT instance, info FROM runs WHERE {Unfinished}"))
        using (var reader = select.ExecuteReader())
        {
            while (reader.Read())
            {
                if (ownerIsGone(reader.GetString(0))) cutOff.Add(Deserialize(reader.GetString(1)));
            }
        }
        var marked = new List<RunInfo>();
        using var tx = db.BeginTransaction();
        foreach (var run in cutOff)
        {
            var interrupted = run with
            {
                Status = RunStatus.Interrupted,
                EventCount = Scalar<long>(db, tx, "SELECT COUNT(*) FROM events WHERE run_id = @id", ("@id", run.Id)),
                Error = RunErrors.ServerStopped,
            };
            // Only while still unfinished: another instance may have marked it meanwhile, or its owner finished it.
            var updated = Execute(db, tx, $"UPDATE runs SET status = @status, info = @info WHERE id = @id AND {Unfinished}",
                ("@status", WireNames.Name(interrupted.Status)), ("@info", Serialize(interrupted)), ("@id", run.Id));
            if (updated == 1) marked.Add(interrupted);
        }
        tx.Commit();
        return marked;
    }

    /// <summary>Runs still queued or running, with the instance that owns each: the candidates for <see cref="MarkInterrupted"/>.</summary>
    public IReadOnlyList<(string RunId, string Instance)> UnfinishedRuns()
    {
        using var db = _dialect.Open();
        using var command = Command(db, null, $"SELECT id, instance FROM runs WHERE {Unfinished} ORDER BY created_at");
        using var reader = command.ExecuteReader();
        var runs = new List<(string, string)>();
        while (reader.Read()) runs.Add((reader.GetString(0), reader.GetString(1)));
        return runs;
    }

    /// <summary>How many runs are stored: opens the database and reads it, so it throws when the history is unusable now.</summary>
    public long CountRuns()
    {
        using var db = _dialect.Open();
        return Scalar<long>(db, null, "SELECT COUNT(*) FROM runs");
    }

    /// <summary>Inserts the run, owned by this instance, or updates its status and details (never its owner).</summary>
    public void SaveRun(RunInfo run)
    {
        using var db = _dialect.Open();
        Execute(db, null, """
            INSERT INTO runs (id, room, scenario, status, created_at, info, instance) VALUES (@id, @room, @scenario, @status, @created, @info, @instance)
            ON CONFLICT (id) DO UPDATE SET status = excluded.status, info = excluded.info
            """,
            ("@id", run.Id), ("@room", run.Room), ("@scenario", run.Scenario), ("@status", WireNames.Name(run.Status)),
            ("@created", run.CreatedAt.UtcDateTime.ToString("O", CultureInfo.InvariantCulture)), ("@info", Serialize(run)),
            ("@instance", _instance.Id));
    }

    /// <summary>Appends a batch of a run's events in one transaction (re-writing a seq already stored is harmless).</summary>
    public void AppendEvents(string runId, IReadOnlyList<RunEvent> events)
    {
        if (events.Count == 0) return;
        using var db = _dialect.Open();
        using var tx = db.BeginTransaction();
        // A network database pays a round trip per command unless the provider pipelines a batch (Npgsql sends a
        // whole batch at once); SQLite is in-process, where one prepared statement run again and again is fastest.
        if (db.CanCreateBatch) AppendBatched(db, tx, runId, events);
        else AppendPrepared(db, tx, runId, events);
        tx.Commit();
    }

    private static void AppendBatched(DbConnection db, DbTransaction tx, string runId, IReadOnlyList<RunEvent> events)
    {
        for (var start = 0; start < events.Count; start += EventsPerBatch)
        {
            using var batch = db.CreateBatch();
            batch.Transaction = tx;
            for (var i = start; i < Math.Min(events.Count, start + EventsPerBatch); i++)
            {
                var e = events[i];
                var insert = batch.CreateBatchCommand();
                insert.CommandText = InsertEvent;
                AddParameter(insert, "@run", runId);
                AddParameter(insert, "@seq", e.Seq);
                AddParameter(insert, "@process", e.Process);
                AddParameter(insert, "@pid", e.Pid);
                AddParameter(insert, "@kind", WireNames.Name(e.Kind));
                AddParameter(insert, "@value", e.Value);
                AddParameter(insert, "@at", e.AtMs);
                AddParameter(insert, "@write", (object?)e.WriteId ?? DBNull.Value);
                AddParameter(insert, "@readFrom", (object?)e.ReadFrom ?? DBNull.Value);
                AddParameter(insert, "@replaced", (object?)e.Replaced ?? DBNull.Value);
                AddParameter(insert, "@round", (object?)e.Round ?? DBNull.Value);
                batch.BatchCommands.Add(insert);
            }
            // One server-side statement for the identical inserts, kept on the pooled connection: after the first
            // batch, each insert is only its parameters (measured about twice the rate of unprepared batches).
            batch.Prepare();
            batch.ExecuteNonQuery();
        }
    }

    private static void AppendPrepared(DbConnection db, DbTransaction tx, string runId, IReadOnlyList<RunEvent> events)
    {
        using var command = Command(db, tx, InsertEvent);
        var run = AddParameter(command, "@run", DbType.String);
        var seq = AddParameter(command, "@seq", DbType.Int64);
        var process = AddParameter(command, "@process", DbType.String);
        var pid = AddParameter(command, "@pid", DbType.Int32);
        var kind = AddParameter(command, "@kind", DbType.String);
        var value = AddParameter(command, "@value", DbType.Int64);
        var at = AddParameter(command, "@at", DbType.Double);
        var write = AddParameter(command, "@write", DbType.Int32);
        var readFrom = AddParameter(command, "@readFrom", DbType.Int32);
        var replaced = AddParameter(command, "@replaced", DbType.Int32);
        var round = AddParameter(command, "@round", DbType.Int32);
        command.Prepare();
        run.Value = runId;
        foreach (var e in events)
        {
            seq.Value = e.Seq;
            process.Value = e.Process;
            pid.Value = e.Pid;
            kind.Value = WireNames.Name(e.Kind);
            value.Value = e.Value;
            at.Value = e.AtMs;
            write.Value = (object?)e.WriteId ?? DBNull.Value;
            readFrom.Value = (object?)e.ReadFrom ?? DBNull.Value;
            replaced.Value = (object?)e.Replaced ?? DBNull.Value;
            round.Value = (object?)e.Round ?? DBNull.Value;
            command.ExecuteNonQuery();
        }
    }

    // The reads serve requests and pages (REST, the hub's catch-up, the history page): asynchronous, so that a
    // PostgreSQL round trip does not hold a thread. The writes come from the recorder's own loop.

    public async Task<RunInfo?> GetRunAsync(string id, CancellationToken ct = default)
    {
        await using var db = await _dialect.OpenAsync(ct);
        await using var command = Command(db, null, "SELECT info FROM runs WHERE id = @id", ("@id", id));
        return await command.ExecuteScalarAsync(ct) is string json ? Deserialize(json) : null;
    }

    public async Task<RunEvent[]> GetEventsAsync(string id, long after, int limit, CancellationToken ct = default)
    {
        await using var db = await _dialect.OpenAsync(ct);
        await using var command = Command(db, null,
            "SELECT seq, process, pid, kind, value, at_ms, write_id, read_from, replaced, round FROM events " +
            "WHERE run_id = @id AND seq > @after ORDER BY seq LIMIT @limit",
            ("@id", id), ("@after", after), ("@limit", limit));
        await using var reader = await command.ExecuteReaderAsync(ct);
        var events = new List<RunEvent>();
        while (await reader.ReadAsync(ct))
        {
            events.Add(new RunEvent(reader.GetInt64(0), reader.GetString(1), reader.GetInt32(2),
                KindNamed(reader.GetString(3)), reader.GetInt64(4), reader.GetDouble(5),
                NullableInt(reader, 6), NullableInt(reader, 7), NullableInt(reader, 8), NullableInt(reader, 9)));
        }
        return events.ToArray();
    }

    public async Task<RunInfo[]> ListAsync(HistoryQuery query, CancellationToken ct = default)
    {
        await using var db = await _dialect.OpenAsync(ct);
        await using var command = Command(db, null, "");
        var where = new List<string>();
        if (query.Room is not null) { where.Add("room = @room"); AddParameter(command, "@room", query.Room); }
        if (query.Scenario is not null) { where.Add("scenario = @scenario"); AddParameter(command, "@scenario", query.Scenario); }
        if (query.Status is { } status) { where.Add("status = @status"); AddParameter(command, "@status", WireNames.Name(status)); }
        command.CommandText = $"SELECT info FROM runs {(where.Count > 0 ? "WHERE " + string.Join(" AND ", where) : "")} " +
            $"ORDER BY created_at DESC LIMIT @limit";
        AddParameter(command, "@limit", query.Limit);
        await using var reader = await command.ExecuteReaderAsync(ct);
        var runs = new List<RunInfo>();
        while (await reader.ReadAsync(ct)) runs.Add(Deserialize(reader.GetString(0)));
        return runs.ToArray();
    }

    /// <summary>
    /// Retention: keeps at most <c>MaxStoredRuns</c> runs and none older than <c>MaxRunAgeDays</c>, never a run that is
    /// not finished, nor those in <paramref name="keep"/> (runs someone is watching). Returns how many were removed.
    /// </summary>
    public int Prune(IReadOnlySet<string> keep, DateTimeOffset now)
    {
        var limits = _options.Limits;
        using var db = _dialect.Open();
        var candidates = new List<string>();
        using (var command = Command(db, null, $"""
            SELECT id FROM runs WHERE status NOT IN ('queued', 'running') AND (
                created_at < @oldest
                OR id NOT IN (SELECT id FROM runs ORDER BY created_at DESC LIMIT @max))
            """,
            ("@oldest", now.AddDays(-limits.MaxRunAgeDays).UtcDateTime.ToString("O", CultureInfo.InvariantCulture)),
            ("@max", limits.MaxStoredRuns)))
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read()) candidates.Add(reader.GetString(0));
        }
        var doomed = candidates.Where(id => !keep.Contains(id)).ToList();
        using var tx = db.BeginTransaction();
        foreach (var id in doomed)
        {
            Execute(db, tx, "DELETE FROM events WHERE run_id = @id", ("@id", id));
            Execute(db, tx, "DELETE FROM runs WHERE id = @id", ("@id", id));
        }
        tx.Commit();
        return doomed.Count;
    }

    public void Dispose() => _dialect.Dispose();

    private static RunInfo Deserialize(string json) => JsonSerializer.Deserialize(json, ContractsJsonContext.Default.RunInfo)!;

    private static string Serialize(RunInfo run) => JsonSerializer.Serialize(run, ContractsJsonContext.Default.RunInfo);

    private static EventKind KindNamed(string name) => WireNames.ParseKind(name)
        ?? throw new InvalidDataException($"The history holds an event of an unknown kind, '{name}'.");

    private static DbCommand Command(DbConnection db, DbTransaction? tx, string sql, params (string Name, object Value)[] parameters)
    {
        var command = db.CreateCommand();
        command.Transaction = tx;
        command.CommandText = sql;
        foreach (var (name, value) in parameters) AddParameter(command, name, value);
        return command;
    }

    private static int Execute(DbConnection db, DbTransaction? tx, string sql, params (string Name, object Value)[] parameters)
    {
        using var command = Command(db, tx, sql, parameters);
        return command.ExecuteNonQuery();
    }

    private static T Scalar<T>(DbConnection db, DbTransaction? tx, string sql, params (string Name, object Value)[] parameters)
    {
        using var command = Command(db, tx, sql, parameters);
        return (T)command.ExecuteScalar()!;
    }

    private static int? NullableInt(DbDataReader reader, int column) =>
        reader.IsDBNull(column) ? null : Convert.ToInt32(reader.GetValue(column), CultureInfo.InvariantCulture);

    internal static void AddParameter(DbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }

    private static DbParameter AddParameter(DbCommand command, string name, DbType type)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.DbType = type;
        command.Parameters.Add(parameter);
        return parameter;
    }

    private static void AddParameter(DbBatchCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }
}
