using System.Diagnostics;
using LockLab.Bench.Harness;
using LockLab.Bench.Report;
using LockLab.Contracts;

namespace LockLab.Bench.Suites;

/// <summary>
/// The lesson's own experiment, end to end: from the run request to the last event a SignalR viewer receives,
/// against the lesson's sleeps (5 × 0.1 s per process: 0.5 s without the lock, 1.0 s with it), beside the same
/// experiment as a Python script timed from the interpreter's start to its last print.
/// </summary>
public static class SeedRunOverhead
{
    private static readonly (string Scenario, string PythonArg, double IdealMs, long[] LessonOutput)[] Experiments =
    [
        (Scenarios.NoLock, "nolock", 500, [1, 4, 5, 8, 9, 12, 13, 16, 17, 20]),
        (Scenarios.Lock, "lock", 1000, [1, 2, 3, 4, 5, 8, 11, 14, 17, 20]),
    ];

    public const double TargetRatio = 1.05;
    public const double TargetFirstPrintMs = 130;

    public static async Task<BenchSection> RunAsync(BenchContext context)
    {
        var section = new BenchSection("seed", "The lesson's experiment: wall time against its sleeps, beside Python");
        var repeats = context.Repeats(10);
        var lab = Experiments.ToDictionary(e => e.Scenario, _ => new Measured());
        var python = Experiments.ToDictionary(e => e.Scenario, _ => new Measured());

        await using (var server = await context.StartServerAsync())
        await using (var viewer = await RunWatcher.ConnectAsync(server))
        {
            using var http = server.CreateClient();
            for (var i = 0; i < repeats; i++)
            {
                foreach (var (scenario, _, ideal, lesson) in Experiments)
                {
                    var requested = Stopwatch.GetTimestamp();
                    var run = await LabRuns.StartAsync(http, new RunRequest { Scenario = scenario });
                    var seen = await viewer.WaitCompletedAsync(run.Id, TimeSpan.FromSeconds(30));
                    LabRuns.EnsureCompleted(seen.Info);
                    if (!seen.Complete) throw new InvalidOperationException($"The viewer missed events of run {run.Id}.");
                    lab[scenario].Add(
                        Elapsed(requested, seen.LastEventTimestamp) / ideal,
                        Elapsed(requested, seen.FirstPrintTimestamp),
                        (await LabRuns.PrintedAsync(http, run.Id)).SequenceEqual(lesson));
                }
            }
        }

        if (Python.Available)
        {
            for (var i = 0; i < repeats; i++)
            {
                foreach (var (scenario, arg, ideal, lesson) in Experiments)
                {
                    var lines = await Python.TimeLinesAsync("lesson.py", arg);
                    python[scenario].Add(lines[^1].At.TotalMilliseconds / ideal, lines[0].At.TotalMilliseconds,
                        lines.Select(l => long.Parse(l.Line)).SequenceEqual(lesson));
                }
            }
        }

        section.Paragraph($"""
            Each experiment {repeats} times, alternating, with the lesson's defaults. **LockLab**: from just before `POST /api/runs`
            to the moment a SignalR viewer (a hub connection in the measuring process, joined to the room) receives the run's
            last event; the first print likewise. Pre-started workers (`LockLab:WorkerPoolSize`, default 2) take the job.
            **Python**: `bench/LockLab.Bench/python/lesson.py` (the same experiment with `multiprocessing`) from just before
            `python3` starts to its last printed line. Ratio = wall time ÷ the lesson's sleeps ({Experiments[0].IdealMs:0} ms
            without the lock, {Experiments[1].IdealMs:0} ms with it). "As the lesson prints" counts runs whose printed values
            were exactly the lesson's (`1 4 5 8 9 12 13 16 17 20` and `1 2 3 4 5 8 11 14 17 20`).
            """);
        var rows = new List<string[]>();
        foreach (var (scenario, _, ideal, _) in Experiments)
        {
            var l = lab[scenario];
            var p = python[scenario];
            rows.Add([$"`{scenario}`", $"{ideal:0} ms",
                Stats.Spread(l.Ratios, "0.000", "×"), Stats.Spread(l.FirstPrints, "0", " ms"), $"{l.AsLesson} of {l.Ratios.Count}",
                Python.Available ? Stats.Spread(p.Ratios, "0.000", "×") : "no python3", Python.Available ? Stats.Spread(p.FirstPrints, "0", " ms") : "–",
                Python.Available ? $"{p.AsLesson} of {p.Ratios.Count}" : "–"]);
        }
        section.Table(["experiment", ">ideal", ">LockLab: wall ÷ ideal", ">LockLab: first print", ">as the lesson prints", ">Python: wall ÷ ideal", ">Python: first print", ">as the lesson prints"], rows);
        if (!Python.Available) section.Paragraph("No `python3` on this machine: the Python columns are empty.");

        foreach (var (scenario, _, _, _) in Experiments)
        {
            var worst = lab[scenario].Ratios.Max();
            var median = Stats.Median(lab[scenario].Ratios);
            section.Target($"`{scenario}` wall ÷ ideal (median)", $"≤ {TargetRatio:0.00}×", $"{median:0.000}× (worst {worst:0.000}×)", median <= TargetRatio,
                median <= TargetRatio ? null : $"{(median - TargetRatio) * Experiments.First(e => e.Scenario == scenario).IdealMs:0} ms");
        }
        var firstPrints = lab.Values.SelectMany(m => m.FirstPrints).ToList();
        var firstMedian = Stats.Median(firstPrints);
        section.Target("first print after the request (median)", $"≤ {TargetFirstPrintMs:0} ms", $"{firstMedian:0} ms (worst {firstPrints.Max():0} ms)",
            firstMedian <= TargetFirstPrintMs, firstMedian <= TargetFirstPrintMs ? null : $"{firstMedian - TargetFirstPrintMs:0} ms");
        return section;
    }

    private static double Elapsed(long from, long to) => Stopwatch.GetElapsedTime(from, to).TotalMilliseconds;

    private sealed class Measured
    {
        public List<double> Ratios { get; } = [];
        public List<double> FirstPrints { get; } = [];
        public int AsLesson { get; private set; }

        public void Add(double ratio, double firstPrintMs, bool asLesson)
        {
            Ratios.Add(ratio);
            FirstPrints.Add(firstPrintMs);
            if (asLesson) AsLesson++;
        }
    }
}
