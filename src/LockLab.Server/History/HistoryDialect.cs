using System.Data.Common;
using LockLab.Server.Configuration;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace LockLab.Server.History;

/// <summary>
/// What truly differs between the two databases the run history can live in: how a connection is made and set up,
/// a few column types, and how start-up migrations keep other instances out. Everything else — every query, the
/// migrations themselves — is shared by <see cref="RunHistory"/>: both providers accept <c>@name</c> parameters,
/// <c>INSERT … ON CONFLICT</c> and <c>CREATE … IF NOT EXISTS</c>.
/// </summary>
public abstract class HistoryDialect : IDisposable
{
    /// <summary>SQLite under <c>DataPath</c>, unless <c>LockLab:Database</c> names a PostgreSQL database.</summary>
    public static HistoryDialect For(LockLabOptions options, IHostEnvironment environment) =>
        string.IsNullOrWhiteSpace(options.Database)
            ? new SqliteHistoryDialect(options.DataFolder(environment), options.Limits.MaxHistoryMegabytes)
            : new PostgresHistoryDialect(options.Database);

    /// <summary>Where the history is kept, for logs and <c>/readyz</c>: a file path or a URL, never a password.</summary>
    public abstract string Location { get; }

    /// <summary>Column type of a 64-bit integer (sequence numbers, counter values).</summary>
    public abstract string Int64Type { get; }

    /// <summary>Column type of a double-precision number (milliseconds since the run began).</summary>
    public abstract string DoubleType { get; }

    /// <summary>Appended to <c>CREATE TABLE events (…)</c>.</summary>
    public abstract string EventsTableOptions { get; }

    /// <summary>An open connection with this database's per-connection settings applied.</summary>
    public abstract DbConnection Open();

    /// <summary>
    /// <see cref="Open"/> for request paths, where waiting on a database server must not hold a thread. SQLite's is
    /// the synchronous one: a local file, whose driver's async methods complete synchronously anyway.
    /// </summary>
    public virtual Task<DbConnection> OpenAsync(CancellationToken ct = default) => Task.FromResult(Open());

    /// <summary>Once per start-up, before migrating: whatever must happen outside a transaction.</summary>
    public virtual void Prepare(DbConnection db)
    {
    }

    /// <summary>
    /// Begins the migration transaction, holding every other instance's migration off until it ends: two servers
    /// starting at once against one database must not both create the same table or apply the same step.
    /// </summary>
    public abstract DbTransaction BeginMigration(DbConnection db);

    public virtual void Dispose()
    {
    }
}

/// <summary>
/// An embedded database file, <c>{DataPath}/locklab.db</c>, in WAL mode: nothing to install. SQLite creates the file but
/// not its folder; the start-up creates that (<see cref="EnsureWritableFolder"/>, through
/// <c>PrepareHistoryFolder</c>) before anything opens the database.
/// </summary>
public sealed class SqliteHistoryDialect : HistoryDialect
{
    public const string FileName = "locklab.db";
    private const int PageSize = 4096;
    private readonly string _connectionString;
    private readonly string _connectionSetup;

    public SqliteHistoryDialect(string folder, int maxMegabytes)
    {
        Location = Path.Combine(folder, FileName);
        _connectionString = new SqliteConnectionStringBuilder { DataSource = Location, Pooling = true, DefaultTimeout = 5 }.ToString();
        // Both are per connection. NORMAL is durable across a crash of the lab in WAL mode (a power cut may lose the
        // last batches), and spares an fsync per transaction. The page cap makes writes past it fail exactly as on a
        // full disk (SQLITE_FULL): the size limit of a database that lives on the lab's own disk.
        _connectionSetup = "PRAGMA synchronous = NORMAL;"
            + (maxMegabytes > 0 ? $" PRAGMA max_page_count = {(long)maxMegabytes * 1024 * 1024 / PageSize};" : "");
    }

    public override string Location { get; }

    /// <summary>
    /// Creates the folder if it is missing and proves that a file can be written there, so that a bad
    /// <c>LockLab:DataPath</c> is found at start-up with its reason, not by the first run that cannot be kept.
    /// </summary>
    /// <exception cref="IOException">A file is in the way, the disk is full or read-only, …</exception>
    /// <exception cref="UnauthorizedAccessException">The lab may not create or write the folder.</exception>
    public static void EnsureWritableFolder(string folder)
    {
        Directory.CreateDirectory(folder);
        var probe = Path.Combine(folder, $".locklab-write-test-{Environment.ProcessId}");
        File.WriteAllBytes(probe, []);
        File.Delete(probe);
    }

    // SQLite's INTEGER and REAL are already 64-bit; these are the types the first release created.
    public override string Int64Type => "INTEGER";

    public override string DoubleType => "REAL";

    // Events are only ever looked up by (run_id, seq): the primary key can be the table.
    public override string EventsTableOptions => "WITHOUT ROWID";

    public override DbConnection Open()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        using var setup = connection.CreateCommand();
        setup.CommandText = _connectionSetup;
        setup.ExecuteNonQuery();
        return connection;
    }

    public override void Prepare(DbConnection db)
    {
        using var wal = db.CreateCommand();
        wal.CommandText = "PRAGMA journal_mode = WAL"; // stored in the file; cannot change inside a transaction
        wal.ExecuteNonQuery();
    }

    // Not deferred: BEGIN IMMEDIATE takes the file's write lock at once, so a second process waits (busy timeout)
    // until this one has committed, then finds the steps applied.
    public override DbTransaction BeginMigration(DbConnection db) => ((SqliteConnection)db).BeginTransaction(deferred: false);

    public override void Dispose()
    {
        // Pooled connections keep the file open; a lab that is gone must not (its folder may be deleted next).
        using var connection = new SqliteConnection(_connectionString);
        SqliteConnection.ClearPool(connection);
    }
}

/// <summary>A PostgreSQL database (Npgsql connection string): several lab instances share one history.</summary>
public sealed class PostgresHistoryDialect : HistoryDialect
{
    /// <summary>The advisory lock migrations take: "LockLab" in ASCII, so that it is recognisable in <c>pg_locks</c>.</summary>
    public const long MigrationLockKey = 0x4C6F636B4C6162;

    private readonly NpgsqlDataSource _dataSource;

    public PostgresHistoryDialect(string connectionString)
    {
        var settings = new NpgsqlConnectionStringBuilder(connectionString);
        Location = $"postgresql://{settings.Host}:{settings.Port}/{settings.Database ?? settings.Username}";
        _dataSource = NpgsqlDataSource.Create(settings);
    }

    public override string Location { get; }

    public override string Int64Type => "BIGINT";

    public override string DoubleType => "DOUBLE PRECISION";

    public override string EventsTableOptions => "";

    public override DbConnection Open() => _dataSource.OpenConnection();

    public override async Task<DbConnection> OpenAsync(CancellationToken ct = default) => await _dataSource.OpenConnectionAsync(ct);

    public override DbTransaction BeginMigration(DbConnection db)
    {
        var tx = db.BeginTransaction();
        using var wait = db.CreateCommand();
        wait.Transaction = tx;
        // Released by the commit (or rollback): an instance that dies mid-migration holds nobody up.
        wait.CommandText = $"SELECT pg_advisory_xact_lock({MigrationLockKey})";
        wait.ExecuteNonQuery();
        return tx;
    }

    public override void Dispose()
    {
        _dataSource.Dispose();
    }
}
