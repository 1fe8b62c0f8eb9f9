using System.Globalization;
using System.Net.Http.Json;
using LockLab.Bench.Harness;
using LockLab.Bench.Report;
using LockLab.Contracts;

namespace LockLab.Bench.Suites;

/// <summary>
/// "Run 100 times", measured against the thing it stands for: the lesson's Python script run 100 times and the lab's
/// <c>python</c> start mode for 100 rounds, on the same machine, in alternating blocks, and the two distributions of
/// printed outputs compared by their total-variation distance (half the summed differences of the outputs' shares:
/// 0 when both print the same outputs equally often, 1 when they never print the same). Beside them, what shapes
/// those outputs: how far apart the two processes print (p2's first print after p1's) and how much each process's
/// steps drift past the 100 ms it sleeps.
/// </summary>
public static class RepeatedOutputs
{
    private sealed record Experiment(string Scenario, string PythonArg);

    private static readonly Experiment[] Experiments = [new(Scenarios.NoLock, "nolock"), new(Scenarios.Lock, "lock")];

    public const double TargetDistance = 0.15;

    private const int Iterations = 5;

    private const double DelayMs = 100;

    public static async Task<BenchSection> RunAsync(BenchContext context)
    {
        var section = new BenchSection("repeat", "Run 100 times: Python's outputs beside the lab's `python` start mode");
        var blocks = context.Repeats(10);
        var blockSize = context.Quick ? 2 : 10;
        var python = Experiments.ToDictionary(e => e.Scenario, _ => new Tally());
        var lab = Experiments.ToDictionary(e => e.Scenario, _ => new Tally());

        if (Python.Available)
        {
            await using var server = await context.StartServerAsync();
            using var http = server.CreateClient();
            for (var block = 0; block < blocks; block++)
            {
                foreach (var e in Experiments)
                {
                    // One "Run 100 times" run of this block's rounds, then as many runs of the Python script.
                    var run = await LabRuns.StartAsync(http,
                        new RunRequest { Scenario = e.Scenario, StartMode = StartMode.Python, Rounds = blockSize });
                    run = LabRuns.EnsureCompleted(await LabRuns.WaitFinishedAsync(http, run.Id, TimeSpan.FromSeconds(30 + 3 * blockSize)));
                    var events = (await http.GetFromJsonAsync(
                        $"/api/runs/{run.Id}/events?limit=10000", ContractsJsonContext.Default.RunEventArray))!;
                    foreach (var round in events.Where(ev => ev.Kind == EventKind.Print).GroupBy(ev => ev.Round ?? 1))
                    {
                        lab[e.Scenario].Add(round.OrderBy(ev => ev.Seq).Select(ev => (ev.Value, ev.Process, ev.AtMs)).ToList());
                    }
                    for (var i = 0; i < blockSize; i++)
                    {
                        var lines = await Python.RunAsync("lesson.py", e.PythonArg, "--timed");
                        python[e.Scenario].Add(lines.Where(l => l != "start").Select(ParseTimed).ToList());
                    }
                }
            }
        }

        section.Paragraph($"""
            For each of the lesson's two experiments, {blocks} blocks of {blockSize}: one lab run of {blockSize} rounds in the
            `python` start mode (`POST /api/runs` with `"startMode":"python","rounds":{blockSize}`, the page's **Run 100 times**), then
            {blockSize} runs of `bench/LockLab.Bench/python/lesson.py --timed` ({MachineInfo.PythonVersion ?? Python.Missing}), which
            prints each value with its process and `time.perf_counter()`. **Distance**: the total-variation distance between the
            two distributions of printed outputs (½ Σ |lab share − Python share| over every output either printed; target
            ≤ {TargetDistance:0.00}). **Spacing**: p2's first print after p1's, per run. **Drift**: how much longer than the
            {DelayMs:0} ms sleep each step took, per process and step (Python sleeps from the moment it asks, so late wake-ups add
            up; the lab's `python` mode does the same). The lab starts p2 {LockLab.Worker.JobRunner.PythonStartSpacing.TotalMilliseconds:0} ms after p1 in this
            mode (`JobRunner.PythonStartSpacing`), a figure taken from this measurement on the development machine.
            """);
        if (!Python.Available)
        {
            section.Paragraph("No `python3` on this machine (`apt-get install python3`): nothing to compare with.");
            foreach (var e in Experiments)
                section.Target($"`{e.Scenario}`: distance between the lab's and Python's outputs",
                    $"≤ {TargetDistance:0.00}", Python.Missing, false, "not measured");
            return section;
        }

        var rows = new List<string[]>();
        foreach (var e in Experiments)
        {
            var p = python[e.Scenario];
            var l = lab[e.Scenario];
            rows.Add([$"`{e.Scenario}`", $"{p.Runs} / {l.Runs}", Tally.Distance(p, l).ToString("0.000", CultureInfo.InvariantCulture),
                p.Describe(), l.Describe(),
                Stats.Spread(p.Spacings, "0.0", " ms"), Stats.Spread(l.Spacings, "0.0", " ms"),
                Stats.Spread(p.Drifts, "0.00", " ms"), Stats.Spread(l.Drifts, "0.00", " ms")]);
        }
        section.Table(["experiment", ">runs (Python / lab)", ">distance", "Python: most frequent outputs",
            "lab `python` mode: most frequent outputs", ">Python spacing", ">lab spacing", ">Python drift per step",
            ">lab drift per step"], rows);

        foreach (var e in Experiments)
        {
            var distance = Tally.Distance(python[e.Scenario], lab[e.Scenario]);
            section.Target($"`{e.Scenario}`: distance between the lab's `python` mode and Python's outputs " +
                $"({python[e.Scenario].Runs} runs each)", $"≤ {TargetDistance:0.00}",
                distance.ToString("0.000", CultureInfo.InvariantCulture), distance <= TargetDistance,
                distance <= TargetDistance ? null : $"+{distance - TargetDistance:0.000}");
        }
        return section;
    }

