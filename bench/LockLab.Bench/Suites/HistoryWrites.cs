using System.Diagnostics;
using LockLab.Bench.Report;
using LockLab.Contracts;
using LockLab.Server.Configuration;
using LockLab.Server.History;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace LockLab.Bench.Suites;

/// <summary>
/// How fast the run history stores events: RunRecorder writes whatever arrived since its last write, one transaction
/// per batch (WAL mode), into a fresh database.
/// </summary>
public static class HistoryWrites
{
    public static Task<BenchSection> RunAsync(BenchContext context)
    {
        var section = new BenchSection("history", "Run history: events persisted per second");
        var folder = Directory.CreateTempSubdirectory("locklab-bench-").FullName;
        try
        {
            var history = new RunHistory(Options.Create(new LockLabOptions { DataPath = folder }), new BenchEnvironment(folder));
            var count = context.Quick ? 10_000 : 200_000;
            var events = Enumerable.Range(1, count).Select(i => new RunEvent(i, i % 2 == 0 ? "p2" : "p1", 1000 + i % 2, EventKind.Write, i, i * 0.01)).ToArray();
            var rows = new List<string[]>();
            foreach (var batch in new[] { 1, 100, 1000, RunRecorder.MaxBatch })
            {
                var total = batch == 1 ? Math.Min(count, 5_000) : count; // one transaction per event is slow: measure fewer
                var rates = new List<double>();
                for (var repeat = 0; repeat < context.Repeats(3); repeat++)
                {
                    var watch = Stopwatch.StartNew();
                    for (var i = 0; i < total; i += batch) history.AppendEvents($"bench-{batch}-{repeat}", events[i..Math.Min(total, i + batch)]);
                    rates.Add(total / watch.Elapsed.TotalSeconds);
                }
                rows.Add([batch.ToString("N0"), Harness.Stats.Spread(rates, "N0")]);
            }
            section.Paragraph($"{count:N0} events into a fresh SQLite database (WAL mode, `synchronous = NORMAL`), one transaction per batch, three times per batch size. The recorder writes whatever arrived since its last write, up to {RunRecorder.MaxBatch:N0} events per transaction.");
            section.Table(["batch (events per transaction)", ">events persisted per second"], rows);
            section.Paragraph("A lesson run reports about 60 events per second. Storage is never on the run's path: the recorder reads the run's in-memory log, so a slow or locked disk delays only the record.");
            return Task.FromResult(section);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private sealed class BenchEnvironment(string root) : IHostEnvironment
    {
        public string EnvironmentName { get; set; } = "Benchmark";
        public string ApplicationName { get; set; } = "LockLab.Bench";
        public string ContentRootPath { get; set; } = root;
        public IFileProvider ContentRootFileProvider { get; set; } = new NullFileProvider();
    }
}
