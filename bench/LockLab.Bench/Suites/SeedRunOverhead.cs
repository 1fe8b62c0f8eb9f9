using System.Diagnostics;
using LockLab.Bench.Harness;
using LockLab.Bench.Report;
using LockLab.Contracts;

namespace LockLab.Bench.Suites;

/// <summary>
/// The lesson's own experiment, end to end: from the run request to the last event a SignalR viewer receives,
/// against the lesson's sleeps (5 × 0.1 s per process: 0.5 s without the lock, 1.0 s with it), beside the same
/// experiment as a Python script run by the real interpreter, timed both from the interpreter's start (what a student
/// running the script waits) and from <c>p1.start()</c> (the experiment itself). Lab and Python runs alternate, so that
/// both see the same moments of the machine.
/// </summary>
public static class SeedRunOverhead
{
    private sealed record Experiment(string Scenario, string PythonArg, double IdealMs, long[] LessonOutput, double TargetRatio);

    private static readonly Experiment[] Experiments =
    [
        new(Scenarios.NoLock, "nolock", 500, [1, 4, 5, 8, 9, 12, 13, 16, 17, 20], TargetRatio: 1.03),
        new(Scenarios.Lock, "lock", 1000, [1, 2, 3, 4, 5, 8, 11, 14, 17, 20], TargetRatio: 1.02),
    ];

    public const double TargetFirstPrintMs = 110;

