using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using LockLab.Bench.Harness;
using LockLab.Bench.Report;
using LockLab.Contracts;

namespace LockLab.Bench.Suites;

/// <summary>
/// Lock throughput (issue #7, item 4): the stress scenario's locked increments per second with 2 processes, through
/// the real server and its real worker processes, against Python's <c>multiprocessing.Lock</c> and against an
/// uncontended atomic increment on shared memory — all in the same run, on the same machine.
/// </summary>
public static class LockThroughput
{
    private const double PythonTarget = 20;  // locked stress ≥ 20 × Python's mp.Lock
    private const double AtomicTarget = 3;   // locked stress within 3 × of the atomic increment

    public static async Task<BenchSection> RunAsync(BenchContext context)
    {
        var section = new BenchSection("lock", "Lock throughput: locked increments per second");
        var quick = context.Quick;
        var repeats = context.Repeats(5);
        var iterations = quick ? 20_000 : 1_000_000;
        var rounds = quick ? 2 : 10;
        var pythonIterations = quick ? 2_000 : 1_000_000;

        // First, with nothing else running: the ceilings in one process.
        var (atomic, uncontendedLock) = SharedMemoryIncrements.Measure(quick);

        var locked = new List<double>();
        var unlocked = new List<double>();
        int lockedRoundsRight = 0, unlockedRoundsRight = 0;
        await using (var server = await context.StartServerAsync())
        {
            using var client = server.CreateClient();
            for (var i = 0; i < repeats; i++)
            {
                // Alternated, so that a burst of other work on the machine does not fall on one kind only.
                var l = await StressAsync(client, "step", iterations, rounds, quick);
                locked.Add(l.PerSecond);
                lockedRoundsRight += l.RoundsRight;
                var u = await StressAsync(client, "none", iterations, rounds, quick);
                unlocked.Add(u.PerSecond);
                unlockedRoundsRight += u.RoundsRight;
            }
        }

        var python = Python.Available ? await PythonAsync(pythonIterations, repeats) : null;

        var lockedMedian = Stats.Median(locked);
        var pythonLockedMedian = python is null ? double.NaN : Stats.Median(python.Locked);
        string VsPython(IReadOnlyCollection<double> values) =>
            python is null ? "no python3" : Stats.Spread(values.Select(v => v / pythonLockedMedian).ToList(), "0.0", "×");
        string VsAtomic(IReadOnlyCollection<double> values) => Stats.Spread(values.Select(v => v / atomic).ToList(), "0.00", "×");
        string PythonFigure(IReadOnlyList<double>? values) => values is null ? $"no python3 on this machine" : Millions(values);
        var totalRounds = repeats * rounds;

        section.Paragraph($$"""
            The stress scenario as a user starts it (`POST /api/runs {"scenario":"stress","iterations":{{iterations}},"rounds":{{rounds}},"lock":"step"}`),
            through the lab {{(quick ? "as built" : "published in Release")}}: 2 worker processes, each adding 1 to the shared counter
            {{iterations:N0}} times per round, {{rounds}} rounds, released together from a start line in the shared segment (without the
            lock, each on a processor of its own). Increments per second is the server's own figure (`summary.incrementsPerSecond`):
            all increments over the time the processes spent counting, each round from the first one beginning to the last one
            finishing (process start-up and the wake-ups between rounds not counted), as the Python processes are timed below.
            Locked and unlocked runs alternate, {{repeats}} of each, with the pool of pre-started workers refilled in between.
            Python{{(python is null ? "" : $" ({MachineInfo.PythonVersion})")}}: our `python/lock_throughput.py`, 2 `multiprocessing.Process`es each
            adding 1 to a `multiprocessing.Value` {{pythonIterations:N0}} times with a `multiprocessing.Lock` around each `v.value += 1`,
            timed from the first process starting to count to the last one finishing, {{repeats}} {{(repeats == 1 ? "time" : "times")}}. Its Value is made without its own internal lock, so that only the
            `mp.Lock` is measured; the lesson's `Value('i', 0)` also takes its own lock on every read and write (last row).
            Ceilings: BenchmarkDotNet in this process, on a run segment in `/dev/shm` with no one contending: one atomic increment
            (`Interlocked.Increment` on the segment's event ticket), and the stress loop's step alone (take the worker's lock, `v += 1`,
            release it); their mean. Elsewhere medians with min–max.
            """);
        section.Table(["", ">increments per second", ">× Python `mp.Lock`", ">× atomic increment", ">rounds with no update lost"],
        [
            ["atomic increment, 1 process, uncontended (ceiling)", Millions([atomic]),
                python is null ? "no python3" : Ratio(atomic / pythonLockedMedian, "0"), "1×", "–"],
            ["lock + `v += 1` + unlock, 1 process, uncontended", Millions([uncontendedLock]),
                python is null ? "no python3" : Ratio(uncontendedLock / pythonLockedMedian, "0"),
                Ratio(uncontendedLock / atomic, "0.00"), "–"],
            ["**stress, 2 processes, lock around each increment**", "**" + Millions(locked) + "**",
                "**" + VsPython(locked) + "**", "**" + VsAtomic(locked) + "**", $"{lockedRoundsRight} of {totalRounds}"],
            ["stress, 2 processes, no lock", Millions(unlocked), VsPython(unlocked), VsAtomic(unlocked),
                $"{unlockedRoundsRight} of {totalRounds}"],
            ["Python, 2 processes, `mp.Lock` around each increment", PythonFigure(python?.Locked),
                python is null ? "no python3" : VsPython(python.Locked), python is null ? "–" : VsAtomic(python.Locked),
                python is null ? "–" : $"{python.LockedRight} of {repeats}"],
            ["Python, 2 processes, no lock", PythonFigure(python?.Unlocked),
                python is null ? "no python3" : VsPython(python.Unlocked), python is null ? "–" : VsAtomic(python.Unlocked),
                python is null ? "–" : $"{python.UnlockedRight} of {repeats}"],
            ["Python, 2 processes, the lesson's code (`Value('i', 0)` and `mp.Lock`)", PythonFigure(python?.Lesson),
                python is null ? "no python3" : VsPython(python.Lesson), python is null ? "–" : VsAtomic(python.Lesson),
                python is null ? "–" : $"{python.LessonRight} of {repeats}"],
        ]);
        section.Paragraph($"""
            Why the locked figure is where it is. Each locked increment takes the lock with one compare-and-swap and releases it
            with one exchange: two atomic instructions where the ceiling has one, so even alone a process does about
            {Ratio(uncontendedLock / atomic, "0.00")} of the atomic rate (second row). Two processes on two cores reach
            {Ratio(lockedMedian / uncontendedLock, "0.00")} of that one-process rate. They could not if the lock changed hands
            often: every hand-over moves the cache line that holds the lock word and the counter to the other core and makes the
            loser wait, which costs far more than an increment. The lock keeps hand-overs rare: a waiter reads the word before it
            tries it and pauses longer and longer between reads (bounded, then it sleeps in the kernel), so the holder keeps the
            line and runs long stretches of increments. A fair lock that alternated at every increment would pay that transfer
            twice per increment. Without the lock the processes race on the counter: fewer instructions per increment, and
            updates lost. {(quick
                ? "Quick mode: tiny counts, the figures mean nothing."
                : "The machine is shared with other work; the min–max spreads show how much that moved the figures.")}
            """);

        if (python is null)
        {
            section.Target("Locked stress, 2 processes, vs Python `mp.Lock`", $"≥ {PythonTarget:0}×",
                "not measured: no python3 on this machine", false, "not measured");
        }
        else
        {
            var vsPython = lockedMedian / pythonLockedMedian;
            section.Target("Locked stress, 2 processes, vs Python `mp.Lock`", $"≥ {PythonTarget:0}×",
                $"{Ratio(vsPython, "0.0")} (medians: {Millions([lockedMedian])} vs {Millions([pythonLockedMedian])})",
                vsPython >= PythonTarget,
                vsPython >= PythonTarget ? null : Ratio(PythonTarget / vsPython, "0.00"));
        }
        var belowAtomic = atomic / lockedMedian;
        section.Target("Locked stress, 2 processes, vs an uncontended atomic increment", $"within {AtomicTarget:0}×",
            $"{Ratio(belowAtomic, "0.00")} below (median {Millions([lockedMedian])} vs {Millions([atomic])})", belowAtomic <= AtomicTarget,
            belowAtomic <= AtomicTarget ? null : Ratio(belowAtomic / AtomicTarget, "0.00"));
        return section;
    }