    private static (long Value, string Process, double AtMs) ParseTimed(string line)
    {
        var parts = line.Split(' ');
        return (long.Parse(parts[0], CultureInfo.InvariantCulture), parts[1], double.Parse(parts[2], CultureInfo.InvariantCulture));
    }

    /// <summary>The outputs of one side, with the timing of each run's prints.</summary>
    private sealed class Tally
    {
        private readonly Dictionary<string, int> _outputs = [];

        public int Runs { get; private set; }
        public List<double> Spacings { get; } = [];
        public List<double> Drifts { get; } = [];

        public void Add(IReadOnlyList<(long Value, string Process, double AtMs)> prints)
        {
            Runs++;
            var output = string.Join(' ', prints.Select(p => p.Value));
            _outputs[output] = _outputs.GetValueOrDefault(output) + 1;
            var byProcess = prints.GroupBy(p => p.Process).ToDictionary(g => g.Key, g => g.Select(p => p.AtMs).ToList());
            if (byProcess.TryGetValue("p1", out var p1) && byProcess.TryGetValue("p2", out var p2)) Spacings.Add(p2[0] - p1[0]);
            foreach (var times in byProcess.Values.Where(t => t.Count == Iterations))
            {
                Drifts.Add((times[^1] - times[0]) / (Iterations - 1) - DelayMs);
            }
        }

        private double Share(string output) => Runs == 0 ? 0 : (double)_outputs.GetValueOrDefault(output) / Runs;

        public static double Distance(Tally a, Tally b) =>
            a._outputs.Keys.Union(b._outputs.Keys).Sum(o => Math.Abs(a.Share(o) - b.Share(o))) / 2;

        /// <summary>The three most frequent outputs with their counts, and how many others.</summary>
        public string Describe()
        {
            var top = _outputs.OrderByDescending(o => o.Value).ThenBy(o => o.Key, StringComparer.Ordinal).ToList();
            var shown = string.Join("; ", top.Take(3).Select(o => $"`{o.Key}` ×{o.Value}"));
            return top.Count > 3 ? $"{shown}; {top.Count - 3} others ×{top.Skip(3).Sum(o => o.Value)}" : shown;
        }
    }
}
