using LockLab.Bench;
using LockLab.Bench.Harness;
using LockLab.Bench.Report;
using LockLab.Bench.Suites;

// LockLab's benchmark suite. See docs/benchmarks.md, which this program writes.
//   dotnet run -c Release --project bench/LockLab.Bench                 every suite; prints tables, rewrites docs/benchmarks.md
//   dotnet run -c Release --project bench/LockLab.Bench -- seed fan-out only these suites (their sections are replaced)
//   dotnet run -c Release --project bench/LockLab.Bench -- --quick      every suite in seconds; writes nothing unless --output
//   … -- --output path.md                                               write the report elsewhere

if (args.FirstOrDefault() == ViewerAgent.Command) return await ViewerAgent.RunAsync(args[1..]);

var suites = new (string Name, Func<BenchContext, Task<BenchSection>> Run)[]
{
    ("seed", SeedRunOverhead.RunAsync),
    ("repeat", RepeatedOutputs.RunAsync),
    ("latency", LiveLatency.RunAsync),
    ("fan-out", FanOut.RunAsync),
    ("lock", LockThroughput.RunAsync),
    ("page", PageLoad.RunAsync),
    ("stress", StressStreaming.RunAsync),
    ("summary", RaceSummaries.RunAsync),
    ("history", HistoryWrites.RunAsync),
    ("exports", ParallelExports.RunAsync),
    ("scale-out", ScaleOutLatency.RunAsync),
};

MachineLoad.AdoptOrphans();
var quick = args.Contains("--quick");
string? output = null;
var names = new List<string>();
for (var i = 0; i < args.Length; i++)
{
    if (args[i] == "--quick") continue;
    if (args[i] == "--output" && i + 1 < args.Length) output = args[++i];
    else if (suites.Any(s => s.Name == args[i])) names.Add(args[i]);
    else
    {
        Console.Error.WriteLine($"Unknown argument '{args[i]}'. Suites: {string.Join(", ", suites.Select(s => s.Name))}; " +
            $"options: --quick, --output <file>.");
        return 2;
    }
}
if (names.Count == 0) names.AddRange(suites.Select(s => s.Name));

var context = new BenchContext(quick, BenchContext.FindRepoRoot());
output ??= quick ? null : Path.Combine(context.RepoRoot, "docs", "benchmarks.md");
Console.WriteLine($"LockLab benchmarks{(quick ? " (quick mode: figures are not meaningful)" : "")} on {MachineInfo.Describe()}");

var sections = new List<BenchSection>();
var failed = 0;
foreach (var (name, run) in suites.Where(s => names.Contains(s.Name)))
{
    try
    {
        // On a busy machine every time would be longer: wait for a quiet one, and say how quiet it stayed.
        var quietAtStart = quick ? null : await MachineLoad.WaitForQuietAsync(TimeSpan.FromMinutes(10));
        var before = MachineLoad.Read();
        var section = await run(context);
        if (!quick && before is { } from && MachineLoad.Read() is { } to)
            section.MachineLoad = MachineLoad.Describe(quietAtStart, MachineLoad.OthersShare(from, to));
        BenchReport.Print(section);
        sections.Add(section);
    }
    catch (Exception ex)
    {
        // One broken suite must not lose the others' figures; the exit code says something failed.
        failed++;
        Console.Error.WriteLine($"Suite '{name}' failed: {ex}");
    }
}

if (output is not null && sections.Count > 0)
{
    BenchReport.Write(output, sections, suites.Select(s => s.Name).ToList());
    Console.WriteLine($"\nWrote {output}");
}
return failed == 0 ? 0 : 1;
