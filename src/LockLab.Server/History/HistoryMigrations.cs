using System.Data.Common;
using System.Globalization;

namespace LockLab.Server.History;

/// <summary>
/// The history's schema as numbered steps, applied in order at start-up in one transaction and recorded in
/// <c>schema_migrations</c>, so that a database of any earlier release is brought up to date and a current one is
/// left alone. Steps are only ever added, never edited: a database out there has already run each one.
/// </summary>
public static class HistoryMigrations
{
    private sealed record Migration(int Version, string Sql);

    private static Migration[] All(HistoryDialect dialect) =>
    [
        // The first release created these tables without recording it, hence IF NOT EXISTS: its files are adopted as
        // they are, rows included.
        new(1, $"""
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
                seq {dialect.Int64Type} NOT NULL,
                process TEXT NOT NULL,
                pid INTEGER NOT NULL,
                kind TEXT NOT NULL,
                value {dialect.Int64Type} NOT NULL,
                at_ms {dialect.DoubleType} NOT NULL,
                PRIMARY KEY (run_id, seq)
            ) {dialect.EventsTableOptions};
            """),
        // The server instance that accepted the run (its workers are that instance's children). Runs stored before
        // instances were told apart belong to '' — nobody alive.
        new(2, "ALTER TABLE runs ADD COLUMN instance TEXT NOT NULL DEFAULT ''"),
        // Which write each read saw and each write replaced (RunEvent.WriteId, ReadFrom, Replaced): lost updates are
        // observed. Events stored before have none (NULL), and their runs' summaries were computed when they ran.
        new(3, """
            ALTER TABLE events ADD COLUMN write_id INTEGER;
            ALTER TABLE events ADD COLUMN read_from INTEGER;
            ALTER TABLE events ADD COLUMN replaced INTEGER;
            """),
        // The round of a run repeated round after round ("Run 100 times"; RunEvent.Round): NULL in a run of one round.
        new(4, "ALTER TABLE events ADD COLUMN round INTEGER"),
    ];

    /// <summary>The schema version this code writes.</summary>
    public const int Latest = 4;

    /// <summary>Applies the steps this database lacks; returns their versions (none when it was up to date).</summary>
    public static IReadOnlyList<int> Apply(HistoryDialect dialect)
    {
        using var db = dialect.Open();
        dialect.Prepare(db);
        using var tx = dialect.BeginMigration(db);
        Execute(db, tx, "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)");
        var done = new HashSet<int>();
        using (var select = db.CreateCommand())
        {
            select.Transaction = tx;
            select.CommandText = "SELECT version FROM schema_migrations";
            using var reader = select.ExecuteReader();
            while (reader.Read()) done.Add(Convert.ToInt32(reader.GetValue(0), CultureInfo.InvariantCulture));
        }
        // A step this code does not know (a newer release ran here) is left as it is: steps only add.
        var applied = new List<int>();
        foreach (var step in All(dialect).Where(m => !done.Contains(m.Version)).OrderBy(m => m.Version))
        {
            Execute(db, tx, step.Sql);
            using var record = db.CreateCommand();
            record.Transaction = tx;
            record.CommandText = "INSERT INTO schema_migrations (version, applied_at) VALUES (@version, @at)";
            RunHistory.AddParameter(record, "@version", step.Version);
            RunHistory.AddParameter(record, "@at", DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture));
            record.ExecuteNonQuery();
            applied.Add(step.Version);
        }
        tx.Commit();
        return applied;
    }

    private static void Execute(DbConnection db, DbTransaction tx, string sql)
    {
        using var command = db.CreateCommand();
        command.Transaction = tx;
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
