using System.Diagnostics;
using LockLab.Contracts;
using LockLab.Server.Configuration;
using LockLab.Server.History;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

// LockLab's measurements. Each prints a small table; docs/benchmarks.md records the figures and this command.
//   dotnet run -c Release --project bench/LockLab.Bench -- history   events persisted per second, by batch size

var which = args.FirstOrDefault() ?? "history";
switch (which)
{
    case "history":
        HistoryWrites();
        break;
    default:
        Console.Error.WriteLine($"Unknown benchmark '{which}'. Known: history");
        return 2;
}
return 0;

// How fast the run history stores events: RunRecorder writes whatever arrived since its last write, one transaction
// per batch (WAL mode). 200,000 events per batch size, into a fresh database.
static void HistoryWrites()
{
    var folder = Directory.CreateTempSubdirectory("locklab-bench-").FullName;
    try
    {
        var history = new RunHistory(Options.Create(new LockLabOptions { DataPath = folder }), new BenchEnvironment(folder));
        const int count = 200_000;
        var events = Enumerable.Range(1, count).Select(i => new RunEvent(i, i % 2 == 0 ? "p2" : "p1", 1000 + i % 2, EventKind.Write, i, i * 0.01)).ToArray();
        Console.WriteLine("| batch (events per transaction) | events persisted per second |");
        Console.WriteLine("|---:|---:|");
        foreach (var batch in new[] { 1, 100, 1000, RunRecorder.MaxBatch })
        {
            var total = batch == 1 ? 5_000 : count; // one transaction per event is slow: measure fewer
            var watch = Stopwatch.StartNew();
            for (var i = 0; i < total; i += batch) history.AppendEvents($"bench-{batch}", events[i..Math.Min(total, i + batch)]);
            Console.WriteLine($"| {batch:N0} | {total / watch.Elapsed.TotalSeconds:N0} |");
        }
    }
    finally
    {
        Directory.Delete(folder, recursive: true);
    }
}

sealed class BenchEnvironment(string root) : IHostEnvironment
{
    public string EnvironmentName { get; set; } = "Benchmark";
    public string ApplicationName { get; set; } = "LockLab.Bench";
    public string ContentRootPath { get; set; } = root;
    public IFileProvider ContentRootFileProvider { get; set; } = new NullFileProvider();
}