    public static async Task<BenchSection> RunAsync(BenchContext context)
    {
        var section = new BenchSection("seed", "The lesson's experiment: wall time against its sleeps, beside Python");
        var repeats = context.Repeats(10);
        var lab = Experiments.ToDictionary(e => e.Scenario, _ => new Measured());
        var python = Experiments.ToDictionary(e => e.Scenario, _ => new Measured());
        var pythonExperiment = Experiments.ToDictionary(e => e.Scenario, _ => new Measured());
        var breakdown = Experiments.ToDictionary(e => e.Scenario, _ => new Breakdown());

        await using (var server = await context.StartServerAsync())
        await using (var viewer = await RunWatcher.ConnectAsync(server))
        {
            using var http = server.CreateClient();
            for (var i = 0; i < repeats; i++)
            {
                foreach (var e in Experiments)
                {
                    var requested = Stopwatch.GetTimestamp();
                    var run = await LabRuns.StartAsync(http, new RunRequest { Scenario = e.Scenario });
                    var answered = Stopwatch.GetTimestamp();
                    var seen = await viewer.WaitCompletedAsync(run.Id, TimeSpan.FromSeconds(30));
                    breakdown[e.Scenario].Add(requested, answered, seen, await LabRuns.TimingsAsync(http, run.Id));
                    LabRuns.EnsureCompleted(seen.Info);
                    if (!seen.Complete) throw new InvalidOperationException($"The viewer missed events of run {run.Id}.");
                    lab[e.Scenario].Add(
                        Elapsed(requested, seen.LastEventTimestamp) / e.IdealMs,
                        Elapsed(requested, seen.FirstPrintTimestamp),
                        (await LabRuns.PrintedAsync(http, run.Id)).SequenceEqual(e.LessonOutput));

                    if (!Python.Available) continue;
                    var lines = await Python.TimeLinesAsync("lesson.py", e.PythonArg);
                    var started = lines.Single(l => l.Line == "start").At;
                    var prints = lines.Where(l => l.Line != "start").ToList();
                    var asLesson = prints.Select(l => long.Parse(l.Line)).SequenceEqual(e.LessonOutput);
                    python[e.Scenario].Add(prints[^1].At.TotalMilliseconds / e.IdealMs, prints[0].At.TotalMilliseconds, asLesson);
                    pythonExperiment[e.Scenario].Add((prints[^1].At - started).TotalMilliseconds / e.IdealMs,
                        (prints[0].At - started).TotalMilliseconds, asLesson);
                }
            }
        }

        section.Paragraph($"""
            Each experiment {repeats} times with the lesson's defaults, the lab and Python taking turns (lab `no-lock`, Python
            `no-lock`, lab `lock`, Python `lock`, …). **LockLab**: from just before `POST /api/runs` to the moment a SignalR
            viewer (a hub connection in the measuring process, joined to the room) receives the run's last event; the first
            print likewise. Pre-started workers (`LockLab:WorkerPoolSize`, default 2) take the job. **Python**
            ({MachineInfo.PythonVersion ?? Python.Missing}): `bench/LockLab.Bench/python/lesson.py` (the same experiment with
            `multiprocessing`), run by the interpreter itself (`sys.executable`, not a `python3` shim), timed to its last
            printed line from just before the interpreter starts (what a student running the script waits) and from the line
            it prints just before `p1.start()` (the experiment alone). Ratio = wall time ÷ the lesson's sleeps
            ({Experiments[0].IdealMs:0} ms without the lock, {Experiments[1].IdealMs:0} ms with it). "As the lesson prints"
            counts runs whose printed values were exactly the lesson's (`1 4 5 8 9 12 13 16 17 20` and `1 2 3 4 5 8 11 14 17 20`).
            """);
        var rows = new List<string[]>();
        foreach (var e in Experiments)
        {
            var l = lab[e.Scenario];
            var p = python[e.Scenario];
            var x = pythonExperiment[e.Scenario];
            string Py(Func<string> figure) => Python.Available ? figure() : Python.Missing;
            rows.Add([$"`{e.Scenario}`", $"{e.IdealMs:0} ms",
                Stats.Spread(l.Ratios, "0.000", "×"), Stats.Spread(l.FirstPrints, "0", " ms"), $"{l.AsLesson} of {l.Ratios.Count}",
                Py(() => Stats.Spread(p.Ratios, "0.000", "×")), Py(() => Stats.Spread(p.FirstPrints, "0", " ms")),
                Py(() => Stats.Spread(x.Ratios, "0.000", "×")), Py(() => Stats.Spread(x.FirstPrints, "0", " ms")),
                Py(() => $"{p.AsLesson} of {p.Ratios.Count}")]);
        }
        section.Table(["experiment", ">ideal", ">LockLab: wall ÷ ideal", ">LockLab: first print", ">as the lesson prints",
            ">Python from interpreter start: wall ÷ ideal", ">first print", ">Python from `p1.start()`: wall ÷ ideal",
            ">first print", ">as the lesson prints"], rows);
        if (!Python.Available) section.Paragraph("No `python3` on this machine (`apt-get install python3`): the Python columns are empty.");

        section.Paragraph("""
            Where the time goes: each stage of a run in milliseconds since just before `POST /api/runs`, median (min–max)
            over the runs above. The server notes its stages on the monotonic clock (`GET /api/runs/{id}/timings`), which on
            Linux is the measuring process's clock too; "written by its worker" is the gate's moment plus the event's own
            `atMs`. The last worker to stand at the gate opens it (the server arms it before handing out the jobs), so
            "workers ready" and "gate opened" are one moment. The lesson's first sleep (100 ms) lies between it and the first
            print's writing.
            """);
        section.Table(["stage", .. Experiments.Select(e => $">`{e.Scenario}`")],
            Breakdown.Stages.Select((stage, i) => (IReadOnlyList<string>)
                [stage, .. Experiments.Select(e => Stats.Spread(breakdown[e.Scenario].At(i), "0.0", " ms"))]));
        section.Paragraph("""
            On this 2-core machine every hand-over between threads or processes on a run's path (a pipe's reader woken, a futex
            waiter woken, a queued task picked up by another thread) costs 0.3–1.5 ms, and the time before the gate is mostly
            such hand-overs, so the path is kept to as few as it needs: a free consumer takes a run inline on the request's thread,
            each worker reads its job on the thread that runs it, and the last worker ready opens the gate and goes straight on,
            so that nobody waits for the server to notice and open it. Sleeps end at their deadline (`clock_nanosleep` on the
            monotonic clock), not up to a millisecond after it, and p2's 5 ms start spacing counts from p1's start, not from
            p2's wake-up. The medians move by about a millisecond from one sitting to the next: as much as the margins to the
            targets, which a busier machine can eat.
            """);

        // One target per experiment: a pooled median would let one experiment's margin hide the other's miss.
        foreach (var e in Experiments)
        {
            var ratios = lab[e.Scenario].Ratios;
            var median = Stats.Median(ratios);
            section.Target($"`{e.Scenario}` wall ÷ ideal (median)", $"≤ {e.TargetRatio:0.00}×",
                $"{median:0.000}× (worst {ratios.Max():0.000}×)", median <= e.TargetRatio,
                median <= e.TargetRatio ? null : $"{(median - e.TargetRatio) * e.IdealMs:0} ms");
            var firstPrints = lab[e.Scenario].FirstPrints;
            var firstMedian = Stats.Median(firstPrints);
            section.Target($"`{e.Scenario}` first print after the request (median)", $"≤ {TargetFirstPrintMs:0} ms",
                $"{firstMedian:0} ms (worst {firstPrints.Max():0} ms)", firstMedian <= TargetFirstPrintMs,
                firstMedian <= TargetFirstPrintMs ? null : $"{firstMedian - TargetFirstPrintMs:0} ms");
            if (Python.Available)
            {
                var pythonMedian = Stats.Median(python[e.Scenario].Ratios);
                section.Target(
                    $"`{e.Scenario}` wall ÷ ideal against Python from interpreter start (medians, same sitting)",
                    "LockLab ahead",
                    $"LockLab {median:0.000}×, Python {pythonMedian:0.000}×", median < pythonMedian,
                    median < pythonMedian ? null : $"{(median - pythonMedian) * e.IdealMs:0} ms");
            }
            else
            {
                section.Target(
                    $"`{e.Scenario}` wall ÷ ideal against Python from interpreter start (medians, same sitting)",
                    "LockLab ahead", Python.Missing, false, "not measured");
            }
        }
        return section;
    }

