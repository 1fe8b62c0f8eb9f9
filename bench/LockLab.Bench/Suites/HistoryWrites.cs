using System.Diagnostics;
using LockLab.Bench.Report;
using LockLab.Contracts;
using LockLab.Server.Configuration;
using LockLab.Server.History;
using LockLab.Server.Runs;
using LockLab.TestServices;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace LockLab.Bench.Suites;

/// <summary>
/// How fast the run history stores events: RunRecorder writes whatever arrived since its last write, one transaction
/// per batch, into a fresh database — SQLite (WAL mode) and, when its server is installed, PostgreSQL on this machine.
/// </summary>
public static class HistoryWrites
{
    private static readonly int[] BatchSizes = [1, 100, 1000, RunRecorder.MaxBatch];

    public static async Task<BenchSection> RunAsync(BenchContext context)
    {
        var section = new BenchSection("history", "Run history: events persisted per second");
        var count = context.Quick ? 10_000 : 200_000;
        var events = Enumerable.Range(1, count)
            .Select(i => new RunEvent(i, i % 2 == 0 ? "p2" : "p1", 1000 + i % 2, EventKind.Write, i, i * 0.01)).ToArray();

        var folder = Directory.CreateTempSubdirectory("locklab-bench-").FullName;
        Dictionary<int, string> sqlite;
        try
        {
            sqlite = Measure(new LockLabOptions { DataPath = folder }, folder, events, context);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }

        // Without Debian's postgresql package the column is left out; the SQLite figures stand on their own.
        Dictionary<int, string>? postgres = null;
        if (PostgresServer.IsInstalled)
        {
            await using var server = await PostgresServer.StartAsync();
            var database = await server.CreateDatabaseAsync("bench_history");
            postgres = Measure(new LockLabOptions { Database = database }, Path.GetTempPath(), events, context);
        }

        section.Paragraph($"{count:N0} events into a fresh database, one transaction per batch, three times per " +
            $"batch size. The recorder writes whatever arrived since its last write, up to {RunRecorder.MaxBatch:N0} " +
            $"events per transaction. " +
            "SQLite: WAL mode, `synchronous = NORMAL`, one prepared statement run once per event. " +
            (postgres is null
                ? "PostgreSQL was not measured: its server is not installed here (Debian's `postgresql` package)."
                : $"PostgreSQL: a local server started for the benchmark (loopback TCP, `fsync` and " +
                    $"`synchronous_commit` off, so its figures show the lab's side, not a disk's), the events sent " +
                    $"as pipelined batches of up to {RunHistory.EventsPerBatch:N0} inserts per round trip."));
        var rows = BatchSizes.Select(b => postgres is null
            ? new[] { b.ToString("N0"), sqlite[b] }
            : [b.ToString("N0"), sqlite[b], postgres[b]]).ToList();
        section.Table(postgres is null
            ? ["batch (events per transaction)", ">SQLite: events persisted per second"]
            : ["batch (events per transaction)", ">SQLite: events persisted per second", ">PostgreSQL: events persisted per second"], rows);
        section.Paragraph("A lesson run reports about 60 events per second. Storage is never on the run's path: the " +
            "recorder reads the run's in-memory log, so a slow or locked database delays only the record.");
        return section;
    }

    private static Dictionary<int, string> Measure(LockLabOptions store, string contentRoot, RunEvent[] events, BenchContext context)
    {
        using var history = new RunHistory(Options.Create(store), new BenchEnvironment(contentRoot), new LabInstance());
        if (history.StartupError is { } error)
            throw new InvalidOperationException($"The history at {history.Location} could not be opened.", error);
        var figures = new Dictionary<int, string>();
        foreach (var batch in BatchSizes)
        {
            var total = batch == 1 ? Math.Min(events.Length, 5_000) : events.Length; // one transaction per event is slow: measure fewer
            var rates = new List<double>();
            for (var repeat = 0; repeat < context.Repeats(3); repeat++)
            {
                var watch = Stopwatch.StartNew();
                for (var i = 0; i < total; i += batch)
                    history.AppendEvents($"bench-{batch}-{repeat}", events[i..Math.Min(total, i + batch)]);
                rates.Add(total / watch.Elapsed.TotalSeconds);
            }
            figures[batch] = Harness.Stats.Spread(rates, "N0");
        }
        return figures;
    }

    private sealed class BenchEnvironment(string root) : IHostEnvironment
    {
        public string EnvironmentName { get; set; } = "Benchmark";
        public string ApplicationName { get; set; } = "LockLab.Bench";
        public string ContentRootPath { get; set; } = root;
        public IFileProvider ContentRootFileProvider { get; set; } = new NullFileProvider();
    }
}