    private sealed record StressResult(double PerSecond, int RoundsRight);

    private static async Task<StressResult> StressAsync(HttpClient client, string lockScope, int iterations, int rounds, bool quick)
    {
        // A stress run refills the lab's worker pool after it ends; starting those processes would take a core from the
        // next run, so let it settle first.
        await Task.Delay(quick ? 200 : 1500);
        var body = new Dictionary<string, object>
        {
            ["scenario"] = "stress",
            ["room"] = "bench-lock",
            ["iterations"] = iterations,
            ["rounds"] = rounds,
            ["lock"] = lockScope
        };
        using var response = await client.PostAsJsonAsync("/api/runs", body);
        if (!response.IsSuccessStatusCode)
            throw new InvalidOperationException(
                $"POST /api/runs: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        var run = (await response.Content.ReadFromJsonAsync(ContractsJsonContext.Default.RunInfo))!;
        while (!run.IsFinished)
        {
            await Task.Delay(100);
            run = (await client.GetFromJsonAsync($"/api/runs/{run.Id}", ContractsJsonContext.Default.RunInfo))!;
        }
        if (run is not { Status: RunStatus.Completed, Summary: { IncrementsPerSecond: { } perSecond, Outcomes: { } outcomes } })
        {
            throw new InvalidOperationException($"Stress run {run.Id} ({lockScope}) ended {run.Status}: {run.Error}");
        }
        return new StressResult(perSecond, outcomes.Where(o => o.Expected).Sum(o => o.Count));
    }

    private sealed record PythonResults(
        List<double> Locked, List<double> Unlocked, List<double> Lesson, int LockedRight, int UnlockedRight, int LessonRight);

    private static async Task<PythonResults> PythonAsync(int iterations, int repeats)
    {
        var rows = (await Python.RunAsync("lock_throughput.py",
                "--iterations", iterations.ToString(CultureInfo.InvariantCulture),
                "--repeat", repeats.ToString(CultureInfo.InvariantCulture)))
            .Concat(await Python.RunAsync("lock_throughput.py",
                "--iterations", iterations.ToString(CultureInfo.InvariantCulture),
                "--repeat", repeats.ToString(CultureInfo.InvariantCulture),
                "--mode", "locked", "--value", "lesson"))
            .Select(line => JsonDocument.Parse(line).RootElement)
            .Select(e => (Lock: e.GetProperty("lock").GetBoolean(), Value: e.GetProperty("value").GetString(),
                PerSecond: e.GetProperty("incrementsPerSecond").GetDouble(),
                Right: e.GetProperty("final").GetInt64() == e.GetProperty("expected").GetInt64()))
            .ToList();
        var locked = rows.Where(r => r.Lock && r.Value == "raw").ToList();
        var unlocked = rows.Where(r => !r.Lock).ToList();
        var lesson = rows.Where(r => r.Lock && r.Value == "lesson").ToList();
        if (locked.Count == 0 || unlocked.Count == 0 || lesson.Count == 0)
            throw new InvalidOperationException("lock_throughput.py printed no measurement");
        return new PythonResults(locked.Select(r => r.PerSecond).ToList(), unlocked.Select(r => r.PerSecond).ToList(),
            lesson.Select(r => r.PerSecond).ToList(), locked.Count(r => r.Right), unlocked.Count(r => r.Right),
            lesson.Count(r => r.Right));
    }

    private static string Millions(IReadOnlyCollection<double> values) =>
        values.All(v => v >= 1e6)
            ? Stats.Spread(values.Select(v => v / 1e6).ToList(), "0.0", " M")
            : Stats.Spread(values.Select(v => v / 1e3).ToList(), "0", " k");

    private static string Ratio(double value, string format) => Stats.Format(value, format, "×");
}