    private static double Elapsed(long from, long to) => Stopwatch.GetElapsedTime(from, to).TotalMilliseconds;

    /// <summary>One run's stages, from just before its request, on the monotonic clock the server and this process share.</summary>
    private sealed class Breakdown
    {
        public static readonly string[] Stages =
        [
            "request accepted by the server (run created)",
            "`202` answer received by the bench",
            "run taken from the queue",
            "workers handed their jobs",
            "last worker ready at the gate, which it opens",
            "first print: written by its worker",
            "first print: read by the server",
            "first print: in the run's log (ticket order)",
            "first print: sent by the hub",
            "first print: received by the viewer",
            "last event: written by its worker",
            "last event: read by the server",
            "last event: sent by the hub",
            "last event: received by the viewer",
        ];

        private readonly List<double?[]> _runs = [];

        public void Add(long requested, long answered, WatchedRun seen, RunTimings t)
        {
            // Server stages count from its acceptance; this process's moments are timestamps on the same clock.
            double Since(long timestamp) => (timestamp - requested) * 1000.0 / t.TimestampFrequency;
            var accepted = Since(t.AcceptedTimestamp);
            double? Server(double? ms) => ms + accepted;
            _runs.Add(
            [
                accepted, Since(answered), Server(t.DequeuedMs), Server(t.JobsHandedMs), Server(t.GateOpenedMs),
                Server(t.FirstPrint?.WrittenMs), Server(t.FirstPrint?.ReadMs), Server(t.FirstPrint?.ReleasedMs),
                Server(t.FirstPrint?.SentMs), Since(seen.FirstPrintTimestamp),
                Server(t.LastEvent?.WrittenMs), Server(t.LastEvent?.ReadMs), Server(t.LastEvent?.SentMs), Since(seen.LastEventTimestamp),
            ]);
        }

        public List<double> At(int stage) => _runs.Where(r => r[stage] is not null).Select(r => r[stage]!.Value).ToList();
    }

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
